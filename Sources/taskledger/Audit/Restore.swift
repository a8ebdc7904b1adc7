import ArgumentParser
import EventLog
import Foundation
import ProjectionEngine

/// `taskledger restore`: a backup into a data directory without that workspace, then the projections.
struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a workspace from a backup directory into a data directory, then rebuild its projections.",
        discussion: """
            Refuses a backup whose chain does not verify (exit 3) and a data directory that already holds the workspace (exit 2). \
            The workspace appears only when it is complete (it is staged, synced and renamed into place). Then the log's index and \
            every projection are built (--projections; --skip-projections leaves them to the server's first start).
            """
    )

    @Option(name: .customLong("from"), help: "The backup directory (made by `taskledger backup`).")
    var backup: String

    @Option(name: .customLong("data"), help: "The data directory to restore into.")
    var dataDirectory = "./taskledger-data"

    @OptionGroup var projections: ProjectionsOptions

    @Flag(help: "Do not build the projections now.")
    var skipProjections = false

    @Option(help: "Log level for diagnostics on stderr.")
    var logLevel = "warning"

    func run() async throws {
        let started = Date()
        let report: WorkspaceRestore.Report
        do {
            report = try WorkspaceRestore(backupDirectory: backup).run(into: dataDirectory)
        } catch {
            throw fail(error, context: "restore")
        }
        let output = StandardOutput()
        output.write(
            "restored \(report.workspace): \(report.events) events in \(report.segments) segments, \(report.documents) documents; "
                + "head position \(report.headPosition), head hash \(report.headHash)\n"
                + "verified the backup in \(String(format: "%.2f", report.verifySeconds)) s, copied in \(String(format: "%.2f", report.copySeconds)) s\n"
        )
        output.flush()
        guard !skipProjections else { return }
        var global = try GlobalOptions.parse(["--workspace", report.workspace, "--data", dataDirectory, "--log-level", logLevel])
        try global.validate()
        let loaded = try projections.load()
        let rebuildStarted = Date()
        let log = try global.openLog()
        let engine = ProjectionEngine(log: log, dataDirectory: dataDirectory, definitions: loaded.definitions, options: global.engineOptions())
        var failure: ExitCode?
        do {
            try engine.start()
            _ = await engine.waitUntilCaughtUp(timeout: .seconds(86_400))
            for status in engine.status() {
                if case .failed(let position, let message) = status.state {
                    output.write("\(status.name): failed at \(position): \(message.replacingNewlines())\n")
                    failure = ExitCode(ExitStatus.projectionFailed)
                }
            }
        } catch {
            failure = fail(error)
        }
        await engine.stop()
        await log.close()
        let rebuild = Date().timeIntervalSince(rebuildStarted)
        output.write(
            "built \(loaded.definitions.count) projections in \(String(format: "%.2f", rebuild)) s; restore done in \(String(format: "%.2f", Date().timeIntervalSince(started))) s\n"
        )
        output.flush()
        if let failure { throw failure }
    }
}
