import ArgumentParser
import EventLog
import Logging

/// Options every command that touches a workspace takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .customLong("data"), help: "The data directory.")
    var dataDirectory = "./taskledger-data"

    @Option(help: "The workspace (1-64 of a-z, 0-9, - and _).")
    var workspace: String

    @Option(help: "Log level for diagnostics on stderr: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "warning"

    func logOptions(create: Bool) -> EventLogOptions {
        var options = EventLogOptions()
        options.createIfMissing = create
        var logger = Logger(label: "taskledger") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .warning
        options.logger = logger
        return options
    }

    mutating func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }
}
