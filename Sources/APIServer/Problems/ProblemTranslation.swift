import Hummingbird

/// Makes every error answer `application/problem+json`: Hummingbird's own (unknown route 404, wrong
/// method 405, body too large 413) and anything unexpected (500, with no internals in the detail —
/// those go to the log).
struct ProblemTranslation: RouterMiddleware {
    typealias Context = APIRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            throw problem
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
