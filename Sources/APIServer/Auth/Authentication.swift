import CommandService
import EventLog
import Hummingbird
import Synchronization
import Workflow

/// Checked tokens, so that a request does not read the token's stream and hop onto the command
/// service's actor every time. An entry holds while the token's stream and the workspace's stream keep
/// the versions they had when it was checked: revoking the token or removing its member appends to one
/// of them, and the next request checks again. Expiry is checked on every use.
final class AuthenticationCache: Sendable {
    /// By the presented token's SHA-256, never the token itself.
    private let entries = Mutex<[Digest32: CommandService.Authenticated]>([:])
    private static let entriesMax = 10_000

    func lookup(_ presented: String, log: EventLog) -> CommandService.Authenticated? {
        let hash = TokenSecret.hash(of: presented)
        guard let current = entries.withLock({ $0[hash] }) else { return nil }
        guard log.version(of: StreamName.token(current.token).rawValue) == current.tokenVersion,
            log.version(of: StreamName.workspace.rawValue) == current.workspaceVersion,
            current.expiresAt.map({ Timestamp.now().unixMicros < $0.unixMicros }) ?? true
        else { return nil }
        return current
    }

    func store(_ presented: String, _ authenticated: CommandService.Authenticated) {
        let hash = TokenSecret.hash(of: presented)
        entries.withLock { table in
            if table.count >= Self.entriesMax { table.removeAll(keepingCapacity: true) }
            table[hash] = authenticated
        }
    }
}

/// Authenticates every `/v1/workspaces/{ws}/…` request: `Authorization: Bearer tl_<ws>.<id>.<secret>`.
/// A token of another workspace gets 404 for this one (as if it did not exist: a token must not learn
/// which other workspaces exist), a missing, malformed, unknown, revoked or expired token 401.
struct Authentication: RouterMiddleware {
    typealias Context = APIRequestContext
    let registry: WorkspaceRegistry
    let limiter: TokenRateLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let workspaceName = context.parameters.get("ws") else { return try await next(request, context) }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { throw Problem.unauthorized }
        // Optional whitespace around the credentials (RFC 9110 §5.6.3): spaces and tabs only.
        let presented = String(header.dropFirst("Bearer ".count).trimming { $0 == " " || $0 == "\t" })
        guard let route = TokenSecret.route(presented) else { throw Problem.unauthorized }
        // Before any work for the request: counted per token id (an unknown id is refused next anyway).
        try limiter.admit(route.workspace + "." + route.token)
        let hosted: HostedWorkspace
        if let opened = registry.opened(route.workspace) {
            hosted = opened
        } else {
            do {
                hosted = try await registry.workspace(route.workspace)
            } catch let problem as Problem where problem.status == .notFound {
                throw Problem.unauthorized
            }
        }
        var authenticated = hosted.authentications.lookup(presented, log: hosted.log)
        if authenticated == nil {
            authenticated = try await hosted.service.authenticate(presented)
            if let authenticated { hosted.authentications.store(presented, authenticated) }
        }
        guard let authenticated else { throw Problem.unauthorized }
        guard route.workspace == workspaceName else { throw Problem.notFound("no workspace \"\(workspaceName)\"") }
        var context = context
        context.caller = Caller(workspace: hosted, member: authenticated.member, token: authenticated.token)
        return try await next(request, context)
    }
}

extension Substring {
    /// Without the leading and trailing characters that match `drop`.
    fileprivate func trimming(_ drop: (Character) -> Bool) -> Substring {
        guard let first = firstIndex(where: { !drop($0) }), let last = lastIndex(where: { !drop($0) }) else { return self[endIndex...] }
        return self[first...last]
    }
}
