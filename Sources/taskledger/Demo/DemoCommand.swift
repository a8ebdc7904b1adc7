import ArgumentParser
import DemoData
import EventLog

#if canImport(Glibc)
    import Glibc
#endif

/// `taskledger demo generate`: a believable company's history, deterministic from a seed.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Generate demo data.", subcommands: [DemoGenerate.self])
}

/// `taskledger demo generate --data DIR --seed S --events N --workspaces W [--days D] [--commands-per-batch K]`.
struct DemoGenerate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a simulated company's history through the command service, deterministically from a seed.",
        discussion: """
            Projects with different workflows (one with an approval step and a hard WIP limit), members with \
            every role, tasks moving through their states over DAYS of working hours, comments, documents, \
            milestones and sprints, reminders fired by the scheduler, rejected approvals and refused attempts \
            (AccessDenied). The same seed and settings give the same log bytes. The workspaces must not exist; \
            with W > 1 they are NAME-1 … NAME-W and are generated concurrently.
            """
    )

    @Option(name: .customLong("data"), help: "The data directory.")
    var dataDirectory = "./taskledger-data"
    @Option(help: "The seed: the same seed gives the same history, byte for byte.")
    var seed: UInt64 = 42
    @Option(help: "Events to write in all (split evenly over the workspaces).")
    var events = 20_000
    @Option(help: "How many workspaces.")
    var workspaces = 1
    @Option(help: "Calendar days of simulated history, from Monday 2026-06-01.")
    var days = 90
    @Option(help: "The workspace name (the prefix with more than one).")
    var name = "demo"
    @Flag(help: "fdatasync every batch (and every document) instead of one sync at the end.")
    var fsync = false
    @Option(help: "The most commands whose events share one batch of the log (1: a batch per command).")
    var commandsPerBatch = 256
    @Flag(help: "No progress lines on stderr.")
    var quiet = false

    func run() async throws {
        let configuration = DemoConfiguration(
            seed: seed, events: events, workspaces: workspaces, days: days, name: name, durability: fsync ? .fsync : .unsafeNoSync,
            commandsPerBatch: commandsPerBatch)
        let started = Timestamp.now()
        let quiet = quiet
        let report: DemoReport
        do {
            report = try await DemoGenerator.generate(dataDirectory: dataDirectory, configuration: configuration) { workspace, events in
                if !quiet { StandardError.write("taskledger: demo: \(workspace): \(events) events\n") }
            }
        } catch {
            throw fail("demo: \(error.description)", status: error.isBadInput ? ExitStatus.badInput : ExitStatus.failure)
        }
        let seconds = Double(Timestamp.now().unixMicros - started.unixMicros) / 1_000_000
        let output = StandardOutput()
        for workspace in report.workspaces {
            output.write(
                "\(workspace.name): \(workspace.events) events, \(workspace.tasks) tasks, \(workspace.commands) commands "
                    + "(\(workspace.refused) refused, \(workspace.accessDenied) AccessDenied), \(workspace.scheduleRuns) scheduler runs\n")
            let refusals = workspace.refusals.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.key) \($0.value)" }
            if !refusals.isEmpty { output.write("  refused: " + refusals.joined(separator: ", ") + "\n") }
        }
        let rate = seconds > 0 ? Int(Double(report.events) / seconds) : 0
        output.write(
            "generated \(report.events) events in \(report.workspaces.count) workspace(s) in \((seconds * 10).rounded() / 10) s (\(rate) events/s)\n")
        output.flush()
    }
}

extension DemoError {
    fileprivate var isBadInput: Bool {
        switch self {
        case .invalidConfiguration, .workspaceExists: true
        default: false
        }
    }
}
