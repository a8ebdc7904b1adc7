import CommandService
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import ProjectionEngine
import Synchronization

/// The reads the server answers on a connection's event loop, before Hummingbird's router
/// (`ReadyReadFront`): `GET`s of a read route whose answer the projection engine already holds at the
/// read model's current position (`ProjectionEngine.readyAnswer`), from a caller whose token was checked
/// before and still holds, and who may read it by the workspace's state in memory.
///
/// Why: such a read needs no I/O and no waiting, yet through the router it costs a hand-off from the
/// event loop to the task pool and back, the router's and the middleware's async calls, and a
/// `Response` made and taken apart again: most of its CPU (docs/api.md, "Reads answered on the event
/// loop"). Boards are read far more often than they change, so most reads are of this kind.
///
/// It gives the same answer the router would, byte for byte apart from `Date`: the same route table
/// (`ProjectionRoutes.aliases`), token check (`Authentication.knownCaller`), permission rules
/// (`ReadAccess.verdict`), rate limit, `ETag` and `If-None-Match`, answer (`ReadAnswer`), metrics and log
/// line (`RequestObservation.observe`). Whatever it cannot answer that way — a first read, "as of",
/// `minPosition` ahead of the read model, a guest, a problem of any kind — it leaves to the router, which
/// answers it as it always did.
final class ReadyReads: Sendable {
    /// One read route: its path below `/v1/workspaces/{ws}/`, split into segments.
    struct Route: Sendable {
        enum Segment: Sendable, Equatable {
            case literal(String)
            case parameter(String)
        }
        let segments: [Segment]
        /// The route as Hummingbird's router names it (`RequestContext.endpointPath`): the metrics' label.
        let endpoint: String
        /// A friendly route's projection, query and path parameters; nil for
        /// `projections/{projection}/{query}`, whose projection and query are in the path.
        let alias: ProjectionRoutes.Alias?

        init(path: String, alias: ProjectionRoutes.Alias?) {
            segments = path.split(separator: "/").map {
                $0.first == "{" && $0.last == "}" ? .parameter(String($0.dropFirst().dropLast())) : .literal(String($0))
            }
            endpoint = "/v1/workspaces/{ws}/" + path
            self.alias = alias
        }
    }

    /// What the handler needs to write an answer and record it.
    struct Answered {
        let answer: ReadAnswer
        let route: String
        let workspace: String
        /// The request's path, without the query.
        let path: Substring
        let authorization: String
    }

    static let prefix = "/v1/workspaces/"
    static let routes: [Route] =
        [Route(path: "projections/{projection}/{query}", alias: nil)] + ProjectionRoutes.aliases.map { Route(path: $0.path, alias: $0) }

    let registry: WorkspaceRegistry
    let limiter: TokenRateLimiter
    let metrics: RequestMetrics
    let logger: Logger
    let serverName: String
    /// `Strict-Transport-Security` on every answer (served over TLS), as `StrictTransportSecurity` adds it.
    let strictTransportSecurity: Bool
    private let date = Mutex<(second: Int, text: String)>((0, ""))

    init(
        registry: WorkspaceRegistry, limiter: TokenRateLimiter, metrics: RequestMetrics, logger: Logger, serverName: String,
        strictTransportSecurity: Bool
    ) {
        self.registry = registry
        self.limiter = limiter
        self.metrics = metrics
        self.logger = logger
        self.serverName = serverName
        self.strictTransportSecurity = strictTransportSecurity
    }

    /// The answer to a `GET` of `target` (path and query) with these `Authorization` and `If-None-Match`
    /// fields (each at most once), or nil when the router must answer it. `known` is the connection's
    /// last good token, used when the request presents it again and replaced when it presents another.
    func answer(target: String, authorization: String?, ifNoneMatch: String?, known: inout KnownCaller?) -> Answered? {
        guard let (route, captures, path) = Self.match(target) else { return nil }
        let workspace = captures[0]
        guard let authorization, let presented = Authentication.bearerToken(authorization) else { return nil }
        if known?.holds(for: presented, workspace: workspace, registry: registry) != true {
            known = Authentication.knownCaller(presented: presented, workspaceName: workspace, registry: registry)
        }
        guard let known else { return nil }
        var projection: String
        var query: String
        var fixed: [String: QueryValue] = [:]
        if let alias = route.alias {
            (projection, query) = (alias.projection, alias.query)
            for (index, segment) in route.segments.enumerated() {
                guard case .parameter(let name) = segment, let parameter = alias.pathParameters[name] else { continue }
                fixed[parameter] = .text(String(captures[index + 1]))
            }
        } else {
            (projection, query) = (String(captures[2]), String(captures[3]))
        }
        guard
            let answer = ProjectionRoutes.readyAnswer(
                known.caller, projection: projection, query: query, fixed: fixed, queryString: Self.queryString(target),
                ifNoneMatch: ifNoneMatch)
        else { return nil }
        // Last, as the router's rate limit comes before any work: a request refused here is refused there.
        guard (try? limiter.admit(known.rateKey)) != nil else { return nil }
        return Answered(answer: answer, route: route.endpoint, workspace: String(workspace), path: path, authorization: authorization)
    }

    /// The target's query string, decoded as the router decodes it (`URI`); parsed only when there is one,
    /// as most reads (a board, a task) have none.
    static func queryString(_ target: String) -> QueryString {
        target.utf8.contains(UInt8(ascii: "?")) ? URI(target).queryParameters : QueryString()
    }

    /// The route `target` (path and query) names, with the path's segments below `/v1/workspaces/`
    /// (the first is the workspace) and the path without the query. Nil unless every segment is plain (letters, digits, `-._~`: ids are),
    /// so no percent-decoding or path normalisation can make it mean something else to the router.
    static func match(_ target: String) -> (route: Route, segments: [Substring], path: Substring)? {
        let path = target.utf8.firstIndex(of: UInt8(ascii: "?")).map { target[..<$0] } ?? target[...]
        let segments = path.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count >= 2, segments.allSatisfy(isPlain) else { return nil }
        let rest = segments.dropFirst()
        for route in routes where route.segments.count == rest.count {
            let matches = zip(route.segments, rest).allSatisfy { pattern, segment in
                if case .literal(let literal) = pattern { return segment == literal }
                return true
            }
            if matches { return (route, Array(segments), path) }
        }
        return nil
    }

    private static func isPlain(_ segment: Substring) -> Bool {
        !segment.isEmpty
            && segment.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    true
                case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                    true
                default:
                    false
                }
            }
    }

    /// The answer's status line and header fields, as the router's answer leaves the server: the
    /// answer's fields, then the ones Hummingbird adds (`Content-Length`, `Date`, `Server`, and
    /// `Strict-Transport-Security` over TLS), written as NIO's HTTP/1.1 encoder writes them (each name
    /// as given, `name: value` lines, no `Content-Length` on a 304, whose body is empty).
    func writeHead(_ answer: ReadAnswer, into buffer: inout ByteBuffer) {
        if answer.status == .ok {
            buffer.writeStaticString("HTTP/1.1 200 OK\r\n")
        } else {
            buffer.writeStaticString("HTTP/1.1 ")
            buffer.writeString(String(answer.status.code))
            buffer.writeStaticString(" ")
            buffer.writeString(answer.status.reasonPhrase)
            buffer.writeStaticString("\r\n")
        }
        for field in answer.headers {
            buffer.writeString(field.name.rawName)
            buffer.writeStaticString(": ")
            buffer.writeString(field.value)
            buffer.writeStaticString("\r\n")
        }
        if answer.status != .notModified {
            buffer.writeStaticString("Content-Length: ")
            buffer.writeString(String(answer.body.readableBytes))
            buffer.writeStaticString("\r\n")
        }
        buffer.writeStaticString("Date: ")
        buffer.writeString(httpDate())
        buffer.writeStaticString("\r\nServer: ")
        buffer.writeString(serverName)
        buffer.writeStaticString("\r\n")
        if strictTransportSecurity { buffer.writeStaticString("Strict-Transport-Security: max-age=31536000\r\n") }
        buffer.writeStaticString("\r\n")
    }

    /// Records the answered request as the router's middleware records its requests.
    func observe(_ answered: Answered, seconds: Double) {
        metrics.recordReadyRead()
        // The path is plain (see `match`): what the router's `uri.path` would give.
        RequestObservation.observe(
            metrics: metrics, logger: logger, method: .get, route: answered.route, path: String(answered.path),
            status: answered.answer.status, seconds: seconds, workspace: answered.workspace, authorization: answered.authorization)
    }

    /// The current time as an HTTP date (RFC 9110 §5.6.7), made once a second.
    private func httpDate() -> String {
        var now = time(nil)
        let second = Int(now)
        if let cached = date.withLock({ $0.second == second ? $0.text : nil }) { return cached }
        var parts = tm()
        gmtime_r(&now, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let text =
            "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
        date.withLock { $0 = (second, text) }
        return text
    }
}
