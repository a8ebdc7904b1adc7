import APIServer
import CommandService
import EventLog
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import ProjectionEngine
import TestSupport
import Workflow

/// Two workspaces made through the command service, as `taskledger init` makes them: `acme` with an
/// admin, a developer and an auditor (a token each, plus a revoked one), and `globex` with its admin.
struct ServerHarness: Sendable {
    let directory: TestDirectory
    let server: TaskledgerServer
    let tokens: [String: String]

    /// `configure` changes the server's configuration last (e.g. `readyLagMax`, the engine's options).
    static func make(
        _ name: String = #function, tokenRate: Double = 1_000, tokenBurst: Double? = nil, readyReads: Bool = true,
        configure: (inout ServerConfiguration) -> Void = { _ in }
    ) async throws -> ServerHarness {
        let directory = TestDirectory(name)
        var tokens: [String: String] = [:]
        for workspace in ["acme", "globex"] {
            let log = try EventLog.open(dataDirectory: directory.path, workspace: workspace, options: testOptions())
            let service = try CommandService(log: log)
            let admin = CommandMetadata(member: "admin", origin: .import)
            try await service.execute(
                WorkspaceCommand.create(
                    NewWorkspace(
                        id: WorkspaceID(workspace), slug: workspace, name: workspace.capitalized,
                        founder: NewMember(id: "admin", displayName: "Ada", email: "ada@\(workspace).test", role: .admin))),
                metadata: admin)
            tokens["\(workspace)-admin"] = try await issue(service, workspace: workspace, member: "admin", id: "k-admin")
            guard workspace == "acme" else {
                await log.close()
                continue
            }
            try await service.execute(WorkspaceCommand.addMember(NewMember(id: "dev", displayName: "Dev", email: "dev@acme.test")), metadata: admin)
            try await service.execute(
                WorkspaceCommand.addMember(NewMember(id: "audit", displayName: "Aud", email: "audit@acme.test", role: .auditor)), metadata: admin)
            tokens["dev"] = try await issue(service, workspace: workspace, member: "dev", id: "k-dev")
            tokens["auditor"] = try await issue(service, workspace: workspace, member: "audit", id: "k-audit")
            tokens["revoked"] = try await issue(service, workspace: workspace, member: "dev", id: "k-old")
            try await service.execute(TokenCommand(token: "k-old", .revoke(reason: "rotated")), metadata: admin)
            try await service.execute(
                WorkflowCommand(workflow: "wf", .create(name: "Delivery", definition: harnessWorkflow)), metadata: admin)
            try await service.execute(
                ProjectCommand(project: "p1", .create(NewProject(key: "OPS", name: "Operations", workflow: WorkflowPin(workflow: "wf", version: 1)))),
                metadata: admin)
            try await service.execute(ProjectCommand(project: "p1", .addMember("dev", role: .member)), metadata: admin)
            await log.close()
        }
        var options = testOptions()
        options.createIfMissing = false
        // The repository's built-in read models.
        let definitions = try DefinitionLoader.load(directory: builtInProjectionsDirectory).definitions
        var engineOptions = ProjectionEngineOptions()
        engineOptions.logger.logLevel = .critical
        var configuration = ServerConfiguration(
            dataDirectory: directory.path, bodyLimit: 4_096, logOptions: options, tokenRequestsPerSecond: tokenRate,
            tokenRequestBurst: tokenBurst ?? tokenRate * 2, projections: definitions, projectionOptions: engineOptions)
        configuration.readyReads = readyReads
        configure(&configuration)
        let server = TaskledgerServer(configuration: configuration)
        return ServerHarness(directory: directory, server: server, tokens: tokens)
    }

    private static func issue(_ service: CommandService, workspace: String, member: MemberID, id: TokenID) async throws -> String {
        let secret = TokenSecret.issue(workspace: workspace, token: id.rawValue)
        try await service.execute(
            TokenCommand(token: id, .issue(NewToken(member: member, name: "test", secretHash: secret.hash.description))),
            metadata: CommandMetadata(member: "admin", origin: .import))
        return secret.secret
    }

    var application: some ApplicationProtocol {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return Application(router: server.router(logger: logger), logger: logger)
    }

    /// The application `taskledger serve` runs (`TaskledgerServer.application`): its HTTP server, with
    /// the ready-read handler on every connection, for `.live` tests.
    var servedApplication: some ApplicationProtocol {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        // swift-format-ignore: NeverForceUnwrap
        // Only a TLS certificate that cannot be read throws, and the harness configures none.
        return try! server.application(logger: logger)
    }

    /// Runs `test` over loopback against the server `taskledger serve` runs (`served`), or against the
    /// same router on Hummingbird's own HTTP server.
    func testLive<Value>(served: Bool, _ test: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        served ? try await servedApplication.test(.live, test) : try await application.test(.live, test)
    }

    func headers(_ token: String?, json: Bool = true, _ extra: HTTPFields = [:]) -> HTTPFields {
        var fields = extra
        if let token { fields[.authorization] = "Bearer " + (tokens[token] ?? token) }
        if json { fields[.contentType] = "application/json" }
        return fields
    }

    func close() async { await server.registry.closeAll() }
}

/// backlog (initial) → doing (WIP 5) → done; open workflow.
let harnessWorkflow = WorkflowDefinition(
    mode: .open,
    states: [
        StateDefinition(id: "backlog", name: "Backlog", category: .backlog, position: 0, isInitial: true),
        StateDefinition(id: "doing", name: "Doing", category: .started, position: 1, wipLimit: 5),
        StateDefinition(id: "done", name: "Done", category: .completed, position: 2),
    ],
    transitions: [])

extension TestResponse {
    /// The body as JSON.
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:] }
    var text: String { String(buffer: body) }
}

func body(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }
