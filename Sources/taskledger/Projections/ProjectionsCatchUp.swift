import ArgumentParser
import EventLog
import ProjectionEngine

/// `taskledger projections catch-up`: applies the log's new events to every projection and exits.
struct ProjectionsCatchUp: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catch-up",
        abstract: "Bring every projection up to the log's head (building missing or changed ones), then exit.",
        discussion: "Prints one status line per projection. Exit status 6 when a projection stopped on a failing statement."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var projections: ProjectionsOptions

    func run() async throws {
        let loaded = try projections.load()
        let log = try global.openLog()
        let engine = ProjectionEngine(log: log, dataDirectory: global.dataDirectory, definitions: loaded.definitions, options: global.engineOptions())
        var failure: ExitCode?
        do {
            try engine.start()
            _ = await engine.waitUntilCaughtUp(timeout: .seconds(86_400))
            let output = StandardOutput()
            for status in engine.status() {
                switch status.state {
                case .failed(let position, let message):
                    output.write("\(status.name): failed at \(position): \(message.replacingNewlines())\n")
                    failure = ExitCode(ExitStatus.projectionFailed)
                default:
                    output.write("\(status.name): live at \(status.checkpoint) (version \(status.servingVersion ?? "-"))\n")
                }
            }
            output.flush()
        } catch {
            failure = fail(error)
        }
        await engine.stop()
        await log.close()
        if let failure { throw failure }
    }
}
