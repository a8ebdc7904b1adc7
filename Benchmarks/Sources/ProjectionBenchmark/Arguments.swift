import BenchmarkSupport
import Foundation

/// `ProjectionBenchmark [--events N] [--workspace NAME] [--days D] [--commands-per-batch K] [--repeats R] [--queries Q]
/// [--live-seconds S] [--live-rate E] [--dir DIR] [--projections DIR] [--json FILE] [--only rebuild,asof,live]`
struct Arguments {
    /// Events the generated workspace holds (`DemoGenerator`, as `taskledger demo generate --events`).
    var events = 1_000_000
    /// The generated workspace's name (OperationsBenchmark's `--workspace`).
    var workspace = "bench"
    /// Days of simulated history (`--days` of `taskledger demo generate`).
    var days = 90
    /// Commands per batch of the generated log (`--commands-per-batch` of `taskledger demo generate`).
    var commandsPerBatch = 256
    var repeats = 3
    var queries = 50
    var liveSeconds = 20.0
    var liveRate = 1_000.0
    var batch = 1_000
    /// The engine's `batchEventsMax` (its default when nil).
    nonisolated(unsafe) static var engineBatch: Int?
    /// Scratch directory; the generated log is cached in `<dir>/dataset` between runs.
    var directory = NSTemporaryDirectory() + "taskledger-projection-bench"
    var projections: String = {
        for candidate in ["Projections", "../Projections"] where FileManager.default.fileExists(atPath: candidate + "/board.sql") {
            return candidate
        }
        return "Projections"
    }()
    var json: String?
    var only: String?
    /// Only these projections (comma-separated), e.g. to measure one alone.
    var select: String?
    var seed: UInt64 = 20_261_127

    init() {
        let options = BenchmarkOptions(
            usage: "ProjectionBenchmark [--events N] [--workspace NAME] [--days D] [--commands-per-batch K] [--repeats R] [--queries Q] "
                + "[--live-seconds S] [--live-rate E] [--batch B] [--engine-batch B] [--dir DIR] [--projections DIR] [--json FILE] "
                + "[--only rebuild,asof,live] [--select NAME,…] [--seed S]")
        for (name, value) in options {
            switch name {
            case "--events": events = options.number(value, for: name)
            case "--workspace": workspace = value
            case "--days": days = options.number(value, for: name)
            case "--commands-per-batch": commandsPerBatch = options.number(value, for: name)
            case "--repeats": repeats = options.number(value, for: name)
            case "--queries": queries = options.number(value, for: name)
            case "--live-seconds": liveSeconds = options.number(value, for: name)
            case "--live-rate": liveRate = options.number(value, for: name)
            case "--batch": batch = options.number(value, for: name)
            case "--engine-batch": Arguments.engineBatch = options.number(value, for: name) as Int
            case "--dir": directory = value
            case "--projections": projections = value
            case "--json": json = value
            case "--only":
                let parts = value.split(separator: ",")
                guard !parts.isEmpty, parts.allSatisfy({ ["rebuild", "asof", "live"].contains($0) }) else {
                    options.fail("--only takes rebuild, asof and/or live (comma-separated), not \"\(value)\"")
                }
                only = value
            case "--select": select = value
            case "--seed": seed = options.number(value, for: name)
            default: options.unknown(name)
            }
        }
    }
}

func say(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }
func seconds(since start: UInt64) -> Double { Double(nanosNow() - start) / 1e9 }
