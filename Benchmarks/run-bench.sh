#!/usr/bin/env bash
# `make bench`: the event-log benchmark in release mode, Taskledger and the SQLite baseline in the same
# run, the command-service benchmark and the projection benchmark; then Benchmarks/RESULTS.md and the chart are rewritten from
# the recorded figures.
#   SECONDS_PER_RUN (5), REPEATS (3), EVENTS (1000000), PROJECTION_REPEATS (1), BENCH_DIR (a scratch dir on the same disk as /tmp)
set -euo pipefail
cd "$(dirname "$0")"
seconds="${SECONDS_PER_RUN:-5}"; repeats="${REPEATS:-3}"; events="${EVENTS:-1000000}"
scratch="${BENCH_DIR:-$(mktemp -d /tmp/taskledger-bench.XXXXXX)}"
trap 'rm -rf "$scratch"' EXIT
# SwiftPM does not always notice new files in a path dependency; re-plan every time (cheap).
rm -f .build/release.yaml .build/build.db
swift build -c release
command="Benchmarks/.build/release/LogBenchmark --seconds $seconds --repeats $repeats --events $events"
tables="$(mktemp)"
.build/release/LogBenchmark --seconds "$seconds" --repeats "$repeats" --events "$events" \
  --dir "$scratch/data" --json results/log-bench.json > "$tables"
commandTables="$(mktemp)"
.build/release/CommandBenchmark --tasks 50000 --clients 16 --seconds "$seconds" --repeats "$repeats" \
  --dir "$scratch/commands" --json results/command-bench.json > "$commandTables"
# The projection benchmarks (issue: projections): a 1M-event workspace made through the command service
# (~90 s, cached in the scratch dir for the repeats), rebuilds against the SQLite baseline, as-of, live lag.
projectionTables="$(mktemp)"
# PROJECTION_REPEATS (1): rebuild repeats; one keeps `make bench` under 15 min while a rebuild takes ~1.5 min.
projectionRepeats="${PROJECTION_REPEATS:-1}"
.build/release/ProjectionBenchmark --events "$events" --repeats "$projectionRepeats" --queries 50 --live-seconds 20 \
  --dir "$scratch/projections" --projections ../Projections --json results/projection-bench.json > "$projectionTables"
python3 render-results.py --figures results/log-bench.json --tables "$tables" --command "$command" \
  --command-figures results/command-bench.json --command-tables "$commandTables" \
  --projection-figures results/projection-bench.json --projection-tables "$projectionTables" \
  --projection-command "Benchmarks/.build/release/ProjectionBenchmark --events $events --repeats $projectionRepeats --queries 50 --live-seconds 20" \
  --scratch "$scratch" --chart results/log-bench.svg > RESULTS.md
rm -f "$tables" "$commandTables" "$projectionTables"
echo "wrote Benchmarks/RESULTS.md and Benchmarks/results/log-bench.svg"
