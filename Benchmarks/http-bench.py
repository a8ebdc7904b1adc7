#!/usr/bin/env python3
"""The HTTP benchmarks of `make bench`, Taskledger and its peers side by side, in one run.

  a. board reads: wrk against GET /v1/workspaces/bench/projects/ops/board (bearer token) vs nginx serving
     a static file of the same byte size; same wrk settings, interleaved repeats;
  b. durable commands: wrk POSTing task moves (32 connections) vs Redis XADD with appendfsync always
     (redis-benchmark, 32 clients) vs PostgreSQL pgbench inserting an event row (32 clients,
     synchronous_commit on);
  c. live subscriptions: 1,000 SSE subscribers while comments are appended at 1,000/s (SSEBenchmark);
  and for a and b the framework's floor: HummingbirdBaseline, Hummingbird 2 answering the same board bytes
  (GET) and a move-sized answer to any POST with no work of its own, under the same wrk runs.

Every peer is started from Debian's packages on loopback, on a free port, in a scratch directory, and
stopped by its pid when the run ends (normally, on an error, or on SIGINT/SIGTERM). Writes the figures
to --json; render-results.py turns them into RESULTS.md's HTTP section and chart.

  http-bench.py --taskledger BIN --sse BIN --hummingbird BIN --projections DIR --scratch DIR --json OUT
                [--repeats 3] [--seconds 5] [--sse-seconds 5] [--tasks 10000]
"""

import argparse
import concurrent.futures
import glob
import http.client
import json
import os
import pwd
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
WORKSPACE = "bench"
CONNECTIONS = 32  # the command comparison's clients (issue 5: 32 connections)
READ_THREADS, READ_CONNECTIONS = 2, 64  # wrk for reads, every system (issue 5: 64 connections)
# A move's payload in the peers: about what a stored TaskMoved event holds (~450 bytes of JSON).
EVENT_JSON = json.dumps({
    "specversion": "1.0", "type": "TaskMoved", "source": "bench", "subject": "task-t1", "datacontenttype": "application/json",
    "data": {"taskID": "t1", "from": "todo", "to": "doing", "fromCategory": "unstarted", "toCategory": "started",
             "fromName": "To do", "toName": "Doing", "rank": "m", "transition": "start"},
    "actor": {"kind": "user", "member": "admin", "token": "k-0123456789ab"},
    "context": {"requestid": "01a21d1b-e95c-7f91-bb2d-712e2380d0bc", "origin": "api"},
}, separators=(",", ":"))

started = []  # (name, Popen or pid) of everything this run started, stopped in reverse order


def log(message):
    print(f"http-bench: {message}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {seconds} s")


def start(name, command, **options):
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=options.pop("stderr", subprocess.DEVNULL),
                               start_new_session=True, **options)
    started.append((name, process))
    return process


def stop_all():
    while started:
        name, process = started.pop()
        if isinstance(process, int):  # a daemon's pid (postgres), read from its pid file
            try:
                os.kill(process, signal.SIGTERM)
            except ProcessLookupError:
                pass
            continue
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def run(command, **options):
    answer = subprocess.run(command, capture_output=True, text=True, **options)
    if answer.returncode != 0:
        raise RuntimeError(f"{' '.join(command)[:300]} exited {answer.returncode}: {answer.stderr[-2000:]}")
    return answer


# MARK: Taskledger


class Client:
    """A keep-alive HTTP client for the setup requests (fails loudly on an error answer)."""

    def __init__(self, port, token):
        self.connection = http.client.HTTPConnection("127.0.0.1", port)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def call(self, method, path, body=None):
        self.connection.request(method, f"/v1/workspaces/{WORKSPACE}{path}", body=json.dumps(body) if body is not None else None,
                                headers=self.headers)
        response = self.connection.getresponse()
        data = response.read()
        if response.status >= 300:
            raise RuntimeError(f"{method} {path} -> {response.status} {data[:300]!r}")
        return data


def start_taskledger(args, port):
    data = os.path.join(args.scratch, "taskledger")
    answer = run([args.taskledger, "init", "--data", data, "--workspace", WORKSPACE]).stdout
    token = re.search(r"tl_\S+", answer).group(0)
    # Request logging at warning: one JSON line per request on stderr is an operator's choice, and nginx
    # runs without an access log too. The token rate limit is lifted: one token drives the whole load.
    start("taskledger", [args.taskledger, "serve", "--data", data, "--port", str(port), "--projections", args.projections,
                         "--log-level", "warning", "--token-rate", "10000000", "--schedule-interval", "0"])
    wait_for_port(port)
    return token


def populate(port, token, tasks):
    """An open workflow (to do, doing, review, done; no WIP limits), project `ops`, `tasks` tasks spread
    over the columns with estimates and assignees, a few comments: a board worth reading, in seconds."""
    setup = Client(port, token)
    setup.call("POST", "/members", {"id": "lin", "displayName": "Lin Developer", "email": "lin@bench.example"})
    setup.call("POST", "/workflows", {"id": "delivery", "name": "Delivery", "definition": {"mode": "open", "states": [
        {"id": "todo", "name": "To do", "category": "unstarted", "position": 0, "isInitial": True},
        {"id": "doing", "name": "Doing", "category": "started", "position": 1},
        {"id": "review", "name": "In review", "category": "started", "position": 2},
        {"id": "done", "name": "Done", "category": "completed", "position": 3}], "transitions": []}})
    setup.call("POST", "/projects", {"id": "ops", "key": "OPS", "name": "Operations", "workflow": {"id": "delivery", "version": 1}})
    setup.call("POST", "/projects/ops/members", {"member": "lin", "role": "member"})

    def create(chunk):
        client = Client(port, token)
        for n in chunk:
            client.call("POST", "/projects/ops/tasks", {"id": f"t{n}", "title": f"Benchmark task {n}", "estimate": f"{n % 5 + 1}pt",
                                                        "priority": ["low", "medium", "high"][n % 3], "assignees": ["lin"] if n % 2 else []})
            # Spread the board: every 7th task in review, every 11th done, the rest to do (the moves
            # benchmark moves tasks between `todo` and `doing`, so those stay out of it).
            if n % 7 == 0:
                client.call("POST", f"/tasks/t{n}/moves", {"to": "review"})
            elif n % 11 == 0:
                client.call("POST", f"/tasks/t{n}/moves", {"to": "done"})
            if n % 50 == 0:
                client.call("POST", f"/tasks/t{n}/comments", {"body": "Checked on staging; production next."})

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(create, [range(i, tasks, 8) for i in range(8)]))
    movable = [f"t{n}" for n in range(tasks) if n % 7 != 0 and n % 11 != 0]
    return movable


def server_memory(port):
    """The Taskledger server's resident memory now and at its peak so far (/proc: VmRSS, VmHWM), in MiB:
    the issue asks that memory stay bounded while 1,000 subscribers follow. Also what its bounded caches
    hold now, by kind (/metrics: taskledger_cache_bytes), which is most of what grows while they fill."""
    pid = next(process.pid for name, process in started if name == "taskledger")
    fields = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = round(int(value.split()[0]) / 1024, 1)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/metrics")
    caches = {}
    for line in connection.getresponse().read().decode().splitlines():
        found = re.match(r'taskledger_cache_bytes\{.*cache="([a-z_]+)".*\} (\d+)$', line)
        if found:
            caches[found.group(1)] = caches.get(found.group(1), 0) + int(found.group(2))
    connection.close()
    return {"serverRssMiB": fields.get("VmRSS"), "serverPeakRssMiB": fields.get("VmHWM"),
            "serverCachesMiB": {name: round(value / 1048576, 1) for name, value in sorted(caches.items())}}


def wait_for_projections(port, token, seconds=120):
    """Waits until every read model has applied the log's head (lag 0), so that a phase measures the
    server at rest rather than the projections catching up on the previous phase's events; returns
    how long that took."""
    started = time.time()
    client = Client(port, token)
    while time.time() - started < seconds:
        status = json.loads(client.call("GET", "/projections"))["projections"]
        if all(p["lag"] == 0 for p in status):
            break
        time.sleep(0.25)
    return round(time.time() - started, 1)


def board_body(port, token):
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", f"/v1/workspaces/{WORKSPACE}/projects/ops/board?minPosition=1", headers={"Authorization": f"Bearer {token}"})
    response = connection.getresponse()
    body = response.read()
    assert response.status == 200, body
    return body


# MARK: Peers


def start_nginx(args, port, size):
    root = os.path.join(args.scratch, "nginx")
    os.makedirs(os.path.join(root, "www"), exist_ok=True)
    os.makedirs(os.path.join(root, "logs"), exist_ok=True)
    with open(os.path.join(root, "www", "board.json"), "wb") as file:
        file.write(b'{"rows":[' + b" " * (size - 11) + b"]}")
    # Workers as the invoking user (root here: a scratch directory under a private /tmp dir is not
    # readable by nobody); two workers on two cores; no access log (Taskledger logs requests at warning only).
    user = pwd.getpwuid(os.getuid()).pw_name
    config = f"""
{"user " + user + ";" if os.getuid() == 0 else ""}
worker_processes auto;
daemon off;
pid {root}/nginx.pid;
error_log {root}/logs/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    keepalive_requests 10000000;
    client_body_temp_path {root}/tmp_body;
    proxy_temp_path {root}/tmp_proxy;
    fastcgi_temp_path {root}/tmp_fastcgi;
    uwsgi_temp_path {root}/tmp_uwsgi;
    scgi_temp_path {root}/tmp_scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root}/www;
        default_type application/json;
    }}
}}
"""
    with open(os.path.join(root, "nginx.conf"), "w") as file:
        file.write(config)
    start("nginx", ["nginx", "-p", root, "-c", os.path.join(root, "nginx.conf")])
    wait_for_port(port)


def start_hummingbird(args, port, board):
    """The framework's floor: HummingbirdBaseline answering the board's bytes, on loopback."""
    body = os.path.join(args.scratch, "board.json")
    with open(body, "wb") as file:
        file.write(board)
    start("hummingbird", [args.hummingbird, "--port", str(port), "--body", body])
    wait_for_port(port)


def hummingbird_version():
    """The Hummingbird version SwiftPM resolved for the benchmarks (and so for Taskledger, built beside them)."""
    try:
        with open(os.path.join(HERE, "Package.resolved")) as file:
            pins = json.load(file)["pins"]
        return next(p["state"].get("version", "?") for p in pins if p["identity"] == "hummingbird")
    except (OSError, KeyError, StopIteration, ValueError):
        return "?"


def start_redis(args, port):
    directory = os.path.join(args.scratch, "redis")
    os.makedirs(directory, exist_ok=True)
    start("redis", ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", directory, "--appendonly", "yes",
                    "--appendfsync", "always", "--save", "", "--daemonize", "no", "--protected-mode", "no"])
    wait_for_port(port)


def start_postgres(args, port):
    """initdb + pg_ctl in the scratch directory, as the `postgres` user when run as root."""
    directory = os.path.join(args.scratch, "postgres")
    prefix = []
    if os.getuid() == 0:
        # The server refuses to run as root: the `postgres` user runs it, in a directory of its own
        # under /tmp (the scratch directory's parents are private to root).
        directory = tempfile.mkdtemp(prefix="taskledger-bench-postgres.")
        args.cleanup.append(directory)
        os.chmod(directory, 0o755)
        shutil.chown(directory, "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    os.makedirs(directory, exist_ok=True)
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
    data = os.path.join(directory, "data")
    run(prefix + [f"{binaries}/initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync"])
    options = (f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c synchronous_commit=on -c fsync=on "
               f"-c max_connections=100 -c shared_buffers=256MB")
    run(prefix + [f"{binaries}/pg_ctl", "-D", data, "-o", options, "-l", os.path.join(directory, "log"), "-w", "start"])
    with open(os.path.join(data, "postmaster.pid")) as file:
        started.append(("postgres", int(file.readline())))
    # A message-db-like table: global position, unique (stream, version), unique event id.
    schema = """
CREATE TABLE events (position bigserial PRIMARY KEY, id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
  stream text NOT NULL, version bigint NOT NULL, type text NOT NULL, data jsonb NOT NULL,
  at timestamptz NOT NULL DEFAULT now(), UNIQUE (stream, version));
"""
    run(prefix + [f"{binaries}/psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-q", "-c", schema])
    return prefix, binaries, directory


# MARK: Runs


def wrk(url, seconds, threads, connections, script, headers=()):
    """One wrk run; its Lua `done` prints the figures as JSON on the last line."""
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "-s", script]
    for header in headers:
        command += ["-H", header]
    output = run(command + [url]).stdout
    figures = json.loads(output.strip().splitlines()[-1])
    return figures


def redis_xadd(port, seconds, clients, rate_guess):
    """redis-benchmark XADD of one ~450-byte event per call, 32 clients, no pipelining. It runs a number
    of calls, not a duration: the count is `seconds` at the rate of the previous run (`rate_guess`)."""
    count = max(2_000, int(rate_guess * seconds))
    output = run(["redis-benchmark", "-p", str(port), "-c", str(clients), "-n", str(count),
                  "-r", "20000", "--csv", "XADD", "task-__rand_int__", "*", "data", EVENT_JSON]).stdout
    # The test's name holds the event's JSON, quotes unescaped: the figures are the last seven fields.
    rows = [line for line in output.strip().splitlines() if line.startswith('"XADD')]
    values = [float(value) for value in rows[-1].rstrip('"').rsplit('","', 7)[1:]]
    # "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
    return {"requestsPerSecond": values[0], "p50Ms": values[3], "p95Ms": values[4], "p99Ms": values[5], "maxMs": values[6],
            "errors": 0, "note": f"{count} calls"}


def pgbench(prefix, binaries, directory, port, seconds, clients, repeat):
    script = os.path.join(directory, "append.sql")
    escaped = EVENT_JSON.replace("'", "''")
    with open(script, "w") as file:
        # Each client appends to its own streams, so the expected-version read (max + 1) never races
        # another client; UNIQUE (stream, version) would refuse it if it did. (The event JSON holds no
        # `:name`: pgbench would read it as a variable.)
        file.write("\\set s random(1, 200)\n"
                   "INSERT INTO events (stream, version, type, data) SELECT 'task-' || :client_id || '-' || :s, "
                   "coalesce(max(version), 0) + 1, 'TaskMoved', "
                   f"'{escaped}'::jsonb FROM events WHERE stream = 'task-' || :client_id || '-' || :s;\n")
    os.chmod(script, 0o644)
    logs = os.path.join(directory, f"pglog{repeat}")
    os.makedirs(logs, exist_ok=True)
    if prefix:
        shutil.chown(logs, "postgres")
    output = run(prefix + [f"{binaries}/pgbench", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-n", "-M", "prepared",
                           "-c", str(clients), "-j", "2", "-T", str(seconds), "-f", script, "-l", f"--log-prefix={logs}/tx",
                           "postgres"], cwd=logs).stdout
    tps = float(re.search(r"tps = ([0-9.]+) \(without initial connection time\)", output).group(1))
    failed = int((re.search(r"number of failed transactions: (\d+)", output) or re.search(r"()", "0")).group(1) or 0)
    micros = []
    for path in glob.glob(os.path.join(logs, "tx*")):
        with open(path) as file:
            micros += [int(line.split()[2]) for line in file if line.strip()]
    micros.sort()
    return {"requestsPerSecond": tps, **percentiles_ms(micros), "errors": failed}


def percentiles_ms(micros):
    def at(fraction):
        return micros[min(len(micros) - 1, max(0, int(len(micros) * fraction + 0.999999) - 1))] / 1000 if micros else 0
    return {"p50Ms": at(0.50), "p95Ms": at(0.95), "p99Ms": at(0.99), "p999Ms": at(0.999), "maxMs": micros[-1] / 1000 if micros else 0}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--taskledger", required=True)
    parser.add_argument("--sse", required=True)
    parser.add_argument("--hummingbird", required=True, help="HummingbirdBaseline, the framework's floor")
    parser.add_argument("--projections", required=True)
    parser.add_argument("--scratch", required=True)
    parser.add_argument("--json", required=True)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--sse-seconds", type=float, default=5)
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--sse-rate", type=int, default=1000)
    parser.add_argument("--tasks", type=int, default=10000)
    args = parser.parse_args()
    args.scratch = os.path.abspath(args.scratch)
    args.cleanup = []
    os.makedirs(args.scratch, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    results = {"connections": CONNECTIONS, "readThreads": READ_THREADS, "readConnections": READ_CONNECTIONS, "seconds": args.seconds,
               "repeats": args.repeats, "tasks": args.tasks, "eventBytes": len(EVENT_JSON), "reads": [], "commands": [], "sse": []}
    try:
        ports = {name: free_port() for name in ["taskledger", "nginx", "redis", "postgres", "hummingbird"]}
        setup_started = time.time()
        token = start_taskledger(args, ports["taskledger"])
        movable = populate(ports["taskledger"], token, args.tasks)
        results["catchUpSeconds"] = {"setup": wait_for_projections(ports["taskledger"], token)}
        board = board_body(ports["taskledger"], token)
        results["setupSeconds"] = round(time.time() - setup_started, 1)
        results["boardBytes"] = len(board)
        results["movableTasks"] = len(movable)
        log(f"workspace ready in {results['setupSeconds']} s: {args.tasks} tasks, board answer {len(board)} bytes")
        start_nginx(args, ports["nginx"], len(board))
        start_hummingbird(args, ports["hummingbird"], board)
        start_redis(args, ports["redis"])
        prefix, binaries, pg_directory = start_postgres(args, ports["postgres"])
        with open(os.path.join(args.scratch, "tasks.txt"), "w") as file:
            file.write("\n".join(movable) + "\n")
        report = os.path.join(HERE, "wrk", "report.lua")
        moves = os.path.join(HERE, "wrk", "moves.lua")
        auth = f"Authorization: Bearer {token}"
        tl = f"http://127.0.0.1:{ports['taskledger']}"
        board_url = f"{tl}/v1/workspaces/{WORKSPACE}/projects/ops/board"
        static_url = f"http://127.0.0.1:{ports['nginx']}/board.json"
        floor = f"http://127.0.0.1:{ports['hummingbird']}"
        # Warm-up: every read path, one second each.
        wrk(board_url, 1, READ_THREADS, READ_CONNECTIONS, report, [auth])
        wrk(static_url, 1, READ_THREADS, READ_CONNECTIONS, report)
        wrk(f"{floor}/board", 1, READ_THREADS, READ_CONNECTIONS, report)
        for repeat in range(args.repeats):
            log(f"reads, repeat {repeat + 1}/{args.repeats}")
            results["reads"].append({"repeat": repeat, "system": "taskledger",
                                     **wrk(board_url, args.seconds, READ_THREADS, READ_CONNECTIONS, report, [auth])})
            results["reads"].append({"repeat": repeat, "system": "nginx",
                                     **wrk(static_url, args.seconds, READ_THREADS, READ_CONNECTIONS, report)})
            results["reads"].append({"repeat": repeat, "system": "hummingbird",
                                     **wrk(f"{floor}/board", args.seconds, READ_THREADS, READ_CONNECTIONS, report)})
        os.environ["TASKLEDGER_TASKS"] = os.path.join(args.scratch, "tasks.txt")
        os.environ["TASKLEDGER_WORKSPACE"] = WORKSPACE
        os.environ["TASKLEDGER_ROUNDS"] = str(args.repeats + 1)  # one slice more for the warm-up
        os.environ["TASKLEDGER_THREADS"] = "2"
        os.environ["TASKLEDGER_ROUND"] = str(args.repeats)
        wrk(tl, 1, 2, CONNECTIONS, moves, [auth, "Content-Type: application/json"])
        wrk(floor, 1, 2, CONNECTIONS, moves, ["Content-Type: application/json"])
        # Redis's warm-up also sizes its runs (redis-benchmark counts calls, not seconds).
        redis_rate = redis_xadd(ports["redis"], 1, CONNECTIONS, 5_000)["requestsPerSecond"]
        for repeat in range(args.repeats):
            log(f"commands, repeat {repeat + 1}/{args.repeats}")
            os.environ["TASKLEDGER_ROUND"] = str(repeat)
            results["commands"].append({"repeat": repeat, "system": "taskledger",
                                        **wrk(tl, args.seconds, 2, CONNECTIONS, moves, [auth, "Content-Type: application/json"])})
            redis = redis_xadd(ports["redis"], args.seconds, CONNECTIONS, redis_rate)
            redis_rate = redis["requestsPerSecond"]
            results["commands"].append({"repeat": repeat, "system": "redis", **redis})
            results["commands"].append({"repeat": repeat, "system": "postgres",
                                        **pgbench(prefix, binaries, pg_directory, ports["postgres"], args.seconds, CONNECTIONS, repeat)})
            results["commands"].append({"repeat": repeat, "system": "hummingbird",
                                        **wrk(floor, args.seconds, 2, CONNECTIONS, moves, ["Content-Type: application/json"])})
        results["catchUpSeconds"]["moves"] = wait_for_projections(ports["taskledger"], token, seconds=300)
        for repeat in range(args.repeats):
            log(f"SSE, repeat {repeat + 1}/{args.repeats}")
            answer = run([args.sse, "--port", str(ports["taskledger"]), "--workspace", WORKSPACE, "--token", token,
                          "--tasks", os.path.join(args.scratch, "tasks.txt"), "--subscribers", str(args.subscribers),
                          "--rate", str(args.sse_rate), "--seconds", str(args.sse_seconds)]).stdout
            results["sse"].append({"repeat": repeat, **json.loads(answer.strip().splitlines()[-1]), **server_memory(ports["taskledger"])})
        results["versions"] = {
            "nginx": run(["nginx", "-v"]).stderr.strip().split("/")[-1],
            "redis": run(["redis-server", "--version"]).stdout.split()[2].removeprefix("v="),
            "postgres": run([f"{binaries}/postgres", "--version"]).stdout.strip().split()[-1],
            # `wrk -v` prints its version and exits 1.
            "wrk": subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()[1],
            "hummingbird": hummingbird_version(),
        }
    finally:
        stop_all()
        for directory in args.cleanup:
            shutil.rmtree(directory, ignore_errors=True)
    with open(args.json, "w") as file:
        json.dump(results, file, indent=1)
        file.write("\n")


if __name__ == "__main__":
    main()
