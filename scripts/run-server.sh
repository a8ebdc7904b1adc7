#!/usr/bin/env bash
# `make run`: serve the HTTP API on 127.0.0.1:8080 over ./taskledger-data. On the first run it creates
# workspace `demo` (an admin, an auditor, a developer; a workflow with a review step that needs an
# approval and a WIP limit; project OPS with a few tasks) through the API itself, and prints the tokens
# once, the URL and three ready curl lines. A second run reuses the data and prints no secret.
#   usage: run-server.sh BIN DATA WORKSPACE [PORT]
set -euo pipefail
bin="$1"; data="$2"; workspace="$3"; port="${4:-8080}"
root="$(cd "$(dirname "$0")/.." && pwd)"
url="http://127.0.0.1:$port"
serve() { exec "$bin" serve --data "$data" --port "$port" --projections "$root/Projections" --log-format text; }

if [ -d "$data/workspaces/$workspace/log" ]; then
  echo "taskledger: reusing workspace $workspace in $data (its tokens were printed on the first run)"
  serve
fi

admin="$("$bin" init --data "$data" --workspace "$workspace" --name "Demo Co" --admin-id ada --admin-name "Ada Admin" --admin-email ada@demo.example | grep -o 'tl_[^ ]*')"
"$bin" serve --data "$data" --port "$port" --projections "$root/Projections" --log-level warning &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "$url/healthz" >/dev/null && break; sleep 0.1; done

api() { # METHOD PATH [BODY]: fails loudly on an error answer
  local answer; answer="$(curl -sS -X "$1" "$url/v1/workspaces/$workspace$2" -H "Authorization: Bearer $admin" \
    ${3:+-H 'Content-Type: application/json' --data-binary "$3"} -w '\n%{http_code}')"
  local code="${answer##*$'\n'}"; local body="${answer%$'\n'*}"
  if [ "$code" -ge 300 ]; then echo "taskledger: setting up the demo failed: $1 $2 -> $code $body" >&2; exit 1; fi
  printf '%s' "$body"
}
token() { api POST /tokens "{\"member\":\"$1\",\"name\":\"$2\"}" | jq -r .token; }

api POST /members '{"id":"lin","displayName":"Lin Developer","email":"lin@demo.example"}' >/dev/null
api POST /members '{"id":"audra","displayName":"Audra Auditor","email":"audra@demo.example","role":"auditor"}' >/dev/null
api POST /workflows '{"id":"delivery","name":"Delivery","definition":{"mode":"enforced","states":[
  {"id":"todo","name":"To do","category":"unstarted","position":0,"isInitial":true},
  {"id":"doing","name":"Doing","category":"started","position":1,"wipLimit":3},
  {"id":"review","name":"In review","category":"started","position":2},
  {"id":"done","name":"Done","category":"completed","position":3}],
  "transitions":[{"id":"start","from":"todo","to":"doing"},{"id":"submit","from":"doing","to":"review"},
  {"id":"back","from":"*","to":"todo"},
  {"id":"accept","from":"review","to":"done","approval":{"approverRoles":["project_manager"],"approverMembers":[],"mode":"any","selfApprovalAllowed":false}}]}}' >/dev/null
api POST /projects '{"id":"ops","key":"OPS","name":"Operations","workflow":{"id":"delivery","version":1},"wipEnforcement":"hard"}' >/dev/null
api POST /projects/ops/members '{"member":"lin","role":"member"}' >/dev/null
n=0
for title in "Renew the TLS certificates" "Rotate the database passwords" "Upgrade PostgreSQL to 16" \
             "Write the incident runbook" "Move backups off-site" "Tune the alert thresholds"; do
  n=$((n + 1))
  api POST /projects/ops/tasks "{\"id\":\"t$n\",\"title\":\"$title\",\"estimate\":\"$((n % 3 + 1))pt\",\"assignees\":[\"lin\"]}" >/dev/null
done
api POST /tasks/t1/moves '{"to":"doing"}' >/dev/null
api POST /tasks/t2/moves '{"to":"doing"}' >/dev/null
api POST /tasks/t2/moves '{"to":"review"}' >/dev/null
api POST /tasks/t1/comments '{"body":"Staging first, then production on Thursday."}' >/dev/null
lin="$(token lin "Lin's laptop")"
auditor="$(token audra "audit 2026")"
kill $server; wait $server 2>/dev/null || true; trap - EXIT

cat <<TEXT
taskledger: workspace $workspace created in $data, serving on $url
  admin token   (ada, shown once): $admin
  member token  (lin, shown once): $lin
  auditor token (audra, shown once): $auditor

  # read the board
  curl -s $url/v1/workspaces/$workspace/projects/ops/board -H "Authorization: Bearer $lin" | jq -c '.rows[] | {name, count, wip_limit}'
  # move a task; its answer's "position" can go to any read as ?minPosition= to see the move
  curl -s -X POST $url/v1/workspaces/$workspace/tasks/t3/moves -H "Authorization: Bearer $lin" -H 'Content-Type: application/json' -d '{"to":"doing"}'
  # subscribe to every event, live (Server-Sent Events; resume with -H 'Last-Event-ID: N')
  curl -sN $url/v1/workspaces/$workspace/events -H "Authorization: Bearer $auditor" -H 'Accept: text/event-stream'
TEXT
serve
