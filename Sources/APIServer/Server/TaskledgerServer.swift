public import CommandService
public import EventLog
public import Hummingbird
import HummingbirdCore
import HummingbirdTLS
public import Logging
import NIOSSL
public import ProjectionEngine
import ServiceLifecycle

/// What `taskledger serve` is given.
public struct ServerConfiguration: Sendable {
    public var dataDirectory: String
    public var host: String
    public var port: Int
    /// Largest request body, in bytes (413 beyond). Default 1 MiB.
    public var bodyLimit: Int
    public var commands: CommandService.Configuration
    public var logOptions: EventLogOptions
    /// PEM certificate chain and private key: TLS (and HSTS) when both are given.
    public var tlsCertificate: String?
    public var tlsKey: String?
    /// The projection definitions every workspace's read models are built from (`Projections/`).
    public var projections: [ProjectionDefinition]
    public var projectionOptions: ProjectionEngineOptions
    /// Requests per token: a sustained rate and a burst (429 with `Retry-After` beyond).
    public var tokenRequestsPerSecond: Double
    public var tokenRequestBurst: Double
    /// How often the scheduler runs reminder rules, overdue marking and approval expiry in every open
    /// workspace (`CommandService.runSchedules`); nil: never. Default 60 s.
    public var scheduleInterval: Duration? = .seconds(60)
    /// How often every open workspace whose head moved gets a signed checkpoint (and one more at
    /// shutdown); nil: only on request (`POST …/checkpoints`). Default 5 min.
    public var checkpointInterval: Duration? = .seconds(300)
    /// The Ed25519 checkpoint key file; default `<data>/keys/checkpoint-ed25519.key` (created, mode 0600).
    public var checkpointKeyPath: String?
    /// Whether `run` opens every workspace of the data directory as it starts (`/readyz` answers 503
    /// `opening` meanwhile) rather than each on its first request. Default true: the first request after
    /// a restart does not wait for a log to be read, and the scheduler and checkpoints, which only visit
    /// open workspaces, reach every workspace, not only those someone asked for since the start.
    public var openWorkspacesAtStart = true
    /// Whether reads whose answer is already computed are answered on the connection's event loop
    /// from the request's bytes (`ReadyReadFront`) rather than through the router: the same answers, at a
    /// fraction of the CPU.
    /// Default true; false (`--no-ready-reads`) sends every request through the router.
    public var readyReads = true
    /// `/readyz` answers 503 while a read model is further than this many events behind its log's head,
    /// or has not finished its first build: reads would wait (`minPosition`) or fail. Default 10,000.
    public var readyLagMax: UInt64 = 10_000

    public init(
        dataDirectory: String, host: String = "127.0.0.1", port: Int = 8080, bodyLimit: Int = 1 << 20,
        commands: CommandService.Configuration = .init(), logOptions: EventLogOptions = EventLogOptions(), tlsCertificate: String? = nil,
        tlsKey: String? = nil, tokenRequestsPerSecond: Double = 200, tokenRequestBurst: Double = 400, projections: [ProjectionDefinition] = [],
        projectionOptions: ProjectionEngineOptions = ProjectionEngineOptions()
    ) {
        self.projections = projections
        self.projectionOptions = projectionOptions
        self.tlsCertificate = tlsCertificate
        self.tlsKey = tlsKey
        self.tokenRequestsPerSecond = tokenRequestsPerSecond
        self.tokenRequestBurst = tokenRequestBurst
        self.dataDirectory = dataDirectory
        self.host = host
        self.port = port
        self.bodyLimit = bodyLimit
        self.commands = commands
        self.logOptions = logOptions
    }
}

/// The HTTP API: routes, auth, problems, subscriptions, over the workspaces under one data directory.
///
/// ```swift
/// let server = TaskledgerServer(configuration: ServerConfiguration(dataDirectory: "./taskledger-data"))
/// try await server.run(logger: logger)   // until SIGTERM or SIGINT
/// ```
public final class TaskledgerServer: Sendable {
    public let configuration: ServerConfiguration
    public let registry: WorkspaceRegistry
    let subscriptions = SubscriptionRegistry()
    let metrics = RequestMetrics()
    let tokenLimiter: TokenRateLimiter
    let checkpoints: CheckpointSigner

    public init(configuration: ServerConfiguration) {
        self.configuration = configuration
        checkpoints = CheckpointSigner(dataDirectory: configuration.dataDirectory, keyPath: configuration.checkpointKeyPath)
        tokenLimiter = TokenRateLimiter(perSecond: configuration.tokenRequestsPerSecond, burst: configuration.tokenRequestBurst)
        registry = WorkspaceRegistry(
            dataDirectory: configuration.dataDirectory, options: configuration.logOptions, configuration: configuration.commands,
            definitions: configuration.projections, engineOptions: configuration.projectionOptions)
    }

    /// The `Server` header of every answer.
    static let serverName = "taskledger"

    /// Every route, with the middleware that answers problems, logs and measures requests.
    public func router(logger: Logger) -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: RequestObservation(metrics: metrics, logger: logger))
        router.add(middleware: HeadRequests())
        let routes = RouteTable()
        router.add(middleware: ProblemTranslation(routes: routes))
        router.add(middleware: PathParameterDecoding())
        if configuration.tlsCertificate != nil { router.add(middleware: StrictTransportSecurity()) }
        OperationsRoutes(server: self).add(to: router)
        let workspace = router.group("v1/workspaces/{ws}").add(middleware: Authentication(registry: registry, limiter: tokenLimiter))
        let writes = WriteHandling(bodyLimit: configuration.bodyLimit)
        let tasks = TaskRoutes(writes: writes)
        tasks.add(to: workspace)
        TaskRelationRoutes(tasks: tasks).add(to: workspace)
        MilestoneRoutes(writes: writes).add(to: workspace)
        DocumentRoutes(writes: writes).add(to: workspace)
        ProjectionRoutes().add(to: workspace)
        ProjectRoutes(writes: writes).add(to: workspace)
        ProjectSettingsRoutes(writes: writes).add(to: workspace)
        WorkspaceRoutes(writes: writes).add(to: workspace)
        WorkspaceSettingsRoutes(writes: writes).add(to: workspace)
        TokenRoutes(writes: writes).add(to: workspace)
        ReminderRoutes(writes: writes).add(to: workspace)
        EventRoutes(subscriptions: subscriptions).add(to: workspace)
        CheckpointRoutes(signer: checkpoints).add(to: workspace)
        routes.load(router.routes.map { (method: $0.method.rawValue, path: $0.path.description) })
        return router
    }

    /// The Hummingbird application on the configured address (TLS when a certificate and key are given).
    public func application(logger: Logger) throws -> some ApplicationProtocol {
        let reads = ReadyReads(
            registry: registry, limiter: tokenLimiter, metrics: metrics, logger: logger, serverName: Self.serverName,
            strictTransportSecurity: configuration.tlsCertificate != nil)
        // Ready answers to reads on each connection's event loop, ahead of the HTTP decoder; everything
        // else through the router. Event streams write their chunks ahead of the encoder.
        let http1 = HTTP1Channel.Configuration()
        let outlets = subscriptions.outlets
        let ready = configuration.readyReads ? reads : nil
        var server = HTTPServerBuilder { responder in
            TaskledgerHTTP1Channel(responder: responder, configuration: http1, reads: ready, outlets: outlets)
        }
        if let certificate = configuration.tlsCertificate, let key = configuration.tlsKey {
            let chain = try NIOSSLCertificate.fromPEMFile(certificate).map { NIOSSLCertificateSource.certificate($0) }
            let tls = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain, privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
            server = try .tls(server, tlsConfiguration: tls)
        }
        return Application(
            router: router(logger: logger), server: server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: Self.serverName),
            // The subscriptions' group: an SSE subscriber runs on its connection's loop, paced per loop.
            eventLoopGroupProvider: .shared(subscriptions.eventLoopGroup),
            logger: logger)
    }

    /// Serves until SIGTERM or SIGINT, then shuts down gracefully: subscriptions end first (they would
    /// otherwise hold their connections open), the server stops accepting and finishes the requests in
    /// flight, then every log finishes its appends, flushes and closes.
    public func run(logger: Logger) async throws {
        // Created (or loaded) before serving: a key file that others can read stops the start.
        let key = try checkpoints.signingKey()
        logger.info("checkpoint key", metadata: ["keyID": "\(key.keyID)", "publicKey": "\(key.publicKeyHex)"])
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    try application(logger: logger), SubscriptionShutdown(subscriptions: subscriptions),
                    Scheduler(registry: registry, interval: configuration.scheduleInterval, logger: logger),
                    CheckpointService(registry: registry, signer: checkpoints, interval: configuration.checkpointInterval, logger: logger),
                    WarmStart(registry: registry, isEnabled: configuration.openWorkspacesAtStart, logger: logger),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            await registry.closeAll()
            throw error
        }
        await registry.closeAll()
    }

    /// Ends every event subscription now (what graceful shutdown does first).
    public func endSubscriptions() { subscriptions.shutDown() }
}

/// Listed after the application, so a graceful shutdown reaches it first (a service group shuts its
/// services down in reverse order): it ends the subscriptions, then lets the server stop.
private struct SubscriptionShutdown: Service {
    let subscriptions: SubscriptionRegistry

    func run() async throws {
        try? await gracefulShutdown()
        subscriptions.shutDown()
    }
}

/// Opens every workspace as the server starts (`ServerConfiguration.openWorkspacesAtStart`), beside the
/// listening server, then waits for shutdown. Listed last, so a graceful shutdown reaches it first and an
/// opening still under way stops after the workspace at hand.
private struct WarmStart: Service {
    let registry: WorkspaceRegistry
    let isEnabled: Bool
    let logger: Logger

    func run() async throws {
        if isEnabled { await registry.openAll(logger: logger) { Task.isShuttingDownGracefully } }
        try? await gracefulShutdown()
    }
}

/// Runs the time-driven rules (reminders, overdue tasks, expired approvals) in every open workspace,
/// every `interval`, until graceful shutdown. A failing run is logged and retried next time: the
/// evaluations are idempotent, so nothing is lost or doubled by a skipped or repeated run.
private struct Scheduler: Service {
    let registry: WorkspaceRegistry
    let interval: Duration?
    let logger: Logger

    func run() async throws {
        guard let interval else {
            try? await gracefulShutdown()
            return
        }
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            // Woken by graceful shutdown too: a sleeping scheduler must not hold the shutdown for a whole interval.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            guard !Task.isShuttingDownGracefully else { return }
            for hosted in await registry.openWorkspaces {
                do {
                    let run = try await hosted.service.runSchedules()
                    if run.remindersFired + run.tasksOverdue + run.approvalsExpired > 0 {
                        logger.info(
                            "scheduled rules ran",
                            metadata: [
                                "workspace": "\(hosted.name)", "reminders": "\(run.remindersFired)", "overdue": "\(run.tasksOverdue)",
                                "expired": "\(run.approvalsExpired)",
                            ])
                    }
                } catch {
                    logger.error("scheduled rules failed", metadata: ["workspace": "\(hosted.name)", "error": "\(error)"])
                }
            }
        }
    }
}

/// Signs a checkpoint of every open workspace whose head moved, every `interval`, and once more at
/// graceful shutdown, so the last checkpoint covers the last write.
private struct CheckpointService: Service {
    let registry: WorkspaceRegistry
    let signer: CheckpointSigner
    let interval: Duration?
    let logger: Logger

    func run() async throws {
        if let interval {
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
                guard !Task.isShuttingDownGracefully else { break }
                await signAll()
            }
        } else {
            try? await gracefulShutdown()
        }
        await signAll()
    }

    private func signAll() async {
        for (name, error) in signer.signMoved(await registry.openWorkspaces) {
            logger.error("checkpoint failed", metadata: ["workspace": "\(name)", "error": "\(error)"])
        }
    }
}
