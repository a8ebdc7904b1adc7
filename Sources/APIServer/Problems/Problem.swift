import Foundation
public import Hummingbird

/// An RFC 9457 problem: every error the API answers is one of these, as `application/problem+json`.
///
/// `type` is `urn:taskledger:problem:<code>` with the stable, kebab-case code of DOMAIN.md
/// (`transition-not-allowed`, `version-conflict`, …), also given as `code` so clients can switch on it
/// without parsing a URN. `detail` is for people. Extension members (`errors`, `retryAfter`, `missed`,
/// …) carry what a client needs to act.
public struct Problem: Error, HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var title: String
    public var detail: String
    /// Extension members, already JSON-ready (strings, numbers, booleans, arrays, dictionaries).
    public var extensions: [String: JSONValue]
    /// Extra headers (`Retry-After`, `WWW-Authenticate`, …).
    public var headers: HTTPFields

    public init(
        _ status: HTTPResponse.Status, code: String, title: String? = nil, detail: String,
        extensions: [String: JSONValue] = [:], headers: HTTPFields = [:]
    ) {
        self.status = status
        self.code = code
        self.title = title ?? status.reasonPhrase
        self.detail = detail
        self.extensions = extensions
        self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var body: [String: JSONValue] = extensions
        body["type"] = .string("urn:taskledger:problem:" + code)
        body["code"] = .string(code)
        body["title"] = .string(title)
        body["status"] = .number(Double(status.code))
        body["detail"] = .string(detail)
        body["instance"] = .string(request.uri.path)
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: JSONValue.object(body).encoded())))
    }
}

extension Problem {
    /// 400: the body or a parameter is malformed.
    static func badRequest(_ detail: String, code: String = "invalid-request", errors: [String] = []) -> Problem {
        Problem(.badRequest, code: code, detail: detail, extensions: errors.isEmpty ? [:] : ["errors": .array(errors.map(JSONValue.string))])
    }

    static func notFound(_ detail: String) -> Problem { Problem(.notFound, code: "not-found", detail: detail) }

    static let unauthorized = Problem(
        .unauthorized, code: "unauthenticated", detail: "send Authorization: Bearer tl_… with a valid, unrevoked token",
        headers: [.wwwAuthenticate: #"Bearer realm="taskledger""#])
}
