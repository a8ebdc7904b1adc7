#!/usr/bin/env bash
# `make run`: serve the HTTP API on 127.0.0.1:8080 over ./taskledger-data. On the first run it fills
# workspace `demo` with the demo generator's small deterministic history (seed 42, ~20k events: a
# company with five projects, members of every role, 90 days of work — `taskledger demo generate`),
# issues three API tokens, and prints them once with the URL and three ready curl lines. A second run
# reuses the data and prints no secret.
#   usage: run-server.sh BIN DATA WORKSPACE [PORT]
# The scheduler is off unless SCHEDULE_INTERVAL (seconds) says otherwise: the demo history ends on
# 2026-08-28, so a scheduler run at today's date would first mark every open task overdue and fire their
# reminders — hundreds of events that would also shift every position the README's tour shows.
set -euo pipefail
bin="$1"; data="$2"; workspace="$3"; port="${4:-8080}"
root="$(cd "$(dirname "$0")/.." && pwd)"
url="http://127.0.0.1:$port"
serve() {
  exec "$bin" serve --data "$data" --port "$port" --projections "$root/Projections" --log-format text \
    --schedule-interval "${SCHEDULE_INTERVAL:-0}"
}

if [ -d "$data/workspaces/$workspace/log" ]; then
  echo "taskledger: reusing workspace $workspace in $data (its tokens were printed on the first run)"
  serve
fi

"$bin" demo generate --data "$data" --name "$workspace" --seed 42 --events 20000 --quiet >/dev/null
# Built before the server starts, so the first read answers at once instead of 503 projection-not-ready.
"$bin" projections catch-up --data "$data" --workspace "$workspace" --projections "$root/Projections" >/dev/null
token() { # MEMBER NAME: issues a token offline (the server is not running yet) and prints its secret
  "$bin" token issue --data "$data" --workspace "$workspace" --member "$1" --name "$2" --as ada | grep -o 'tl_[^ ]*'
}
admin="$(token ada "make run")"
lin="$(token lin "Lin's laptop")"
auditor="$(token audra "audit 2026")"

cat <<TEXT
taskledger: workspace $workspace generated in $data (taskledger demo generate --seed 42 --events 20000), serving on $url
  admin token   (ada, shown once): $admin
  member token  (lin, shown once): $lin
  auditor token (audra, shown once): $auditor

  # read the board
  curl -s $url/v1/workspaces/$workspace/projects/ops/board -H "Authorization: Bearer $lin" | jq -c '.rows[] | {name, count, wip_limit}'
  # move a task; its answer's "position" can go to any read as ?minPosition= to see the move
  curl -s -X POST $url/v1/workspaces/$workspace/tasks/ops-95/moves -H "Authorization: Bearer $lin" -H 'Content-Type: application/json' -d '{"to":"review"}'
  # subscribe to every event, live (Server-Sent Events; resume with -H 'Last-Event-ID: N')
  curl -sN $url/v1/workspaces/$workspace/events -H "Authorization: Bearer $auditor" -H 'Accept: text/event-stream'
TEXT
serve
