#!/usr/bin/env python3
"""Writes Benchmarks/RESULTS.md (to stdout) and an SVG chart from one benchmark run's recorded figures.

Nothing here is typed in by hand: every number comes from the run's JSON and Markdown tables, and the
machine description is read from the machine the run used.
"""
import argparse, json, os, platform, subprocess, time, datetime

def sh(command):
    try:
        return subprocess.run(command, shell=True, capture_output=True, text=True, timeout=30).stdout.strip()
    except Exception:
        return ""

def fsync_probe(directory):
    """Median latency of 4 KiB pwrite + fdatasync on a pre-allocated file in `directory` (200 runs)."""
    path = os.path.join(directory, "fsync-probe")
    os.makedirs(directory, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT)
    os.pwrite(fd, b"\0" * (1 << 20), 0); os.fsync(fd)
    samples = []
    for i in range(200):
        t = time.perf_counter(); os.pwrite(fd, b"x" * 4096, (i * 4096) % (1 << 20)); os.fdatasync(fd)
        samples.append(time.perf_counter() - t)
    os.close(fd); os.unlink(path)
    samples.sort()
    return samples[100] * 1e3, samples[198] * 1e3

def svg_panel(out, x0, title, rows, levels, value, label, peak, log_scale=False):
    """One bar panel at x offset x0: for each concurrency level, Taskledger and SQLite side by side."""
    import math
    systems = [("taskledger", "#2f6fdb"), ("sqlite", "#d9822b")]
    width, height, left, bottom, top = 430, 330, 60, 40, 40
    plot_w, plot_h = width - left - 10, height - bottom - top
    def scale(v):
        if log_scale:
            lo, hi = math.log10(10), math.log10(peak)
            return max(0.0, (math.log10(max(v, 10)) - lo) / (hi - lo))
        return v / peak
    out.append(f'<text x="{x0 + width/2}" y="22" text-anchor="middle" font-size="14">{title}</text>')
    ticks = [10, 100, 1000, 10000, 100000] if log_scale else [peak * i / 5 for i in range(6)]
    for t in ticks:
        if t > peak:
            continue
        y = top + plot_h - plot_h * scale(t)
        out.append(f'<line x1="{x0+left}" x2="{x0+width-10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{x0+left-6}" y="{y+4:.1f}" text-anchor="end">{label(t)}</text>')
    group_w = plot_w / len(levels)
    bar_w = group_w / 3
    for gi, level in enumerate(levels):
        for si, (system, colour) in enumerate(systems):
            row = next(r for r in rows if r["concurrency"] == level and r["system"] == system)
            h = plot_h * scale(value(row))
            x = x0 + left + gi * group_w + bar_w * (si + 0.5)
            y = top + plot_h - h
            out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w*0.9:.1f}" height="{h:.1f}" fill="{colour}"/>')
            out.append(f'<text x="{x+bar_w*0.45:.1f}" y="{y-4:.1f}" text-anchor="middle" font-size="11">{label(value(row))}</text>')
        out.append(f'<text x="{x0+left+gi*group_w+group_w/2:.1f}" y="{height-bottom+16}" text-anchor="middle">{level} appender{"s" if level > 1 else ""}</text>')

def svg_chart(figures, path):
    rows = figures["appends"]
    levels = sorted({r["concurrency"] for r in rows})
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="880" height="360" font-family="sans-serif" font-size="12">',
           '<rect width="880" height="360" fill="white"/>']
    svg_panel(out, 0, "Durable appends per second (median run)", rows, levels, lambda r: r["eventsPerSecond"],
              lambda v: f"{v/1000:.0f}k" if v >= 10000 else (f"{v/1000:.1f}k" if v >= 1000 else str(int(v))), max(r["eventsPerSecond"] for r in rows) * 1.15)
    svg_panel(out, 440, "p99 append latency, µs (log scale)", rows, levels, lambda r: r["p99us"],
              lambda v: f"{int(v):,}", max(r["p99us"] for r in rows) * 2, log_scale=True)
    out.append('<rect x="70" y="342" width="12" height="12" fill="#2f6fdb"/><text x="88" y="352">Taskledger: one pwrite + fdatasync per group-committed batch</text>')
    out.append('<rect x="500" y="342" width="12" height="12" fill="#d9822b"/><text x="518" y="352">SQLite: WAL, synchronous=FULL, txn per append</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--figures"); parser.add_argument("--tables"); parser.add_argument("--command")
    parser.add_argument("--scratch"); parser.add_argument("--chart")
    parser.add_argument("--command-figures"); parser.add_argument("--command-tables")
    parser.add_argument("--projection-figures"); parser.add_argument("--projection-tables"); parser.add_argument("--projection-command")
    a = parser.parse_args()
    figures = json.load(open(a.figures))
    tables = open(a.tables).read().strip()
    svg_chart(figures, a.chart)
    p50, p99 = fsync_probe(os.path.join(a.scratch, "probe"))
    cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip()
    memory = sh("free -h | awk '/Mem:/ {print $2}'")
    fs = sh(f"df -T {a.scratch} | awk 'NR==2 {{print $2\" on \"$1}}'")
    commit = sh("git rev-parse --short HEAD") + (" (with uncommitted changes)" if sh("git status --porcelain -- ../Sources ../Benchmarks/Sources/LogBenchmark ../Package.swift") else "")
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    swift = sh("swift --version 2>&1 | head -1")
    targets = [
        ("durable events/s, 64 appenders", "≥ 100,000", figures["appends"] and next(r["eventsPerSecond"] for r in figures["appends"] if r["system"] == "taskledger" and r["concurrency"] == 64), lambda v: v >= 100_000, lambda v: f"{int(v):,}"),
        ("ratio to SQLite, 64 appenders", "≥ 10×", figures.get("appendRatio64"), lambda v: v >= 10, lambda v: f"{v:.1f}×"),
        ("sequential read, decoded", "≥ 1,000,000 events/s", figures["read"], lambda v: v >= 1_000_000, lambda v: f"{int(v):,} events/s"),
        ("stored bytes per raw JSON byte", "≤ 0.45", figures["storedPerRaw"], lambda v: v <= 0.45, lambda v: f"{v:.3f}"),
        ("1M-event workspace ready", "< 1 s", figures["openMs"], lambda v: v < 1000, lambda v: f"{v:.0f} ms"),
    ]
    print("# Benchmark results\n")
    print("Generated by `make bench` (Benchmarks/run-log-bench.sh and render-results.py) from one run; do not edit by hand.\n")
    print(f"- **Date**: {now}  \n- **Commit**: {commit}  \n- **Command**: `{a.command}`  \n- **Toolchain**: {swift}, release build")
    print(f"- **Machine**: {sh('nproc')} cores ({cpu}), {memory} memory, {platform.system()} {platform.release()}; data on {fs}")
    print(f"- **Device flush time** (4 KiB pwrite + fdatasync, pre-allocated file, same directory, 200 runs): p50 {p50:.3f} ms, p99 {p99:.3f} ms")
    print("- **Durability, both systems**: an append returns only after its data is on stable storage. Taskledger: one `pwrite` and one `fdatasync` per group-committed batch. "
          "SQLite: WAL, `synchronous=FULL`, one transaction per append (expected-version read + insert), UNIQUE(stream, version), UNIQUE(event id), one shared connection.")
    print("- **Workload**: domain-shaped events (TaskMoved, TaskEdited, CommentAdded, TaskAssigned, TaskCreated; payloads ~150-300 bytes of JSON, "
          "~450-byte stored envelopes), 20,000 streams chosen Zipf-like (exponent 1.1), client-supplied UUIDv7 ids, expected version `any`; events are made before the timed run.")
    print("- **Shared, noisy machine**: each configuration runs REPEATS times, systems interleaved; the tables quote the median and list every run.\n")
    print("## Targets (issue: the event log)\n")
    print("| target | required | measured | |")
    print("|---|---|---|---|")
    for name, required, value, ok, fmt in targets:
        if value is None:
            continue
        print(f"| {name} | {required} | {fmt(value)} | {'met' if ok(value) else '**missed**'} |")
    print()
    print(f"![Durable appends per second](results/{os.path.basename(a.chart)})\n")
    print(tables)
    print("\nLatency columns are from the median run of each configuration (HDR histogram, 3 significant digits). "
          "`stored/raw` is the stored segment bytes per byte of JSON event lines for the log that run wrote: "
          "with one appender every batch holds one event and LZ4 has nothing to work with; with concurrent appenders the batches grow and compress well.")
    if a.command_figures:
        commands = json.load(open(a.command_figures))
        print("\n## Targets (issue: the workflow domain and the command service)\n")
        print("| target | required | measured | |")
        print("|---|---|---|---|")
        c = commands["commandsPerSecond"]; d = commands["decidePerSecond"]
        print(f"| commands/s through the service, {commands['clients']} clients, {commands['tasks']:,} tasks | ≥ 30,000 | {int(c):,} | {'met' if c >= 30000 else '**missed**'} |")
        print(f"| decide alone (no I/O) | ≥ 500,000/s | {int(d):,} | {'met' if d >= 500000 else '**missed**'} |")
        print()
        print(open(a.command_tables).read().strip())
        print("\nCommand: `Benchmarks/.build/release/CommandBenchmark --tasks 50000 --clients 16` with the same seconds and repeats. "
              "Every command is decided against state loaded from the log (or the service's cache) and appended durably; "
              "the 50,000 tasks are created through the service first.")

    if a.projection_figures:
        render_projections(json.load(open(a.projection_figures)), open(a.projection_tables).read().strip(), a.projection_command)

def render_projections(p, tables, command):
    """The projections issue's targets and the ProjectionBenchmark tables."""
    print("\n## Targets (issue: projections)\n")
    print("| target | required | measured | |")
    print("|---|---|---|---|")
    rows = [
        ("full rebuild of the six built-ins, 1M-event log", "≥ 150,000 events/s", p.get("rebuildEventsPerSecond"), lambda v: v >= 150_000,
         lambda v: f"{int(v):,} events/s ({p.get('rebuildCpuMicrosPerEvent', 0):.1f} µs CPU/event; SQLite baseline {int(p.get('baselineEventsPerSecond', 0)):,}/s, ratio {p.get('rebuildToBaseline', 0):.3f})"),
        ("board \"as of\" a random position, p50", "< 200 ms", p.get("asOfP50Ms"), lambda v: v < 200, lambda v: f"{v:.1f} ms (p99 {p.get('asOfP99Ms', 0):.1f} ms)"),
        ("live lag at 1,000 events/s, p99", "< 50 ms", p.get("liveLagP99Ms"), lambda v: v < 50, lambda v: f"{v:.2f} ms (p50 {p.get('liveLagP50Ms', 0):.2f} ms, {int(p.get('liveEventsPerSecond', 0)):,} events/s)"),
    ]
    for name, required, value, ok, fmt in rows:
        if value is None:
            continue
        print(f"| {name} | {required} | {fmt(value)} | {'met' if ok(value) else '**missed**'} |")
    print()
    generated = p.get("generatedSeconds")
    print(f"Data set: {p.get('logEvents', 0):,} events, {p.get('tasks', 0):,} tasks, seed {p.get('seed')}, made through the command service "
          + (f"in {generated:.0f} s this run" if generated else "(cached from an earlier run in the same scratch directory)")
          + ". Command: `" + (command or "") + "`.\n")
    print(tables)

main()
