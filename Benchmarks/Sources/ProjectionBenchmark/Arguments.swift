import BenchmarkSupport
import Foundation

/// `ProjectionBenchmark [--events N] [--workspace NAME] [--days D] [--commands-per-batch K] [--repeats R] [--queries Q]
/// [--live-seconds S] [--live-rate E] [--dir DIR] [--projections DIR] [--json FILE] [--only rebuild|asof|live]`
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
        var iterator = CommandLine.arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            guard let value = iterator.next() else { fatalError("\(argument) needs a value") }
            switch argument {
            case "--events": events = Int(value)!
            case "--workspace": workspace = value
            case "--days": days = Int(value)!
            case "--commands-per-batch": commandsPerBatch = Int(value)!
            case "--repeats": repeats = Int(value)!
            case "--queries": queries = Int(value)!
            case "--live-seconds": liveSeconds = Double(value)!
            case "--live-rate": liveRate = Double(value)!
            case "--batch": batch = Int(value)!
            case "--engine-batch": Arguments.engineBatch = Int(value)!
            case "--dir": directory = value
            case "--projections": projections = value
            case "--json": json = value
            case "--only": only = value
            case "--select": select = value
            case "--seed": seed = UInt64(value)!
            default: fatalError("unknown argument \(argument)")
            }
        }
    }
}

func say(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }
func seconds(since start: UInt64) -> Double { Double(nanosNow() - start) / 1e9 }
