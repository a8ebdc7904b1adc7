#!/usr/bin/env bash
# Property-based API tests: schemathesis generates requests from the OpenAPI document
# (Sources/APIServer/OpenAPI/openapi.json) and checks a live `taskledger serve` against it — no 5xx,
# every status, content type and body as documented.
#
#   scripts/schemathesis.sh path/to/taskledger        (builds nothing; `make schemathesis` builds first)
#
# It makes a temporary data directory with workspace `acme`, a workflow, a project and tasks (so the
# generated requests have something to hit), serves it on a free loopback port, installs schemathesis
# in a venv under the temporary directory and runs it. Exits non-zero on any failure.
# MAX_EXAMPLES (default 60: 1-2 minutes here) bounds the cases per operation; SEED makes a run reproducible.
set -euo pipefail

SCHEMATHESIS_VERSION=4.32.5
MAX_EXAMPLES=${MAX_EXAMPLES:-60}

[ $# -eq 1 ] && [ -x "$1" ] || {
    echo "usage: $0 path/to/taskledger" >&2
    exit 2
}
binary=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$(cd "$(dirname "$0")/.." && pwd)
document="$root/Sources/APIServer/OpenAPI/openapi.json"
work=$(mktemp -d)
server=""
cleanup() {
    if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then kill -KILL "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

echo "== workspace acme in $work/data"
token=$("$binary" init --data "$work/data" --workspace acme | grep -o 'tl_[A-Za-z0-9_.-]*' | head -1)
[ -n "$token" ] || { echo "taskledger init printed no token" >&2; exit 1; }

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
# A high per-token rate: the run comes from one token, and 429s would only hide the routes behind them
# (the rate limit itself is covered by the route tests).
"$binary" serve --data "$work/data" --port "$port" --projections "$root/Projections" --log-level warning --token-rate 100000 \
    2>"$work/server.log" &
server=$!
for _ in $(seq 100); do
    curl -fs "$base/healthz" >/dev/null 2>&1 && break
    sleep 0.1
done
curl -fs "$base/healthz" >/dev/null || { echo "the server did not start:" >&2; cat "$work/server.log" >&2; exit 1; }
# Ready once it has opened its workspaces (until then /readyz answers 503 `opening`, a 5xx to schemathesis).
for _ in $(seq 1 300); do
    curl -fs "$base/readyz" >/dev/null 2>&1 && break
    sleep 0.1
done
curl -fs "$base/readyz" >/dev/null || { echo "the server did not get ready:" >&2; cat "$work/server.log" >&2; exit 1; }

# Fixtures named as the document's examples (ws acme, project p1, task t1, member dev, workflow wf,
# comment c1, label bug, sprint m1, document d1).
post() {
    local status
    status=$(curl -s -o "$work/answer" -w '%{http_code}' -X POST -H "Authorization: Bearer $token" \
        -H "Content-Type: ${3:-application/json}" --data-binary "$2" "$base/v1/workspaces/acme$1")
    case "$status" in 2??) ;; *)
        echo "fixture $1 answered $status: $(cat "$work/answer")" >&2
        exit 1
        ;;
    esac
}
echo "== fixtures"
post /workflows '{"id":"wf","name":"Board","definition":{"mode":"open","states":[
  {"id":"todo","name":"To do","category":"unstarted","position":0,"isInitial":true},
  {"id":"doing","name":"Doing","category":"started","position":1,"wipLimit":5},
  {"id":"review","name":"Review","category":"started","position":2},
  {"id":"done","name":"Done","category":"completed","position":3}],
  "transitions":[{"id":"accept","from":"review","to":"done","approval":
    {"approverRoles":["project_manager"],"approverMembers":[],"mode":"any","selfApprovalAllowed":false}}]}}'
post /members '{"id":"dev","displayName":"Dev","email":"dev@acme.test"}'
post /projects '{"id":"p1","key":"OPS","name":"Operations","workflow":{"id":"wf","version":1}}'
post /projects/p1/members '{"member":"dev","role":"member"}'
post /projects/p1/tasks '{"id":"t1","title":"Rotate the keys","assignees":["dev"],"estimate":"3pt"}'
post /projects/p1/tasks '{"id":"t2","title":"Renew the certificate"}'
post /tasks/t2/moves '{"to":"review"}'
post /tasks/t2/moves '{"to":"done"}'
post /tasks/t1/comments '{"id":"c1","body":"On it"}'
post /projects/p1/labels '{"name":"bug","color":"#d73a4a"}'
post /projects/p1/milestones '{"id":"m1","kind":"sprint","name":"Sprint 1"}'
post '/projects/p1/documents?id=d1&title=Notes&fileName=notes.txt&task=t1' 'the notes' text/plain

echo "== schemathesis $SCHEMATHESIS_VERSION"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"

# Every generated request goes to workspace acme: another workspace is a 404 for this token (tested by
# the route tests), and would hide every route behind it. Half the other ids are the fixtures', so
# requests reach real tasks, projects, comments, … and not only 404s. Never the admin: removing or
# demoting it (or revoking its token) would turn the rest of the run into 401s and 403s.
cat >"$work/schemathesis.toml" <<'EOF'
[parameters]
"path.ws" = "acme"
"path.project" = { dictionary = "projects", probability = 0.5 }
"path.task" = { dictionary = "tasks", probability = 0.5 }
"path.member" = { dictionary = "members", probability = 0.5 }
"path.comment" = { dictionary = "comments", probability = 0.5 }
"path.milestone" = { dictionary = "milestones", probability = 0.5 }
"path.document" = { dictionary = "documents", probability = 0.5 }
"path.workflow" = { dictionary = "workflows", probability = 0.5 }
"path.label" = { dictionary = "labels", probability = 0.5 }

[dictionaries]
projects = { values = ["p1"] }
tasks = { values = ["t1", "t2"] }
members = { values = ["dev"] }
comments = { values = ["c1"] }
milestones = { values = ["m1"] }
documents = { values = ["d1"] }
workflows = { values = ["wf"] }
labels = { values = ["bug"] }
EOF
# `wait` holds an NDJSON read up to 30 s when the log has nothing at `from` yet, and `minPosition` holds
# a read up to 5 s when the read model is not there yet: correct, but a run of such requests would take
# hours, so generated waits are capped at a fraction of a second and positions at one the log has.
cat >"$work/hooks.py" <<'EOF'
import schemathesis


def cap(query, name, limit, kind):
    try:
        if kind(query[name]) > limit:
            query[name] = limit
    except (KeyError, TypeError, ValueError, OverflowError):
        pass


@schemathesis.hook
def map_query(context, query):
    if query:
        cap(query, "wait", 0.2, float)
        cap(query, "minPosition", 1, int)
    return query
EOF

# No 5xx; every status, content type, body and header as documented; a method a path does not have is
# 405 with the right Allow.
checks=not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance
checks+=,response_headers_conformance,unsupported_method,allow_header_conformance
status=0
(cd "$work" && PYTHONPATH="$work" SCHEMATHESIS_HOOKS=hooks "$work/venv/bin/schemathesis" --config-file "$work/schemathesis.toml" \
    run "$document" --url "$base" -H "Authorization: Bearer $token" \
    --checks "$checks" \
    --max-examples "$MAX_EXAMPLES" --request-timeout 10 --no-color ${SEED:+--seed "$SEED"}) || status=$?

kill -TERM "$server"
wait "$server" || { echo "taskledger serve exited $? after SIGTERM" >&2; status=1; }
server=""
if [ "$status" -ne 0 ]; then
    echo "== server log (warnings and errors)"
    tail -n 50 "$work/server.log"
fi
exit "$status"
