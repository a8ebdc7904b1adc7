import BenchmarkSupport
import EventLog
import Foundation
import ProjectionEngine

/// The projection benchmarks of the projections issue, on a 1M-event workspace generated through the
/// command service by the demo generator (`DemoGenerator`, as `taskledger demo generate`): a full rebuild of the six built-in projections against plain SQLite inserting the
/// same events (same run), board queries "as of" random positions, and the live lag at 1,000 events/s.
/// Markdown tables on stdout, progress on stderr, figures in `--json`.
let arguments = Arguments()
let (datasetDirectory, generatedSeconds, generatedBefore) = try await Workload.dataset(arguments)
let definitions = try Rebuild.definitions(arguments)
let parts = arguments.only.map { Set($0.split(separator: ",").map(String.init)) } ?? ["rebuild", "asof", "live"]
var figures: [String: Any] = [
    "events": arguments.events, "workspace": arguments.workspace, "days": arguments.days, "commandsPerBatch": arguments.commandsPerBatch,
    "seed": arguments.seed, "batch": arguments.batch, "generator": "DemoGenerator",
]
// How long `DemoGenerator` took to make the dataset: this run, or the run that made the cached copy.
figures["generatedSeconds"] = generatedSeconds
figures["generatedCached"] = generatedBefore
var tables: [String] = []

let log = try Workload.openLog(datasetDirectory, workspace: arguments.workspace, durability: .unsafeNoSync)
let head = log.head.position
say("dataset: \(head) events in \(datasetDirectory)")
figures["logEvents"] = head

func fmt(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }
func runs(_ values: [Double], _ digits: Int = 0) -> String { values.map { fmt($0, digits) }.joined(separator: ", ") }

var engine: ProjectionEngine?
let projectionsDirectory = arguments.directory + "/projections"
// `--only live` alone follows the projections an earlier run left in the scratch directory (built first if none).
if parts.contains("rebuild") || parts.contains("asof") {
    var rebuilds: [RebuildRun] = []
    var baselines: [RebuildRun] = []
    let repeats = parts.contains("rebuild") ? arguments.repeats : 1
    for index in 0..<repeats {
        if parts.contains("rebuild") {
            let baseline = try Rebuild.baseline(log: log, path: arguments.directory + "/baseline.sqlite", batch: arguments.batch)
            baselines.append(baseline)
            say("run \(index + 1): SQLite baseline \(Int(baseline.eventsPerSecond)) events/s, \(fmt(baseline.cpuMicrosPerEvent, 2)) µs CPU/event")
        }
        await engine?.stop()
        let (run, started) = try await Rebuild.run(log: log, directory: projectionsDirectory, definitions: definitions)
        engine = started
        rebuilds.append(run)
        say(
            "run \(index + 1): rebuild \(Int(run.eventsPerSecond)) events/s (\(fmt(run.seconds, 2)) s), \(fmt(run.cpuMicrosPerEvent, 2)) µs CPU/event"
        )
    }
    try? FileManager.default.removeItem(atPath: arguments.directory + "/baseline.sqlite")
    if parts.contains("rebuild") {
        let rate = median(rebuilds.map(\.eventsPerSecond))
        let baseRate = median(baselines.map(\.eventsPerSecond))
        let ratios = zip(rebuilds, baselines).map { $0.eventsPerSecond / $1.eventsPerSecond }
        figures["rebuildEventsPerSecond"] = rate
        figures["rebuildRuns"] = rebuilds.map(\.eventsPerSecond)
        figures["rebuildSeconds"] = median(rebuilds.map(\.seconds))
        figures["rebuildCpuMicrosPerEvent"] = median(rebuilds.map(\.cpuMicrosPerEvent))
        figures["baselineEventsPerSecond"] = baseRate
        figures["baselineRuns"] = baselines.map(\.eventsPerSecond)
        figures["baselineCpuMicrosPerEvent"] = median(baselines.map(\.cpuMicrosPerEvent))
        figures["rebuildToBaseline"] = median(ratios)
        tables.append(
            """
            ## Full rebuild of the six built-in projections (\(head) events)

            | system | events/s (median) | wall time | CPU per event (all threads) | runs, events/s |
            |---|---:|---:|---:|---|
            | Taskledger engine: board, task, task_history, audit, progress, activity from scratch | \(Int(rate)) | \(fmt(median(rebuilds.map(\.seconds)), 2)) s | \(fmt(median(rebuilds.map(\.cpuMicrosPerEvent)), 2)) µs | \(runs(rebuilds.map(\.eventsPerSecond))) |
            | SQLite baseline: the same events into one rowid table | \(Int(baseRate)) | \(fmt(median(baselines.map(\.seconds)), 2)) s | \(fmt(median(baselines.map(\.cpuMicrosPerEvent)), 2)) µs | \(runs(baselines.map(\.eventsPerSecond))) |
            | ratio engine / baseline (per run, median) | \(fmt(median(ratios), 3)) | | | \(runs(ratios, 3)) |

            Both read the events from the same log with `read(from:maxCount: \(arguments.batch))` and commit one transaction per \(arguments.batch) events. \
            The engine: `ProjectionEngine.start()` on an empty projection directory until `waitUntilCaughtUp` (each projection built into a fresh file: \
            journal in memory, `synchronous=OFF`, 64 MiB cache; then marked complete, renamed and switched to WAL; snapshots as each file's `-- snapshots:` directive says, else every 100,000 events). \
            The baseline: `journal_mode=MEMORY`, `synchronous=OFF`, 64 MiB cache, one prepared `INSERT` of (position, type, stream, data), no secondary index. \
            Runs interleaved (baseline, then engine).
            """)
    }
}

if parts.contains("asof"), let engine {
    let (latencies, cpu) = try AsOfQueries.run(engine: engine, head: head, queries: arguments.queries, seed: arguments.seed)
    figures["asOfP50Ms"] = latencies.percentile(50)
    figures["asOfP95Ms"] = latencies.percentile(95)
    figures["asOfP99Ms"] = latencies.percentile(99)
    figures["asOfMaxMs"] = latencies.max
    figures["asOfQueries"] = latencies.samples.count
    figures["asOfCpuP50Ms"] = cpu.percentile(50)
    figures["asOfCpuP99Ms"] = cpu.percentile(99)
    say(
        "as of: p50 \(fmt(latencies.percentile(50))) ms, p99 \(fmt(latencies.percentile(99))) ms; CPU p50 \(fmt(cpu.percentile(50))) ms, p99 \(fmt(cpu.percentile(99))) ms"
    )
    tables.append(
        """
        ## Board "as of" a random position of the \(head)-event workspace

        | queries | p50 | p95 | p99 | max | CPU p50 / p99 |
        |---:|---:|---:|---:|---:|---:|
        | \(latencies.samples.count) | \(fmt(latencies.percentile(50))) ms | \(fmt(latencies.percentile(95))) ms | \(fmt(latencies.percentile(99))) ms | \(fmt(latencies.max)) ms | \(fmt(cpu.percentile(50))) / \(fmt(cpu.percentile(99))) ms |

        `engine.query(projection: "board", query: "columns" | "column" (first page), asOf: .position(random))`, alternately, for a random project \
        and column, on the engine left live by the last rebuild (board.sql's snapshots: every 10,000 events, thinned to at most 128). Exact percentiles of all queries.
        """)
}
await engine?.stop()
await log.close()

if parts.contains("live") {
    // A copy of the dataset, so the appends do not change the cached log; the last rebuild's projections follow it.
    let liveDirectory = arguments.directory + "/live"
    try? FileManager.default.removeItem(atPath: liveDirectory)
    try FileManager.default.copyItem(atPath: datasetDirectory, toPath: liveDirectory)
    let liveLog = try Workload.openLog(liveDirectory, workspace: arguments.workspace, durability: .fsync)
    let liveEngine = ProjectionEngine(log: liveLog, dataDirectory: projectionsDirectory, definitions: definitions, options: Rebuild.options())
    let catchUpStarted = nanosNow()
    let catchUpCPU = processCPUNanos()
    try liveEngine.start()
    guard await liveEngine.waitUntilCaughtUp(timeout: .seconds(3_600)) else { fatalError("the live engine did not catch up") }
    say(
        "live engine ready in \(fmt(seconds(since: catchUpStarted), 1)) s, \(fmt(Double(processCPUNanos() - catchUpCPU) / 1e3 / Double(head), 2)) µs CPU per log event"
    )
    let live = try await LiveLag.appendRun(log: liveLog, engine: liveEngine, arguments: arguments)
    await liveEngine.stop()
    await liveLog.close()
    try? FileManager.default.removeItem(atPath: liveDirectory)
    // The projections now hold the appended events, which the cached dataset does not: a later live run
    // on them would find every append applied already (lag 0). Without them, it builds them first.
    try? FileManager.default.removeItem(atPath: projectionsDirectory)
    let eventsPerSecond = Double(live.appendedEvents) / live.seconds
    figures["liveLagP50Ms"] = live.lag.percentile(50)
    figures["liveLagP95Ms"] = live.lag.percentile(95)
    figures["liveLagP99Ms"] = live.lag.percentile(99)
    figures["liveLagMaxMs"] = live.lag.max
    figures["liveEventsPerSecond"] = eventsPerSecond
    figures["liveCommands"] = live.commands
    say("live: \(Int(eventsPerSecond)) events/s, lag p50 \(fmt(live.lag.percentile(50), 2)) ms, p99 \(fmt(live.lag.percentile(99), 2)) ms")
    tables.append(
        """
        ## Live lag: append → visible in the board, at \(Int(arguments.liveRate)) events/s for \(Int(arguments.liveSeconds)) s

        | events appended/s | appends | lag p50 | p95 | p99 | max | append ack p50 / p99 |
        |---:|---:|---:|---:|---:|---:|---:|
        | \(Int(eventsPerSecond)) | \(live.commands) | \(fmt(live.lag.percentile(50), 2)) ms | \(fmt(live.lag.percentile(95), 2)) ms | \(fmt(live.lag.percentile(99), 2)) ms | \(fmt(live.lag.max, 2)) ms | \(fmt(live.ackLatency.percentile(50), 2)) / \(fmt(live.ackLatency.percentile(99), 2)) ms |

        One event per append (copies, with new ids, of the workspace's latest TaskMoved, TaskEdited, TaskPriorityChanged and \
        TaskEstimateChanged events: real payloads and attributes) on a copy of the \(head)-event log, durable (`fdatasync` before the \
        acknowledgement), issued open-loop on a fixed schedule; all six projections follow the log. Lag = from the append's acknowledgement to `waitUntil(projection: "board", position: its last event)` returning \
        (woken by the board writer's commit; no polling). Exact percentiles over every accepted command.
        """)
}

print(tables.joined(separator: "\n\n"))
if let path = arguments.json {
    try JSONSerialization.data(withJSONObject: figures, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: path))
}
