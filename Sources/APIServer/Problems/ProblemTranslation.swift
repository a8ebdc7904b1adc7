import Hummingbird
import Synchronization

/// Makes every error answer `application/problem+json`: Hummingbird's own (unknown route 404, wrong
/// method 405, body too large 413) and anything unexpected (500, with no internals in the detail —
/// those go to the log).
struct ProblemTranslation: RouterMiddleware {
    typealias Context = APIRequestContext
    /// The router's routes, to tell a wrong method (405) from an unknown path (404).
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            throw problem
        } catch let error as HTTPError where error.status == .notFound {
            // Hummingbird answers 404 for a known path with another method too; say 405 and what is allowed.
            let allowed = routes.methods(forPath: request.uri.path)
            guard !allowed.isEmpty, !allowed.contains(request.method.rawValue) else {
                throw Problem(.notFound, code: "no-such-route", detail: "no route \(request.method.rawValue) \(request.uri.path)")
            }
            throw Problem(
                .methodNotAllowed, code: "method-not-allowed",
                detail: "\(request.method.rawValue) is not allowed on \(request.uri.path); use \(allowed.joined(separator: ", "))",
                headers: [.allow: allowed.joined(separator: ", ")])
        } catch let error as HTTPError {
            let code: String =
                switch error.status {
                case .notFound: "no-such-route"
                case .methodNotAllowed: "method-not-allowed"
                case .contentTooLarge: "body-too-large"
                default: "http-\(error.status.code)"
                }
            let detail =
                error.status == .notFound
                ? "no route \(request.method.rawValue) \(request.uri.path)" : (error.body ?? error.status.reasonPhrase)
            throw Problem(error.status, code: code, detail: detail, headers: error.headers)
        } catch {
            context.logger.error("unexpected error", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            throw Problem(.internalServerError, code: "internal-error", detail: "the server failed; the error is in its log")
        }
    }
}

/// The router's routes as path patterns and methods, filled once the router is built (the middleware
/// that reads it is added before the routes, as Hummingbird requires).
final class RouteTable: Sendable {
    private let table = Mutex<[(components: [Substring], methods: Set<String>)]>([])

    /// Takes the routes `Router.routes` lists (`HEAD` among them wherever there is a `GET`: `getAndHead`).
    func load(_ routes: [(method: String, path: String)]) {
        var byPath: [String: Set<String>] = [:]
        for route in routes { byPath[route.path, default: []].insert(route.method) }
        table.withLock { $0 = byPath.map { (components: $0.key.split(separator: "/"), methods: $0.value) } }
    }

    /// The methods of the route whose pattern matches `path` (a `{name}` component matches any one
    /// segment), sorted; empty when no route has this path.
    func methods(forPath path: String) -> [String] {
        let segments = path.split(separator: "/")
        let methods = table.withLock { table in
            table.filter { route in
                route.components.count == segments.count
                    && zip(route.components, segments).allSatisfy { pattern, segment in
                        (pattern.hasPrefix("{") && pattern.hasSuffix("}")) || pattern == segment
                    }
            }.reduce(into: Set<String>()) { $0.formUnion($1.methods) }
        }
        return methods.sorted()
    }
}
