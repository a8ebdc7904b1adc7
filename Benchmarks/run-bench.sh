#!/usr/bin/env bash
# `make bench`: in release mode, side by side with their peers in the same run —
#   1. the event log against SQLite (LogBenchmark),
#   2. the command service (CommandBenchmark),
#   3. the HTTP API against nginx, Redis and PostgreSQL (http-bench.py: board reads with wrk vs nginx
#      serving a file of the same size, task moves vs Redis XADD and pgbench inserts, 1,000 SSE
#      subscribers with SSEBenchmark; HummingbirdBaseline, the framework doing no work, under the same wrk runs),
#   4. the projections against SQLite (ProjectionBenchmark);
#   5. verify, backup and restore of the projections' 1M-event workspace through the taskledger binary,
#      against lz4 -dc, lz4 -dc | sha256sum and cp -r (OperationsBenchmark);
# then Benchmarks/RESULTS.md and the charts are rewritten from the recorded figures.
#   SECONDS_PER_RUN (5), REPEATS (3), EVENTS (1000000), PROJECTION_REPEATS (1), HTTP_REPEATS (3),
#   HTTP_SECONDS (5), SSE_SECONDS (5), BENCH_DIR (a scratch dir on the same disk as /tmp),
#   TASKLEDGER_SCRATCH (the root package's build directory, default .build), ONLY=http (just part 3,
#   re-rendering RESULTS.md with the other parts' last recorded figures)
set -euo pipefail
cd "$(dirname "$0")"
seconds="${SECONDS_PER_RUN:-5}"; repeats="${REPEATS:-3}"; events="${EVENTS:-1000000}"
scratch="${BENCH_DIR:-$(mktemp -d /tmp/taskledger-bench.XXXXXX)}"
trap 'rm -rf "$scratch"' EXIT
started=$(date +%s)

# The peers, from Debian's packages (only what is missing; none is started as a system service here:
# http-bench.py starts each on loopback in the scratch directory and stops it by its pid).
missing=""
for tool in wrk:wrk nginx:nginx-light redis-server:redis-server redis-benchmark:redis-tools pgbench:postgresql-client; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || missing="$missing ${tool#*:}"
done
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
if [ -n "$missing" ]; then
  sudo=""; [ "$(id -u)" = "0" ] || sudo="sudo"
  echo "installing:$missing"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
fi
# Subscribers and wrk's connections need more descriptors than the usual soft limit of 1,024.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# SwiftPM does not always notice new files in a path dependency; re-plan every time (cheap). Only the
# plan: deleting build.db too threw away the build's state and rebuilt everything (~7 min when loaded).
rm -f .build/release.yaml
swift build -c release
rootScratch="${TASKLEDGER_SCRATCH:-.build}"
(cd .. && swift build -c release --product taskledger --scratch-path "$rootScratch")
taskledger="$(cd .. && swift build -c release --product taskledger --scratch-path "$rootScratch" --show-bin-path)/taskledger"

httpRepeats="${HTTP_REPEATS:-3}"; httpSeconds="${HTTP_SECONDS:-5}"; sseSeconds="${SSE_SECONDS:-5}"
httpCommand="Benchmarks/http-bench.py --repeats $httpRepeats --seconds $httpSeconds --sse-seconds $sseSeconds --tasks 10000"
runHTTP() {
  python3 http-bench.py --taskledger "$taskledger" --sse .build/release/SSEBenchmark \
    --hummingbird .build/release/HummingbirdBaseline --projections ../Projections \
    --scratch "$scratch/http" --json results/http-bench.json --repeats "$httpRepeats" --seconds "$httpSeconds" \
    --sse-seconds "$sseSeconds" --tasks 10000
}

command="Benchmarks/.build/release/LogBenchmark --seconds $seconds --repeats $repeats --events $events"
projectionRepeats="${PROJECTION_REPEATS:-1}"
projectionCommand="Benchmarks/.build/release/ProjectionBenchmark --events $events --repeats $projectionRepeats --queries 50 --live-seconds 20"
# Each part's tables are kept in results/ beside its figures, so that ONLY=http can re-render RESULTS.md
# with the other parts' last recorded results.
tables=results/log-tables.md; commandTables=results/command-tables.md; projectionTables=results/projection-tables.md
operationsTables=results/operations-tables.md
operationsCommand="Benchmarks/.build/release/OperationsBenchmark --taskledger \$taskledger --data <the projection benchmark's dataset> --workspace bench --repeats 3"
render() {
  python3 render-results.py --figures results/log-bench.json --tables "$tables" --command "$command" \
    --command-figures results/command-bench.json --command-tables "$commandTables" \
    --projection-figures results/projection-bench.json --projection-tables "$projectionTables" \
    --projection-command "$projectionCommand" \
    --http-figures results/http-bench.json --http-chart results/http-bench.svg --http-command "$httpCommand" \
    --operations-figures results/operations-bench.json --operations-tables "$operationsTables" --operations-command "$operationsCommand" \
    --scratch "$scratch" --chart results/log-bench.svg > "$scratch/RESULTS.md"
  mv "$scratch/RESULTS.md" RESULTS.md
}
if [ "${ONLY:-}" = "http" ]; then
  runHTTP
  render
  echo "wrote Benchmarks/RESULTS.md (HTTP part re-run, the others as last recorded) in $(( $(date +%s) - started )) s"
  exit 0
fi

.build/release/LogBenchmark --seconds "$seconds" --repeats "$repeats" --events "$events" \
  --dir "$scratch/data" --json results/log-bench.json > "$tables"
.build/release/CommandBenchmark --tasks 50000 --clients 16 --seconds "$seconds" --repeats "$repeats" \
  --dir "$scratch/commands" --json results/command-bench.json > "$commandTables"
runHTTP
# The projection benchmarks (issue: projections): a 1M-event workspace `bench` made by the demo generator
# (DemoGenerator, as `taskledger demo generate`: through the command service, deterministic from the seed;
# cached in the scratch dir with a marker of its settings), rebuilds against the SQLite baseline, as-of, live lag.
# PROJECTION_REPEATS (1): rebuild repeats; one keeps `make bench` under 15 min while a rebuild takes ~1.5 min.
.build/release/ProjectionBenchmark --events "$events" --repeats "$projectionRepeats" --queries 50 --live-seconds 20 \
  --dir "$scratch/projections" --projections ../Projections --json results/projection-bench.json > "$projectionTables"
# The auditor toolkit on the same 1M-event workspace (the dataset the projection benchmark generated).
.build/release/OperationsBenchmark --taskledger "$taskledger" --data "$scratch/projections/dataset" --workspace bench \
  --projections ../Projections --repeats 3 --scratch "$scratch/operations" --json results/operations-bench.json > "$operationsTables"
render
echo "wrote Benchmarks/RESULTS.md and Benchmarks/results/ in $(( $(date +%s) - started )) s"
