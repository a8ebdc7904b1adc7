import ArgumentParser
import EventLog
import Logging
import ProjectionEngine

/// Where the definitions are; every `projections` command takes it.
struct ProjectionsOptions: ParsableArguments {
    @Option(name: .customLong("projections"), help: "The directory of projection definitions (*.sql).")
    var directory = "Projections"

    /// Loads the definitions; files that fail are reported on stderr, one line each, and left out.
    func load(quiet: Bool = false) throws -> DefinitionLoader.Loaded {
        // Loading prepares statements in SQLite, which must not be initialised before this.
        SQLiteSetup.disableMemoryStatistics()
        let loaded: DefinitionLoader.Loaded
        do { loaded = try DefinitionLoader.load(directory: directory) } catch { throw fail(error) }
        if !quiet {
            for error in loaded.errors { StandardError.write("taskledger: warning: invalid-definition: \(error.description.replacingNewlines())\n") }
        }
        return loaded
    }

    /// The definition of `name`, or the exit for a missing or invalid one.
    func definition(_ name: String) throws -> ProjectionDefinition {
        let loaded = try load(quiet: true)
        if let definition = loaded.definitions.first(where: { $0.name == name }) { return definition }
        if let error = loaded.errors.first(where: { $0.file.hasSuffix("/\(name).sql") || $0.file == "\(name).sql" }) {
            throw fail(ProjectionError.definition(error))
        }
        throw fail(ProjectionError.unknownProjection(name))
    }
}

extension GlobalOptions {
    /// Opens the workspace's log (which must exist) for reading projections.
    func openLog() throws -> EventLog {
        // Before the log's index opens SQLite: afterwards the setting cannot change.
        SQLiteSetup.disableMemoryStatistics()
        do {
            return try EventLog.open(dataDirectory: dataDirectory, workspace: workspace, options: logOptions(create: false))
        } catch {
            throw fail(error)
        }
    }

    func engineOptions() -> ProjectionEngineOptions {
        var options = ProjectionEngineOptions()
        var logger = Logger(label: "taskledger.projections") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .warning
        options.logger = logger
        return options
    }
}

/// Maps a projection error to its one-line message and exit code.
func fail(_ error: ProjectionError) -> ExitCode {
    let status: Int32 =
        switch error {
        case .definition: ExitStatus.invalidDefinition
        case .failed: ExitStatus.projectionFailed
        case .unknownProjection, .unknownQuery, .invalidParameter, .missingParameter, .invalidCursor, .positionBeyondHead: ExitStatus.badInput
        case .log(let logError): fail(logError).rawValue
        default: ExitStatus.failure
        }
    return fail("\(error.code): \(error.description)", status: status)
}

/// The exit statuses the `projections` commands add (docs/cli.md).
extension ExitStatus {
    /// A definition file did not load (unknown directive, SQL that does not prepare, …).
    static let invalidDefinition: Int32 = 5
    /// A projection stopped on a failing statement.
    static let projectionFailed: Int32 = 6
}
