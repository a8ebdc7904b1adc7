import Hummingbird
import ProjectionEngine

/// A successful read's status, headers and body. The routes make it a Hummingbird `Response`;
/// `ReadyReadFront` writes it as bytes on the event loop (`ReadyReads.writeHead`). One type for both, so
/// the two paths cannot send different headers for the same answer.
struct ReadAnswer {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: ByteBuffer

    /// A query's answer: its JSON, with the read model's position as `ETag`.
    init(_ result: QueryResult) {
        status = .ok
        headers = [.contentType: "application/json", .eTag: ProjectionRoutes.etag(result.position), .cacheControl: "no-cache"]
        body = ByteBuffer(string: result.json)
    }

    private init(status: HTTPResponse.Status, headers: HTTPFields, body: ByteBuffer) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// `If-None-Match` named the read model's current position: nothing changed.
    static func notModified(tag: String) -> ReadAnswer { ReadAnswer(status: .notModified, headers: [.eTag: tag], body: ByteBuffer()) }

    var response: Response {
        Response(status: status, headers: headers, body: status == .notModified ? .init() : .init(byteBuffer: body))
    }
}
