import BenchmarkSupport
import DemoData
import EventLog
import Foundation
import Synchronization

/// The workspace the benchmark projects: the demo company's history, made by `DemoGenerator` — the
/// generator behind `taskledger demo generate` — through the real `CommandService` (load, decide,
/// append), so the log holds exactly the domain's events with their real payloads and metadata:
/// five projects under three workflows (one with approvals and a hard WIP limit), members of every
/// role, tasks moving through their states, comments, documents, sprints, reminders and refusals, with
/// a heavy tail of busy tasks (`docs/cli.md` describes it). Deterministic: the same events, seed and
/// name give the same log bytes, so a cached dataset is the one a new generation would make.
enum Workload {
    static func openLog(_ directory: String, workspace: String, durability: EventLogOptions.Durability) throws -> EventLog {
        var options = EventLogOptions()
        options.logger.logLevel = .error
        options.durability = durability
        return try EventLog.open(dataDirectory: directory, workspace: workspace, options: options)
    }

    /// The generated workspace in `<dir>/dataset`: cached when the marker of these settings is there,
    /// else generated anew. Returns the data directory and how long generating took (read back from the
    /// marker when cached, so a report can always say it).
    static func dataset(_ arguments: Arguments) async throws -> (directory: String, generatedSeconds: Double, cached: Bool) {
        let directory = arguments.directory + "/dataset"
        let configuration = DemoConfiguration(
            seed: arguments.seed, events: arguments.events, days: arguments.days, name: arguments.workspace,
            commandsPerBatch: arguments.commandsPerBatch)
        // The generator's settings, and a version to bump when the generator's output changes.
        let marker =
            "\(directory)/demo-v2-\(configuration.name)-\(configuration.events)-\(configuration.seed)-\(configuration.days)d-"
            + "\(configuration.commandsPerBatch)"
        if let recorded = try? String(contentsOfFile: marker, encoding: .utf8),
            let seconds = recorded.split(separator: " ").dropFirst().first.flatMap({ Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
        {
            return (directory, seconds, true)
        }
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let started = nanosNow()
        let reported = Mutex<UInt64>(0)
        let report = try await DemoGenerator.generate(dataDirectory: directory, configuration: configuration) { _, events in
            let due = reported.withLock { last in
                guard events >= last + 200_000 else { return false }
                last = events
                return true
            }
            if due { say("  generating: \(events) events, \(Int(Double(events) / seconds(since: started))) events/s") }
        }
        let elapsed = seconds(since: started)
        guard let workspace = report.workspaces.first else { fatalError("the generator made no workspace") }
        say(
            "generated \(workspace.events) events (\(workspace.tasks) tasks, \(workspace.commands) commands, \(workspace.refused) refused) "
                + "with DemoGenerator in \(String(format: "%.1f", elapsed)) s")
        _ = FileManager.default.createFile(atPath: marker, contents: Data("\(workspace.events) \(elapsed)\n".utf8))
        return (directory, elapsed, false)
    }
}
