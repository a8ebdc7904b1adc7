import APIServer
import ArgumentParser
import CommandService
import EventLog
import Foundation
import Logging
import ProjectionEngine

/// `taskledger serve`: the HTTP API over every workspace in the data directory.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the HTTP API (until SIGTERM or SIGINT, then shut down gracefully).")

    @Option(name: .customLong("data"), help: "The data directory.")
    var dataDirectory = "./taskledger-data"

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on.")
    var port = 8080

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    @Option(help: "Log format: json (one object per line) or text.")
    var logFormat = "json"

    @Option(help: "Largest request body in bytes.")
    var bodyLimit = 1 << 20

    @Option(help: "PEM certificate chain: serve HTTPS (with HSTS) when given with --tls-key.")
    var tlsCert: String?

    @Option(help: "PEM private key for --tls-cert.")
    var tlsKey: String?

    @Option(help: "Requests per second per API token (sustained; bursts of twice that).")
    var tokenRate = 200.0

    @Option(help: "The projection definitions (one .sql file each); every workspace's read models are built from them.")
    var projections = "Projections"

    @Option(help: "Seconds between scheduler runs (reminders, overdue tasks, approval expiry); 0 turns it off.")
    var scheduleInterval = 60.0

    @Option(help: "Seconds between signed checkpoints of every workspace whose head moved (one more at shutdown); 0: only on request.")
    var checkpointInterval = 300.0

    @Option(help: "The Ed25519 checkpoint key file (default: <data>/keys/checkpoint-ed25519.key; created, mode 0600, when missing).")
    var checkpointKey: String?

    @Flag(
        inversion: .prefixedNo,
        help:
            "Open every workspace as the server starts (/readyz answers 503 until done), so first requests do not wait for a log to be read and the scheduler runs in every workspace; with --no-open-at-start each opens on its first request."
    )
    var openAtStart = true

    @Option(help: "/readyz answers 503 while a read model is more than this many events behind its log (or not built yet).")
    var readyLagMax: UInt64 = 10_000

    @Option(help: "Seconds a read's query (its page and its total) may run before it is stopped with 503 query-timeout.")
    var querySecondsMax: Double = 10

    @Flag(
        inversion: .prefixedNo,
        help:
            "Answer reads whose answer is already computed on the connection's event loop (the same answers, less CPU); with --no-ready-reads every request goes through the router."
    )
    var readyReads = true

    mutating func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        guard ["json", "text"].contains(logFormat) else { throw ValidationError("--log-format must be json or text") }
        guard (1...65_535).contains(port) || port == 0 else { throw ValidationError("--port must be 0-65535") }
        guard bodyLimit >= 1_024 else { throw ValidationError("--body-limit must be at least 1024") }
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        guard tokenRate > 0 else { throw ValidationError("--token-rate must be positive") }
        guard scheduleInterval >= 0 else { throw ValidationError("--schedule-interval must be 0 or more") }
        guard checkpointInterval >= 0 else { throw ValidationError("--checkpoint-interval must be 0 or more") }
        guard querySecondsMax > 0, querySecondsMax <= 3_600 else { throw ValidationError("--query-seconds-max must be above 0 and at most 3600") }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        let json = logFormat == "json"
        var logger = Logger(label: "taskledger") { label in
            json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label) as any LogHandler
        }
        logger.logLevel = level
        var logOptions = EventLogOptions()
        logOptions.logger = logger
        var definitions: [ProjectionDefinition] = []
        if FileManager.default.fileExists(atPath: projections) {
            do {
                let loaded = try DefinitionLoader.load(directory: projections)
                definitions = loaded.definitions
                // A malformed file fails only itself: the others are served.
                for error in loaded.errors { logger.error("invalid projection definition", metadata: ["error": "\(error)"]) }
            } catch {
                throw fail("\(error.code): \(error.description)", status: ExitStatus.badInput)
            }
        } else {
            logger.warning("no projection definitions; reads are unavailable", metadata: ["directory": "\(projections)"])
        }
        var projectionOptions = ProjectionEngineOptions()
        projectionOptions.logger = logger
        projectionOptions.queryTimeSecondsMax = querySecondsMax
        let configuration = ServerConfiguration(
            dataDirectory: dataDirectory, host: host, port: port, bodyLimit: bodyLimit, logOptions: logOptions, tlsCertificate: tlsCert,
            tlsKey: tlsKey, tokenRequestsPerSecond: tokenRate, tokenRequestBurst: tokenRate * 2, projections: definitions,
            projectionOptions: projectionOptions)
        var settings = configuration
        settings.scheduleInterval = scheduleInterval > 0 ? .milliseconds(Int64(scheduleInterval * 1_000)) : nil
        settings.checkpointInterval = checkpointInterval > 0 ? .milliseconds(Int64(checkpointInterval * 1_000)) : nil
        settings.checkpointKeyPath = checkpointKey
        settings.openWorkspacesAtStart = openAtStart
        settings.readyLagMax = readyLagMax
        settings.readyReads = readyReads
        let server = TaskledgerServer(configuration: settings)
        logger.notice("taskledger serving", metadata: ["address": "\(host):\(port)", "data": "\(dataDirectory)"])
        try await server.run(logger: logger)
        logger.notice("taskledger stopped")
    }
}
