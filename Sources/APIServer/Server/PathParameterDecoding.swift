import Foundation
import Hummingbird

/// Percent-decodes every path parameter before any handler reads it. Hummingbird's router hands
/// parameters over as they stand in the path, but `p%31` and `p1` are the same id (RFC 3986 §6.2.2.2:
/// percent-encoded unreserved characters are equivalent to the characters themselves), and a label
/// such as `needs review` can only arrive as `needs%20review`. A parameter that does not decode to
/// UTF-8 (`%ff`, `%4`) is a `400 invalid-parameter` naming it; a decoded id is then checked as any other
/// (a `/` or a space in it is refused or found nowhere).
///
/// Added after `ProblemTranslation`, which answers its problem, and before every route's own middleware
/// (authentication reads the decoded workspace).
struct PathParameterDecoding: RouterMiddleware {
    typealias Context = APIRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // Most paths have nothing to decode: leave their parameters untouched.
        guard context.parameters.contains(where: { $0.value.utf8.contains(UInt8(ascii: "%")) }) else {
            return try await next(request, context)
        }
        var context = context
        context.coreContext.parameters = try Self.decoded(context.parameters)
        return try await next(request, context)
    }

    /// `parameters` with each value percent-decoded.
    static func decoded(_ parameters: Parameters) throws -> Parameters {
        var decoded = Parameters()
        for (name, value) in parameters {
            guard let text = value.removingPercentEncoding else {
                throw Problem.badRequest("\(name): not valid percent-encoded UTF-8", code: "invalid-parameter")
            }
            decoded.append(key: name, value: Substring(text))
        }
        return decoded
    }
}
