public import CommandService
public import EventLog
public import Hummingbird
public import Logging
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

    public init(
        dataDirectory: String, host: String = "127.0.0.1", port: Int = 8080, bodyLimit: Int = 1 << 20,
        commands: CommandService.Configuration = .init(), logOptions: EventLogOptions = EventLogOptions()
    ) {
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

    public init(configuration: ServerConfiguration) {
        self.configuration = configuration
        registry = WorkspaceRegistry(
            dataDirectory: configuration.dataDirectory, options: configuration.logOptions, configuration: configuration.commands)
    }

    /// Every route, with the middleware that answers problems, logs and measures requests.
    public func router(logger: Logger) -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: RequestObservation(metrics: metrics, logger: logger))
        router.add(middleware: ProblemTranslation())
        OperationsRoutes(server: self).add(to: router)
        let workspace = router.group("v1/workspaces/{ws}").add(middleware: Authentication(registry: registry))
        let writes = WriteHandling(bodyLimit: configuration.bodyLimit)
        TaskRoutes(writes: writes).add(to: workspace)
        ProjectRoutes(writes: writes).add(to: workspace)
        WorkspaceRoutes(writes: writes).add(to: workspace)
        EventRoutes(subscriptions: subscriptions).add(to: workspace)
        return router
    }

    /// The Hummingbird application on the configured address.
    public func application(logger: Logger) -> some ApplicationProtocol {
        Application(
            router: router(logger: logger),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "taskledger"),
            logger: logger)
    }

    /// Serves until SIGTERM or SIGINT, then shuts down gracefully: subscriptions end first (they would
    /// otherwise hold their connections open), the server stops accepting and finishes the requests in
    /// flight, then every log finishes its appends, flushes and closes.
    public func run(logger: Logger) async throws {
        let group = ServiceGroup(
            configuration: .init(
                services: [application(logger: logger), SubscriptionShutdown(subscriptions: subscriptions)],
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
