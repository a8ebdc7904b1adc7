import BenchmarkSupport
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The auditor and operator toolkit on a large workspace, through the real `taskledger` binary (release):
/// full verify (events/s), incremental verify with nothing new, full backup, incremental backup with no
/// change, and restore including the rebuild of every built-in projection. Baselines from the same run:
/// `lz4 -dc` of every segment to /dev/null, and piped into `sha256sum` (the floor of reading,
/// decompressing and hashing the log) for verify; `cp -r` of the log directory for a full backup.
///
/// `OperationsBenchmark --taskledger BIN --data DIR --workspace W [--projections DIR] [--repeats R] [--scratch DIR] [--json FILE]`
/// The workspace is the projection benchmark's generated dataset (`make bench` makes it first).
struct Arguments {
    var taskledger = ""
    var data = ""
    var workspace = "bench"
    var projections = "../Projections"
    var repeats = 3
    var scratch = NSTemporaryDirectory() + "taskledger-operations-bench"
    var json: String?

    init() {
        let options = BenchmarkOptions(
            usage: "OperationsBenchmark --taskledger BIN --data DIR [--workspace W] [--projections DIR] [--repeats R] [--scratch DIR] [--json FILE]")
        for (name, value) in options {
            switch name {
            case "--taskledger": taskledger = value
            case "--data": data = value
            case "--workspace": workspace = value
            case "--projections": projections = value
            case "--repeats": repeats = options.number(value, for: name)
            case "--scratch": scratch = value
            case "--json": json = value
            default: options.unknown(name)
            }
        }
        guard !taskledger.isEmpty, !data.isEmpty else { options.fail("--taskledger BIN and --data DIR are required") }
    }
}

func say(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }

/// Runs a program to completion; returns its wall-clock seconds and stdout. Exits on failure.
@discardableResult
func timed(_ executable: String, _ arguments: [String], stdout: String? = nil) -> (seconds: Double, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    if let stdout {
        // open(2), not FileManager.createFile: that one writes atomically (a new file renamed over the
        // path), which would replace /dev/null with a regular file.
        let descriptor = open(stdout, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { fatalError("cannot open \(stdout)") }
        process.standardOutput = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    } else {
        process.standardOutput = pipe
    }
    let started = nanosNow()
    do { try process.run() } catch { fatalError("cannot run \(executable): \(error)") }
    let output = stdout == nil ? String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) : ""
    process.waitUntilExit()
    let seconds = Double(nanosNow() - started) / 1e9
    guard process.terminationStatus == 0 else { fatalError("\(executable) \(arguments.joined(separator: " ")) exited \(process.terminationStatus)") }
    return (seconds, output)
}

func which(_ program: String) -> String {
    for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
        let candidate = "\(directory)/\(program)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    fatalError("\(program) is not installed")
}

let arguments = Arguments()
let bin = arguments.taskledger
let fileManager = FileManager.default
try? fileManager.removeItem(atPath: arguments.scratch)
try fileManager.createDirectory(atPath: arguments.scratch, withIntermediateDirectories: true)
let workspaceDirectory = "\(arguments.data)/workspaces/\(arguments.workspace)"
let logDirectory = workspaceDirectory + "/log"
let segments = try fileManager.contentsOfDirectory(atPath: logDirectory).filter { $0.hasPrefix("segment-") }.sorted().map { logDirectory + "/" + $0 }
let common = ["--data", arguments.data, "--workspace", arguments.workspace]
// The projection benchmark's dataset has no projections of its own in the data directory's
// workspace; a verify state left by an earlier run would make "full" runs incremental: none is used.
try? fileManager.removeItem(atPath: workspaceDirectory + "/verify-state.json")

let report = timed(bin, ["verify", "--json", "--state", arguments.scratch + "/state.json"] + common)
let summary = try JSONSerialization.jsonObject(with: Data(report.output.utf8)) as! [String: Any]
let events = summary["events"] as! Int
let logBytes = segments.map { (try? fileManager.attributesOfItem(atPath: $0)[.size] as? Int) ?? 0 }.reduce(0, +)
say("workspace \(arguments.workspace): \(events) events, \(segments.count) segments, \(logBytes) bytes")

var figures: [String: Double] = [:]
@MainActor func measure(_ name: String, repeats: Int, setup: () -> Void = {}, _ body: () -> Double) {
    var runs: [Double] = []
    for _ in 0..<repeats {
        setup()
        runs.append(body())
    }
    figures[name] = median(runs)
    say("\(name): median \(String(format: "%.3f", median(runs))) s of \(runs.map { String(format: "%.3f", $0) })")
}

let lz4 = which("lz4")
let sha = which("sha256sum")
measure("verify_full", repeats: arguments.repeats) {
    timed(bin, ["verify", "--state", arguments.scratch + "/unused-state.json"] + common).seconds
}
measure("baseline_lz4_decompress", repeats: arguments.repeats) {
    timed(lz4, ["-dc", "-m"] + segments, stdout: "/dev/null").seconds
}
// The least work a verification can do: decompress every line and hash it all once (one stream, one core each).
measure("baseline_lz4_sha256sum", repeats: arguments.repeats) {
    timed("/bin/sh", ["-c", "\(lz4) -dc -m \"$@\" | \(sha) > /dev/null", "sh"] + segments).seconds
}
measure("verify_incremental_nothing_new", repeats: arguments.repeats) {
    timed(bin, ["verify", "--incremental", "--state", arguments.scratch + "/state.json"] + common).seconds
}
let backup = arguments.scratch + "/backup"
measure("backup_full", repeats: arguments.repeats, setup: { try? fileManager.removeItem(atPath: backup) }) {
    timed(bin, ["backup", "--to", backup] + common).seconds
}
measure("baseline_cp_r", repeats: arguments.repeats, setup: { try? fileManager.removeItem(atPath: arguments.scratch + "/copy") }) {
    timed(which("cp"), ["-r", logDirectory, arguments.scratch + "/copy"]).seconds
}
measure("backup_incremental_no_change", repeats: max(5, arguments.repeats)) {
    timed(bin, ["backup", "--to", backup] + common).seconds
}
let restored = arguments.scratch + "/restored"
var restoreParts: [String] = []
measure("restore_with_projections", repeats: 1, setup: { try? fileManager.removeItem(atPath: restored) }) {
    let run = timed(bin, ["restore", "--from", backup, "--data", restored, "--projections", arguments.projections])
    restoreParts = run.output.split(separator: "\n").map(String.init)
    return run.seconds
}
for line in restoreParts { say("  " + line) }
let projectionSeconds =
    restoreParts.compactMap { line -> Double? in
        guard line.hasPrefix("built "), let range = line.range(of: " projections in ") else { return nil }
        return Double(line[range.upperBound...].split(separator: " ").first ?? "")
    }.first ?? 0
figures["restore_projection_rebuild"] = projectionSeconds
figures["restore_log_only"] = figures["restore_with_projections"]! - projectionSeconds

let verifyRate = Double(events) / figures["verify_full"]!
print("| measurement | median | target |")
print("|---|---|---|")
print(
    "| verify, whole chain (\(events) events, \(segments.count) segments, \(logBytes / 1_048_576) MiB) | \(String(format: "%.2f", figures["verify_full"]!)) s = **\(Int(verifyRate)) events/s** | ≥ 1,000,000 events/s |"
)
print("| baseline: `lz4 -dc` of every segment | \(String(format: "%.2f", figures["baseline_lz4_decompress"]!)) s | |")
print("| baseline: `lz4 -dc` of every segment piped into `sha256sum` | \(String(format: "%.2f", figures["baseline_lz4_sha256sum"]!)) s | |")
print("| verify --incremental, nothing new | \(String(format: "%.3f", figures["verify_incremental_nothing_new"]!)) s | |")
print("| backup, full (copy + verify the copy) | \(String(format: "%.2f", figures["backup_full"]!)) s | |")
print("| baseline: `cp -r` of the log directory | \(String(format: "%.2f", figures["baseline_cp_r"]!)) s | |")
print("| backup, incremental, no change | **\(String(format: "%.3f", figures["backup_incremental_no_change"]!)) s** | < 1 s |")
print("| restore, log (verify + copy) | \(String(format: "%.2f", figures["restore_log_only"]!)) s | |")
print("| restore, projection rebuild (6 built-ins) | \(String(format: "%.2f", figures["restore_projection_rebuild"]!)) s | |")
print("| restore, total | **\(String(format: "%.2f", figures["restore_with_projections"]!)) s** | < 60 s |")
if let path = arguments.json {
    var object: [String: Any] = figures
    object["events"] = events
    object["segments"] = segments.count
    object["logBytes"] = logBytes
    object["verifyEventsPerSecond"] = verifyRate
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
    try data.write(to: URL(fileURLWithPath: path))
}
try? fileManager.removeItem(atPath: arguments.scratch)
