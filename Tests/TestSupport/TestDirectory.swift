public import EventLog
public import Foundation

/// A fresh data directory under the system temp directory, removed when the test ends.
public final class TestDirectory: Sendable {
    public let path: String

    public init(_ name: String = #function) {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        path = NSTemporaryDirectory() + "taskledger-tests/\(safe)-\(UUID().uuidString.prefix(8))"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    public func logDirectory(_ workspace: String = "acme") -> String { path + "/workspaces/\(workspace)/log" }

    public func segments(_ workspace: String = "acme") -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: logDirectory(workspace))) ?? [])
            .filter { $0.hasPrefix("segment-") }.sorted().map { logDirectory(workspace) + "/" + $0 }
    }
}

/// Options for tests: small limits where a test needs them, and quiet logging.
public func testOptions(_ adjust: (inout EventLogOptions) -> Void = { _ in }) -> EventLogOptions {
    var options = EventLogOptions()
    options.logger.logLevel = .critical
    adjust(&options)
    return options
}

public func event(_ stream: String, _ type: String = "Happened", _ json: String = #"{"n":1}"#, id: EventID? = nil) -> ProposedEvent {
    ProposedEvent(id: id, stream: stream, type: type, json: json)
}

/// Appends one event per stream name, each as its own append.
@discardableResult
public func appendEach(_ log: EventLog, _ streams: [String]) async throws -> [AppendResult] {
    var results: [AppendResult] = []
    for stream in streams {
        results.append(try await log.append(AppendRequest(events: [event(stream, "Happened", #"{"stream":"\#(stream)"}"#)])))
    }
    return results
}

/// Runs a program and returns its exit status, stdout and stderr.
@discardableResult
public func run(_ executable: String, _ arguments: [String], stdin: Data? = nil) throws -> (status: Int32, stdout: Data, stderr: Data) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let out = Pipe()
    let err = Pipe()
    let input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(stdin) }
    try input.fileHandleForWriting.close()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, stdout, stderr)
}

/// The path of a program on PATH, or nil.
public func which(_ program: String) -> String? {
    for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
        let candidate = "\(directory)/\(program)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}
