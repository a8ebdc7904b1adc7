import Hummingbird

/// Answers `HEAD` requests without a body: the `GET`'s status and header fields (RFC 9110 §9.3.2).
/// `Content-Length` stays only when the GET's body has a known length; a streamed body (a subscription,
/// an export) claims none, since a `HEAD` answer may state no length but the GET's (RFC 9110 §8.6).
/// Problems are answered the same way: a body there would break the connection's framing.
///
/// Routes register `HEAD` beside `GET` with `getAndHead`. Hummingbird's `autoGenerateHeadEndpoints` does
/// not do: it states `Content-Length: 0` for a streamed body. Added after `RequestObservation` (which
/// counts the status) and before `ProblemTranslation` (whose problems it strips).
struct HeadRequests: RouterMiddleware {
    typealias Context = APIRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .head else { return try await next(request, context) }
        let response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        return Response(
            status: response.status, headers: response.headers,
            body: ResponseBody(contentLength: response.body.contentLength) { writer in try await writer.finish(nil) })
    }
}

extension RouterMethods {
    /// `handler` for `GET` and for `HEAD` (whose body `HeadRequests` drops).
    @discardableResult
    func getAndHead(
        _ path: RouterPath = "", use handler: @Sendable @escaping (Request, Context) async throws -> some ResponseGenerator
    ) -> Self {
        get(path, use: handler)
        return head(path, use: handler)
    }
}
