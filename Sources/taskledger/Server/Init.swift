import ArgumentParser
import CommandService
import EventLog
import Workflow

/// `taskledger init`: creates a workspace with its first admin and prints an admin token, once.
struct Init: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a workspace and its first admin; print an admin API token once.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "The workspace's display name (default: the workspace id).")
    var name: String?

    @Option(help: "IANA time zone of the workspace.")
    var timeZone = "UTC"

    @Option(help: "The first admin's member id.")
    var adminID = "admin"

    @Option(help: "The first admin's display name.")
    var adminName = "Admin"

    @Option(help: "The first admin's email.")
    var adminEmail = "admin@example.com"

    func run() async throws {
        let log: EventLog
        do {
            log = try EventLog.open(dataDirectory: global.dataDirectory, workspace: global.workspace, options: global.logOptions(create: true))
        } catch {
            throw fail(error, context: "workspace \(global.workspace)")
        }
        do {
            guard log.head.position == 0 else {
                await log.close()
                throw fail(
                    "workspace \(global.workspace) already exists; issue more tokens with `taskledger token issue`", status: ExitStatus.failure)
            }
            let service = try CommandService(log: log)
            let founder = NewMember(id: MemberID(adminID), displayName: adminName, email: adminEmail, role: .admin)
            let metadata = CommandMetadata(member: founder.id, origin: .import)
            try await service.execute(
                WorkspaceCommand.create(
                    NewWorkspace(
                        id: WorkspaceID(global.workspace), slug: global.workspace, name: name ?? global.workspace, timeZone: timeZone,
                        founder: founder)),
                metadata: metadata)
            let issued = try await TokenIssuing.issue(
                service: service, workspace: global.workspace, member: founder.id, name: "initial admin token", expiresAt: nil, by: founder.id)
            await log.close()
            print("workspace \(global.workspace) created; admin member \(adminID)")
            print("admin token (shown once, keep it secret): \(issued.secret)")
        } catch let error as CommandError {
            await log.close()
            throw fail("\(error.code): \(error.description)", status: error.isBadInput ? ExitStatus.badInput : ExitStatus.failure)
        }
    }
}

/// Issuing a token the same way from `init` and `token issue`.
enum TokenIssuing {
    struct Issued {
        var id: TokenID
        var secret: String
    }

    static func issue(
        service: CommandService, workspace: String, member: MemberID, name: String, expiresAt: Instant?, by actor: MemberID
    ) async throws(CommandError) -> Issued {
        let id = TokenID("k-" + String(EventID.generate().description.suffix(12)))
        let secret = TokenSecret.issue(workspace: workspace, token: id.rawValue)
        try await service.execute(
            TokenCommand(token: id, .issue(NewToken(member: member, name: name, secretHash: secret.hash.description, expiresAt: expiresAt))),
            metadata: CommandMetadata(member: actor, origin: .import))
        return Issued(id: id, secret: secret.secret)
    }
}

extension CommandError {
    /// Whether the command was refused for what it asked (exit 2) rather than failing (exit 1).
    var isBadInput: Bool {
        switch self {
        case .domain(let refusal):
            ["validation-failed", "limit-exceeded", "already-exists", "not-found", "missing-permission"].contains(refusal.code)
        case .unknownActor: true
        default: false
        }
    }
}
