import ArgumentParser
import CommandService
import EventLog
import Workflow

/// `taskledger token issue | revoke | list`: API tokens, offline (the server must not hold the log;
/// while it runs, use the API).
struct TokenCommands: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Issue, revoke and list API tokens (offline; while the server runs, use the API).",
        subcommands: [Issue.self, Revoke.self, List.self])

    struct Issue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue a token for a member and print it once.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The member the token speaks for.") var member: String
        @Option(help: "What the holder calls it, e.g. \"CI deploys\".") var name: String
        @Option(
            name: .customLong("as"),
            help: "The member issuing it (needs token.manage). Default: --member if an admin, else the active admin whose id sorts first.")
        var actor: String?
        @Option(help: "Expiry, RFC 3339 (e.g. 2027-01-01T00:00:00Z); none by default.") var expires: String?

        func run() async throws {
            var expiresAt: Instant?
            if let expires {
                guard let instant = Instant(rfc3339: expires) else { throw fail("--expires: not an RFC 3339 time", status: ExitStatus.badInput) }
                expiresAt = instant
            }
            try await withService(global) { service in
                let issuer = try await TokenCommands.actor(actor, member: MemberID(member), service: service)
                let issued = try await TokenIssuing.issue(
                    service: service, workspace: global.workspace, member: MemberID(member), name: name, expiresAt: expiresAt, by: issuer)
                print("token \(issued.id) for \(member) (shown once, keep it secret): \(issued.secret)")
            }
        }
    }

    /// Who acts for an offline token command: `--as` when given; else `member` when it is an active admin;
    /// else the active admin whose id sorts first. Whoever runs the CLI holds the data directory, so the
    /// point is only to record a real admin (not a fixed name such as `admin`, which a workspace may lack).
    static func actor(_ given: String?, member: MemberID?, service: CommandService) async throws -> MemberID {
        if let given { return MemberID(given) }
        let members = try await service.workspace()?.members ?? [:]
        let admins = members.values.filter { $0.role == .admin && $0.status == .active }.map(\.id)
        if let member, admins.contains(member) { return member }
        guard let first = admins.min() else {
            throw fail("the workspace has no active admin to act for; name one with --as", status: ExitStatus.badInput)
        }
        return first
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token: requests presenting it are refused from now on.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The token id (the middle part of tl_<workspace>.<id>.<secret>).") var token: String
        @Option(name: .customLong("as"), help: "The member revoking it. Default: the active admin whose id sorts first.") var actor: String?
        @Option(help: "Why (recorded in the event).") var reason: String?

        func run() async throws {
            try await withService(global) { service in
                let revoker = try await TokenCommands.actor(actor, member: nil, service: service)
                try await service.execute(
                    TokenCommand(token: TokenID(token), .revoke(reason: reason)), metadata: CommandMetadata(member: revoker, origin: .import))
                print("token \(token) revoked")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the workspace's tokens (never their secrets).")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let log = try openLog(global)
            var tokens: [TokenID: TokenState] = [:]
            var order: [TokenID] = []
            var position: UInt64 = 1
            do {
                while true {
                    let page = try log.read(from: position, maxCount: 4_096)
                    guard let last = page.last else { break }
                    position = last.position + 1
                    for recorded in page where recorded.hasType("TokenIssued") || recorded.hasType("TokenRevoked") {
                        let event = try EventEnvelopeMapping.domainEvent(recorded)
                        let id = TokenID(String(recorded.stream.dropFirst("token-".count)))
                        if tokens[id] == nil { order.append(id) }
                        tokens[id] = TokenState.evolve(tokens[id], event)
                    }
                }
            } catch let error as EventLogError {
                await log.close()
                throw fail(error)
            }
            await log.close()
            print("id\tmember\tstatus\tissued\texpires\tname")
            for id in order {
                guard let token = tokens[id] else { continue }
                print("\(id)\t\(token.member)\t\(token.status.rawValue)\t\(token.issuedAt)\t\(token.expiresAt.map { "\($0)" } ?? "-")\t\(token.name)")
            }
        }
    }
}

private func openLog(_ global: GlobalOptions) throws -> EventLog {
    do {
        return try EventLog.open(dataDirectory: global.dataDirectory, workspace: global.workspace, options: global.logOptions(create: false))
    } catch {
        throw fail(error, context: "workspace \(global.workspace)")
    }
}

/// Runs `body` with a command service over the workspace's log, closing it after; command errors are
/// one line and an exit code.
private func withService(_ global: GlobalOptions, _ body: (CommandService) async throws -> Void) async throws {
    let log = try openLog(global)
    do {
        try await body(try CommandService(log: log))
        await log.close()
    } catch let error as CommandError {
        await log.close()
        throw fail("\(error.code): \(error.description)", status: error.isBadInput ? ExitStatus.badInput : ExitStatus.failure)
    } catch {
        await log.close()
        throw error
    }
}
