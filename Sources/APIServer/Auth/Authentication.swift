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
        guard let current = entries.withLock({ $0[hash] }), Self.holds(current, log: log) else { return nil }
        return current
    }

    /// Whether a token checked before still authenticates: neither its stream nor the workspace's has
    /// changed since, and it has not expired.
    static func holds(_ checked: CommandService.Authenticated, log: EventLog) -> Bool {
        log.version(of: StreamName.token(checked.token).rawValue) == checked.tokenVersion
            && log.version(of: StreamName.workspace.rawValue) == checked.workspaceVersion
            && (checked.expiresAt.map({ Timestamp.now().unixMicros < $0.unixMicros }) ?? true)
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
        guard let presented = Self.bearerToken(request.headers[.authorization]), let route = TokenSecret.route(presented) else {
            throw Problem.unauthorized
        }
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

    /// The credentials of an `Authorization: Bearer …` header, without the optional whitespace around
    /// them (RFC 9110 §5.6.3: spaces and tabs only); nil without such a header.
    static func bearerToken(_ header: String?) -> String? {
        guard let header, header.hasPrefix("Bearer ") else { return nil }
        return String(header.dropFirst("Bearer ".count).trimming { $0 == " " || $0 == "\t" })
    }

    /// The caller a request with `Authorization: Bearer presented` for workspace `workspaceName` speaks
    /// for, found without suspending: the workspace is open and the token was checked before and still
    /// holds (`AuthenticationCache`). Nil otherwise; the middleware then decides (and answers any problem).
    static func knownCaller(presented: String, workspaceName: Substring, registry: WorkspaceRegistry) -> KnownCaller? {
        guard let route = TokenSecret.route(presented), route.workspace == workspaceName, let hosted = registry.opened(route.workspace),
            let authenticated = hosted.authentications.lookup(presented, log: hosted.log)
        else { return nil }
        return KnownCaller(
            presented: presented, rateKey: route.workspace + "." + route.token,
            caller: Caller(workspace: hosted, member: authenticated.member, token: authenticated.token), checked: authenticated)
    }
}

/// A token found good by `Authentication.knownCaller`, which a connection keeps for its next requests:
/// they usually carry the same token, and while it `holds` no hashing or table lookup is needed.
struct KnownCaller {
    let presented: String
    /// The rate limiter's key (workspace and token id).
    let rateKey: String
    let caller: Caller
    let checked: CommandService.Authenticated

    /// Whether it is still good for a request presenting `token` to `workspace`: the same token, the
    /// workspace still the one open under that name, and the token's check still holding.
    func holds(for token: String, workspace: Substring, registry: WorkspaceRegistry) -> Bool {
        token == presented && caller.workspace.name == workspace && registry.opened(caller.workspace.name) === caller.workspace
            && AuthenticationCache.holds(checked, log: caller.workspace.log)
    }
}

extension Substring {
    /// Without the leading and trailing characters that match `drop`.
    fileprivate func trimming(_ drop: (Character) -> Bool) -> Substring {
        guard let first = firstIndex(where: { !drop($0) }), let last = lastIndex(where: { !drop($0) }) else { return self[endIndex...] }
        return self[first...last]
    }
}
