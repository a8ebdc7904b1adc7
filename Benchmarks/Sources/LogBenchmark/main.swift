import BenchmarkSupport
import EventLog
import Foundation

/// `LogBenchmark [--seconds S] [--repeats R] [--events N] [--concurrency 1,16,64] [--dir DIR] [--json FILE]`
///
/// Durable appends (Taskledger vs the SQLite baseline, same events, same concurrency, same run),
/// sequential read and decode, stored bytes per raw JSON byte, time to open, and verify speed.
/// Prints Markdown tables; `--json` also writes every figure for the chart.
struct Arguments {
    var seconds = 5.0
    var repeats = 3
    var events = 1_000_000
    var concurrency = [1, 16, 64]
    var directory = NSTemporaryDirectory() + "taskledger-bench"
    var json: String?
    /// Run only this system's appends (for profiling): "taskledger" or "sqlite".
    var only: String?

    init() {
        let options = BenchmarkOptions(
            usage:
                "LogBenchmark [--seconds S] [--repeats R] [--events N] [--concurrency 1,16,64] [--dir DIR] [--json FILE] [--only taskledger|sqlite]")
        for (name, value) in options {
            switch name {
            case "--seconds": seconds = options.number(value, for: name)
            case "--repeats": repeats = options.number(value, for: name)
            case "--events": events = options.number(value, for: name)
            case "--concurrency": concurrency = options.numbers(value, for: name)
            case "--dir": directory = value
            case "--json": json = value
            case "--only": only = value
            default: options.unknown(name)
            }
        }
    }
}

let arguments = Arguments()
let workload = Workload(streamCount: 20_000)
var figures: [String: Any] = [:]
func log(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }

// MARK: Durable appends, both systems, interleaved per repeat so drift hits both alike.
var appendRows: [[String: Any]] = []
print("## Durable appends (one event per append, waiting for the acknowledgement)\n")
print("| appenders | system | events/s (median) | runs | p50 µs | p95 µs | p99 µs | p99.9 µs | max µs | stored/raw |")
print("|---:|---|---:|---|---:|---:|---:|---:|---:|---:|")
for concurrency in arguments.concurrency {
    var runs: [String: [RunResult]] = [:]
    var ratios: [Double] = []
    for repeatIndex in 0..<arguments.repeats {
        let seed = UInt64(1_000 * concurrency + repeatIndex)
        let directory = arguments.directory + "/append-\(concurrency)"
        if arguments.only == "sqlite" {
            _ = runSQLiteAppends(
                path: arguments.directory + "/baseline.sqlite3", concurrency: concurrency, seconds: arguments.seconds, workload: workload, seed: seed)
            exit(0)
        }
        let ours = try await runLogAppends(
            directory: directory, concurrency: concurrency, seconds: arguments.seconds, workload: workload, seed: seed)
        if arguments.only == "taskledger" {
            log(
                "appenders \(concurrency) run \(repeatIndex + 1): taskledger \(Int(ours.eventsPerSecond))/s, p50 \(Int(ours.percentileMicros(50))) µs"
            )
            continue
        }
        let stats = try LogVerifier(dataDirectory: directory, workspace: "bench").inspect { _ in }
        ratios.append(stats.storedPerRawByte)
        let baseline = runSQLiteAppends(
            path: arguments.directory + "/baseline.sqlite3", concurrency: concurrency, seconds: arguments.seconds, workload: workload, seed: seed)
        runs["taskledger", default: []].append(ours)
        runs["sqlite", default: []].append(baseline)
        log("appenders \(concurrency) run \(repeatIndex + 1): taskledger \(Int(ours.eventsPerSecond))/s, sqlite \(Int(baseline.eventsPerSecond))/s")
    }
    if arguments.only != nil { continue }
    for system in ["taskledger", "sqlite"] {
        let results = runs[system]!
        let rates = results.map(\.eventsPerSecond)
        let middle = results.sorted { $0.eventsPerSecond < $1.eventsPerSecond }[results.count / 2]
        let ratio = system == "taskledger" ? format(median(ratios), 3) : "–"
        print(
            "| \(concurrency) | \(system) | \(format(median(rates))) | \(rates.map { format($0) }.joined(separator: ", ")) | \(format(middle.percentileMicros(50))) | \(format(middle.percentileMicros(95))) | \(format(middle.percentileMicros(99))) | \(format(middle.percentileMicros(99.9))) | \(format(Double(middle.latency.max) / 1000)) | \(ratio) |"
        )
        appendRows.append([
            "system": system, "concurrency": concurrency, "eventsPerSecond": median(rates), "runs": rates,
            "p50us": middle.percentileMicros(50), "p95us": middle.percentileMicros(95), "p99us": middle.percentileMicros(99),
            "p999us": middle.percentileMicros(99.9), "maxus": Double(middle.latency.max) / 1000,
        ])
    }
    let ratio = median(runs["taskledger"]!.map(\.eventsPerSecond)) / median(runs["sqlite"]!.map(\.eventsPerSecond))
    print("| \(concurrency) | **ratio** | **\(format(ratio, 1))×** | | | | | | | |")
    figures["appendRatio\(concurrency)"] = ratio
}
figures["appends"] = appendRows
if arguments.only != nil { exit(0) }

// MARK: A 1M-event workspace: read, compression, open, verify.
let datasetDirectory = arguments.directory + "/dataset"
log("building a \(arguments.events)-event workspace…")
let buildSeconds = try await buildDataset(directory: datasetDirectory, count: arguments.events, workload: workload, seed: 99)
let stats = try LogVerifier(dataDirectory: datasetDirectory, workspace: "bench").inspect { _ in }
var reads: [Double] = []
var opens: [Double] = []
var verifies: [Double] = []
for _ in 0..<arguments.repeats {
    reads.append(try await runSequentialRead(directory: datasetDirectory).eventsPerSecond)
    opens.append(try await runOpen(directory: datasetDirectory, dropIndex: false))
    verifies.append(try runVerify(directory: datasetDirectory).eventsPerSecond)
}
let rebuild = try await runOpen(directory: datasetDirectory, dropIndex: true)
print("\n## A \(stats.events)-event workspace (\(stats.batches) batches of 500-event appends, \(stats.segments) segments)\n")
print("| measure | median | runs |")
print("|---|---:|---|")
print("| sequential read, decoded into envelopes | \(format(median(reads))) events/s | \(reads.map { format($0) }.joined(separator: ", ")) |")
print("| stored bytes per raw JSON byte | \(format(stats.storedPerRawByte, 3)) | \(stats.storedBytes) / \(stats.rawBytes) bytes |")
print("| open (ready to append and read) | \(format(median(opens), 1)) ms | \(opens.map { format($0, 1) }.joined(separator: ", ")) |")
print("| open with the index deleted (full rebuild) | \(format(rebuild, 1)) ms | 1 run |")
print("| verify the whole chain, offline | \(format(median(verifies))) events/s | \(verifies.map { format($0) }.joined(separator: ", ")) |")
print("| build the dataset (500 events per append, 4 in flight) | \(format(Double(stats.events) / buildSeconds)) events/s | 1 run |")
figures["read"] = median(reads)
figures["storedPerRaw"] = stats.storedPerRawByte
figures["openMs"] = median(opens)
figures["rebuildMs"] = rebuild
figures["verify"] = median(verifies)

if let path = arguments.json {
    let data = try JSONSerialization.data(withJSONObject: figures, options: [.prettyPrinted, .sortedKeys])
    try data.write(to: URL(fileURLWithPath: path))
}
try? FileManager.default.removeItem(atPath: arguments.directory)
