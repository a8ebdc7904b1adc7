import EventLog
import Foundation
import TestSupport

/// The `taskledger` binary that `swift build` put next to the test bundle (or `TASKLEDGER_BIN`).
func taskledgerBinary() throws -> String {
    if let explicit = ProcessInfo.processInfo.environment["TASKLEDGER_BIN"] { return explicit }
    let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for candidate in [bundle, bundle.deletingLastPathComponent()] {
        let path = candidate.appendingPathComponent("taskledger").path
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    struct Missing: Error, CustomStringConvertible {
        var description: String { "taskledger binary not found next to the test bundle; run `swift build` first" }
    }
    throw Missing()
}

/// Runs `taskledger` with `arguments`; stdin is the given text.
func taskledger(_ arguments: [String], stdin: String = "") throws -> (status: Int32, stdout: String, stderr: String) {
    let result = try run(try taskledgerBinary(), arguments, stdin: Data(stdin.utf8))
    return (result.status, String(decoding: result.stdout, as: UTF8.self), String(decoding: result.stderr, as: UTF8.self))
}

extension String {
    var lines: [Substring] { split(separator: "\n") }
}

/// The stored size of a batch header (skippable-frame magic and size, then 140 bytes; docs/log-format.md).
enum BatchHeaderSize {
    static let bytes = 148
}
