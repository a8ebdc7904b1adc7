public import CommandService
public import EventLog
import Foundation
public import Logging
public import ProjectionEngine
import Synchronization

/// One workspace the server hosts: its log and its command service, opened on first use.
public final class HostedWorkspace: Sendable {
    public let name: String
    public let log: EventLog
    public let service: CommandService
    /// The workspace's read models, started when the workspace is opened (nil when the server has no
    /// projection definitions).
    let projections: ProjectionEngine?
    let authentications = AuthenticationCache()
    let idempotency = IdempotencyStore()
    /// The live tail's SSE frames, encoded once for every subscriber.
    let liveFrames: SSEFrameWindow
    private let dataDirectory: String

    init(name: String, log: EventLog, service: CommandService, projections: ProjectionEngine?, dataDirectory: String) {
        self.projections = projections
        self.name = name
        self.log = log
        liveFrames = SSEFrameWindow(log: log)
        self.service = service
        self.dataDirectory = dataDirectory
    }

    /// The projection engine, or 503 when the server runs without projection definitions.
    func projectionEngine() async throws -> ProjectionEngine {
        guard let projections else {
            throw Problem(.serviceUnavailable, code: "no-projections", detail: "this server was started without projection definitions")
        }
        return projections
    }

    /// The workspace's document store (`<data>/workspaces/<ws>/documents`).
    func documentStore() throws -> DocumentStore {
        do {
            return try DocumentStore(workspaceDirectory: dataDirectory + "/workspaces/" + name)
        } catch {
            throw Problem(.serviceUnavailable, code: error.code, detail: error.description)
        }
    }
}

/// The workspaces a server hosts, opened on first use and kept open until shutdown.
///
/// A workspace is a directory under `<data>/workspaces/` made by `taskledger init` (or the log tools);
/// the registry never creates one, so a typo in a URL or a token is a 404, not a new tenant. Opening
/// reads the whole log once (the command service's workspace index), so it happens once per process.
/// At most `openMax` are open at once; beyond that requests for others are refused with 503 rather than
/// exhausting file descriptors (each open log holds about a dozen).
public actor WorkspaceRegistry {
    public nonisolated let dataDirectory: String
    public nonisolated let openMax: Int
    private let options: EventLogOptions
    private let configuration: CommandService.Configuration
    private let definitions: [ProjectionDefinition]
    private let engineOptions: ProjectionEngineOptions
    private var open: [String: HostedWorkspace] = [:] {
        didSet { published.withLock { $0 = open } }
    }
    /// `open`, readable without a hop onto the actor: every request looks its workspace up, and once a
    /// workspace is open that needs no serialising.
    private nonisolated let published = Mutex<[String: HostedWorkspace]>([:])
    private var closed = false
    /// `openAll`'s progress while it runs (nil when it never ran).
    private nonisolated let opening = Mutex<OpeningProgress?>(nil)

    /// How far opening every workspace at start has got.
    public struct OpeningProgress: Sendable, Equatable {
        /// Workspaces tried so far (opened or failed), and how many there are to try.
        public var tried: Int
        public var total: Int
        public var isFinished: Bool
    }

    public init(
        dataDirectory: String, options: EventLogOptions = EventLogOptions(), configuration: CommandService.Configuration = .init(),
        definitions: [ProjectionDefinition] = [], engineOptions: ProjectionEngineOptions = ProjectionEngineOptions(), openMax: Int = 256
    ) {
        self.definitions = definitions
        self.engineOptions = engineOptions
        self.dataDirectory = dataDirectory
        self.options = options
        self.configuration = configuration
        self.openMax = openMax
    }

    /// The workspace `name` if it is open (no hop onto the actor).
    nonisolated func opened(_ name: String) -> HostedWorkspace? {
        published.withLock { $0[name] }
    }

    /// The workspace `name`, opened if needed; 404 when it does not exist.
    func workspace(_ name: String) async throws -> HostedWorkspace {
        if let hosted = open[name] { return hosted }
        guard !closed else { throw Problem(.serviceUnavailable, code: "shutting-down", detail: "the server is shutting down") }
        guard (try? EventLog.validateWorkspaceName(name)) != nil else { throw Problem.notFound("no workspace \"\(name)\"") }
        guard open.count < openMax else {
            throw Problem(
                .serviceUnavailable, code: "too-many-workspaces", detail: "this server keeps at most \(openMax) workspaces open",
                headers: [.retryAfter: "30"])
        }
        var options = self.options
        options.createIfMissing = false
        let log: EventLog
        do {
            log = try EventLog.open(dataDirectory: dataDirectory, workspace: name, options: options)
        } catch .workspaceNotFound {
            throw Problem.notFound("no workspace \"\(name)\"")
        } catch {
            throw Problem(.serviceUnavailable, code: error.code, detail: "workspace \"\(name)\" cannot be opened: \(error)")
        }
        let service: CommandService
        do {
            service = try CommandService(log: log, configuration: configuration)
        } catch {
            await log.close()
            throw Problem(.serviceUnavailable, code: error.code, detail: "workspace \"\(name)\" cannot be loaded: \(error)")
        }
        var projections: ProjectionEngine?
        if !definitions.isEmpty {
            let engine = ProjectionEngine(log: log, dataDirectory: dataDirectory, definitions: definitions, options: engineOptions)
            do {
                try engine.start()
            } catch {
                await log.close()
                throw Problem(.serviceUnavailable, code: error.code, detail: "the read models of \"\(name)\" cannot start: \(error)")
            }
            projections = engine
        }
        let hosted = HostedWorkspace(name: name, log: log, service: service, projections: projections, dataDirectory: dataDirectory)
        open[name] = hosted
        return hosted
    }

    /// The workspaces open now.
    var openWorkspaces: [HostedWorkspace] { Array(open.values) }

    /// `openAll`'s progress: nil when it has not been started, then until and after it finishes.
    public nonisolated var openingProgress: OpeningProgress? { opening.withLock { $0 } }

    /// Opens every workspace of the data directory, in name order, up to `openMax`: what a server does as
    /// it starts, so that reading each log (the command service's index, the read models' catch-up) is
    /// not paid by a first request, and so that the scheduler, which visits open workspaces, visits all
    /// of them. A workspace that cannot be opened is logged and skipped; its first request tries again
    /// and answers the error. Stops early when `shouldStop` says so (a shutdown) or the registry closes.
    public func openAll(logger: Logger, shouldStop: @Sendable () -> Bool = { false }) async {
        let names = Self.workspaceNames(in: dataDirectory)
        let tried = names.prefix(openMax)
        opening.withLock { $0 = OpeningProgress(tried: 0, total: tried.count, isFinished: false) }
        defer { opening.withLock { $0?.isFinished = true } }
        if names.count > openMax {
            logger.warning(
                "more workspaces than the server keeps open; the rest open on their first request",
                metadata: ["workspaces": "\(names.count)", "openMax": "\(openMax)"])
        }
        for name in tried {
            guard !closed, !shouldStop() else { return }
            let started = ContinuousClock.now
            do {
                let hosted = try await workspace(name)
                let seconds = String(format: "%.3f", (ContinuousClock.now - started) / .milliseconds(1) / 1_000)
                logger.info("workspace opened", metadata: ["workspace": "\(name)", "events": "\(hosted.log.head.position)", "seconds": "\(seconds)"])
            } catch {
                logger.error("workspace cannot be opened", metadata: ["workspace": "\(name)", "error": "\(error)"])
            }
            opening.withLock { $0?.tried += 1 }
        }
    }

    /// The names of the directories under `<data>/workspaces` that are valid workspace names, sorted.
    /// (Whether each holds a log is for `EventLog.open` to say.)
    static func workspaceNames(in dataDirectory: String) -> [String] {
        let root = dataDirectory + "/workspaces"
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return entries.filter { name in
            var isDirectory: ObjCBool = false
            return (try? EventLog.validateWorkspaceName(name)) != nil
                && FileManager.default.fileExists(atPath: root + "/" + name, isDirectory: &isDirectory) && isDirectory.boolValue
        }.sorted()
    }

    /// Closes every log (finishing appends in flight) and refuses to open more.
    public func closeAll() async {
        closed = true
        for hosted in open.values {
            await hosted.projections?.stop()
            await hosted.log.close()
        }
        open.removeAll()
    }
}
