#!/usr/bin/env python3
"""The audit trail's `events` query, two versions side by side on one audit database: the first page and
the total of each filter, and whether both versions give the same answers.

The database is a built audit projection, e.g. the one ProjectionBenchmark leaves in its scratch
directory (`--dir D`: D/projections/workspaces/bench/projections/audit/<version>.sqlite, the demo
company's history). Each version is an audit.sql file; its `events` query is run as written, with
Python's sqlite3 (the same SQLite library the server links), read-only, and its total counted as the
engine counts it (the `-- total:` statement when the file has one and it answers a number, else the
query's rows).

  Benchmarks/audit-filters.py --database audit.sqlite --before old-audit.sql [--after Projections/audit.sql]
                              [--repeats 3] [--random 150] [--seed 1]

Cases are chosen from the data: a day and an hour a quarter into the trail, a type on that day, `to`
alone near the start, `from` alone on the last day, a day before the trail, a stream, an actor, each
stream prefix. `--random N` then compares N random filter combinations page by page (through the cursor,
three pages at most) and by total; any difference is printed and makes the exit status 1.
"""
import argparse
import random
import sqlite3
import statistics
import sys
import time
from datetime import datetime, timedelta

NAMES = ["actor", "type", "stream", "stream_prefix", "from", "to", "text", "match", "limit", "cursor_position"]


def events_query(path):
    """The `events` query of an audit.sql, from the `-- query: events(` line to the next query: its SQL,
    and its `-- total:` statement (None when the file has none)."""
    text = open(path).read()
    start = text.index("-- query: events(")
    end = text.index("-- query: ", start + 1)
    section, _, total = text[start:end].partition("\n-- total:\n")
    lines = [line for line in section.split("\n")
             if not line.startswith(("-- query", "-- description", "-- cursor"))]
    return Query("\n".join(lines).strip().rstrip(";"), total.strip().rstrip(";") or None)


class Query:
    def __init__(self, sql, total):
        self.sql, self.total = sql, total


class Trail:
    def __init__(self, path):
        self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        self.db.execute("PRAGMA cache_size=-65536")

    def run(self, query, parameters, count=False):
        """Rows (or the total, as `[(n,)]`) and the milliseconds they took. The total as the engine counts
        it: the `-- total:` statement's number, else (none, or NULL) the query's rows with no limit."""
        values = {name: parameters.get(name) for name in NAMES}
        started = time.perf_counter()
        if not count:
            rows = self.db.execute(query.sql, values).fetchall()
            return rows, (time.perf_counter() - started) * 1000
        values["limit"], values["cursor_position"] = -1, None
        rows = self.db.execute(query.total, values).fetchall() if query.total else [(None,)]
        if rows[0][0] is None:
            rows = self.db.execute("SELECT count(*) FROM (\n" + query.sql + "\n)", values).fetchall()
        return rows, (time.perf_counter() - started) * 1000

    def pages(self, query, parameters, pages=3):
        rows, cursor = [], None
        for _ in range(pages):
            page, _ = self.run(query, {**parameters, "cursor_position": cursor})
            rows += page
            if len(page) < parameters["limit"]:
                break
            cursor = page[-1][0]
        return rows


def cases(trail):
    db = trail.db
    oldest, newest, count = db.execute("SELECT min(at), max(at), count(*) FROM events").fetchone()
    first = datetime.fromisoformat(oldest[:10])
    last = datetime.fromisoformat(newest[:10])
    quarter = first + (last - first) / 4
    # A weekday with events, a quarter into the trail.
    while db.execute("SELECT count(*) FROM events WHERE at >= ? AND at < ?",
                     (quarter.strftime("%Y-%m-%d"), (quarter + timedelta(days=1)).strftime("%Y-%m-%d"))).fetchone()[0] == 0:
        quarter += timedelta(days=1)
    day, next_day = quarter.strftime("%Y-%m-%d"), (quarter + timedelta(days=1)).strftime("%Y-%m-%d")
    hour = quarter.strftime("%Y-%m-%d") + "T10:00:00.000000Z", quarter.strftime("%Y-%m-%d") + "T11:00:00.000000Z"
    stream = db.execute("SELECT stream FROM events WHERE position = ?", (count // 3,)).fetchone()[0]
    actor = db.execute("SELECT actor FROM events WHERE actor IS NOT NULL AND position >= ? LIMIT 1", (count // 2,)).fetchone()[0]
    listed = [
        ("none", {}),
        (f"stream {stream}", {"stream": stream}),
        (f"actor {actor}", {"actor": actor}),
        (f"actor {actor}, TaskMoved", {"actor": actor, "type": "TaskMoved"}),
        ("a common type (TaskMoved)", {"type": "TaskMoved"}),
        ("a rare type (AccessDenied)", {"type": "AccessDenied"}),
        ("two types (TaskMoved, CommentAdded)", {"type": "TaskMoved, CommentAdded"}),
        ("full text (`ship`)", {"text": "ship"}),
        (f"one day ({day})", {"from": day, "to": next_day}),
        ("an hour that day", {"from": hour[0], "to": hour[1]}),
        ("TaskMoved that day", {"type": "TaskMoved", "from": day, "to": next_day}),
        ("`to` alone, the fifth day", {"to": (first + timedelta(days=4)).strftime("%Y-%m-%d")}),
        ("`from` alone, the last day", {"from": newest[:10]}),
        ("a day before the trail", {"from": (first - timedelta(days=9)).strftime("%Y-%m-%d"),
                                    "to": (first - timedelta(days=8)).strftime("%Y-%m-%d")}),
    ]
    prefixes = db.execute(
        "SELECT substr(stream, 1, instr(stream, '-')) AS prefix, count(*) FROM events WHERE instr(stream, '-') > 0 "
        "GROUP BY prefix ORDER BY 2 DESC").fetchall()
    for prefix, events in prefixes:
        listed.append((f"prefix {prefix} ({events:,})", {"stream_prefix": prefix}))
    listed.append(("prefix project- and TaskMoved", {"stream_prefix": "project-", "type": "TaskMoved"}))
    return listed, (oldest, newest, count)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True)
    parser.add_argument("--before", required=True, help="the audit.sql to compare against")
    parser.add_argument("--after", default="Projections/audit.sql")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--random", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    trail = Trail(args.database)
    versions = {"before": events_query(args.before), "after": events_query(args.after)}
    listed, (oldest, newest, count) = cases(trail)
    # Every page of the table and its indexes read once, so that the first case does not pay for the
    # file coming into the OS's cache.
    trail.db.execute("SELECT sum(length(summary) + length(coalesce(changes, '')) + length(stream) + length(at)) FROM events").fetchone()
    for index in ("events_by_actor", "events_by_type", "events_by_stream", "events_by_at"):
        column = index.removeprefix("events_by_")
        trail.db.execute(f"SELECT count(*) FROM events INDEXED BY {index} WHERE {column} >= ''").fetchone()
    print(f"{count:,} events, {oldest} to {newest}; SQLite {sqlite3.sqlite_version}; median of {args.repeats}\n")
    print("| filter | rows | page before | page after | total before | total after |")
    print("|---|---:|---:|---:|---:|---:|")
    differences = 0
    for name, parameters in listed:
        parameters = {**parameters, "limit": 51}
        measured, totals = {}, {}
        # Interleaved: before, after, before, after, … (the machine is shared and noisy).
        for _ in range(args.repeats):
            for label, query in versions.items():
                page = trail.run(query, parameters)[1]
                (total,), took = trail.run(query, parameters, count=True)
                measured.setdefault(label, ([], []))
                measured[label][0].append(page)
                measured[label][1].append(took)
                totals[label] = total[0]
        if totals["before"] != totals["after"]:
            differences += 1
        cell = lambda label, which: f"{statistics.median(measured[label][which]):,.1f} ms"
        print(f"| {name} | {totals['after']:,} | {cell('before', 0)} | {cell('after', 0)} | {cell('before', 1)} | {cell('after', 1)} |")
    if args.random:
        generator = random.Random(args.seed)
        db = trail.db
        actors = [row[0] for row in db.execute("SELECT actor FROM events WHERE position % 997 = 0")]
        streams = [row[0] for row in db.execute("SELECT stream FROM events WHERE position % 991 = 0")]
        days = sorted({row[0][:10] for row in db.execute("SELECT at FROM events WHERE position % 1000 = 0")})
        prefixes = [row[0] for row in db.execute("SELECT DISTINCT substr(stream, 1, instr(stream, '-')) FROM events")] + ["task-t1"]
        for _ in range(args.random):
            parameters = {"limit": generator.choice([1, 5, 50, 200])}
            if generator.random() < 0.3: parameters["actor"] = generator.choice(actors)
            if generator.random() < 0.2: parameters["stream"] = generator.choice(streams)
            if generator.random() < 0.3: parameters["type"] = generator.choice(
                ["TaskMoved", "CommentAdded", "TaskMoved,TaskEdited", "TaskEdited, CommentAdded", "AccessDenied"])
            if generator.random() < 0.1: parameters["text"] = generator.choice(["ship", "review", "nothing-like-this"])
            if generator.random() < 0.2: parameters["stream_prefix"] = generator.choice(prefixes)
            if generator.random() < 0.7:
                low, high = sorted(generator.sample(days, 2))
                if generator.random() < 0.5: high = low + "T" + f"{generator.randrange(24):02}:00:00.000000Z"
                if generator.random() < 0.3: low = None
                elif generator.random() < 0.3: high = None
                parameters["from"], parameters["to"] = low, high
            before, after = trail.pages(versions["before"], parameters), trail.pages(versions["after"], parameters)
            total_before = trail.run(versions["before"], parameters, count=True)[0]
            total_after = trail.run(versions["after"], parameters, count=True)[0]
            if before != after or total_before != total_after:
                differences += 1
                print(f"DIFFERENT: {parameters}: {len(before)} / {len(after)} rows, totals {total_before} / {total_after}")
        print(f"\n{args.random} random filter combinations (seed {args.seed}), pages through the cursor and totals compared.")
    print(f"{differences} differences")
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
