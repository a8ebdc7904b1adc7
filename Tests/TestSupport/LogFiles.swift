public import EventLog
public import Foundation

/// Whole-file snapshots of a log directory, to build damaged states byte by byte.
public struct LogFiles {
    public var files: [String: Data]

    /// Reads every file of the log directory (segments, index, its WAL).
    public init(_ directory: String) throws {
        files = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name != "quarantine" && name != "LOCK" {
            files[name] = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))
        }
    }

    /// Replaces the directory's files with these.
    public func restore(to directory: String) throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name != "LOCK" {
            try? FileManager.default.removeItem(atPath: directory + "/" + name)
        }
        for (name, data) in files { try data.write(to: URL(fileURLWithPath: directory + "/" + name)) }
    }

    public var segmentNames: [String] { files.keys.filter { $0.hasPrefix("segment-") }.sorted() }
}

/// Batch summaries of a log, read offline.
public func batches(_ directory: TestDirectory, _ workspace: String = "acme") throws -> [BatchSummary] {
    var all: [BatchSummary] = []
    _ = try LogVerifier(dataDirectory: directory.path, workspace: workspace).inspect { all.append($0) }
    return all
}
