#!/usr/bin/env bash
# `make run` until the HTTP server lands: append a small sample history to a workspace log with the
# real CLI, then read it back, verify the hash chain, and show the compression stats.
set -euo pipefail
bin="$1"; data="$2"; workspace="$3"
sample="$(dirname "$0")/../Fixtures/sample-events.ndjson"
echo "taskledger: data directory $data, workspace $workspace"
if [ ! -d "$data/workspaces/$workspace/log" ]; then
  echo "== appending $(wc -l < "$sample") sample events (one atomic append)"
  "$bin" log append --data "$data" --workspace "$workspace" < "$sample" | tail -n 3
else
  echo "== workspace exists; reusing it"
fi
echo "== the last 2 events (taskledger log read)"
"$bin" log read --data "$data" --workspace "$workspace" | tail -n 2
echo "== verify"
"$bin" log verify --data "$data" --workspace "$workspace"
echo "== stats"
"$bin" log stats --data "$data" --workspace "$workspace"
echo "== the same events with the standard lz4 tool"
echo "lz4 -dc $data/workspaces/$workspace/log/segment-*.lz4 | wc -l: $(cat "$data/workspaces/$workspace/log/"segment-*.lz4 | lz4 -dc | wc -l)"
