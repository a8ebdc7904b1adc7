import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

@testable import APIServer

/// The one log line per request: method, route, status, duration, workspace, token id — never a secret.
@Suite("HTTP: the request log")
struct RequestLogTests {
    @Test("one line per request with its method, route, status, duration, decoded workspace and token id, and no secret")
    func oneLinePerRequest() async throws {
        let harness = try await ServerHarness.make()
        let lines = CapturedLines()
        var logger = Logger(label: "test") { _ in CapturingHandler(lines: lines) }
        logger.logLevel = .info
        let application = Application(router: harness.server.router(logger: logger), logger: logger)
        let secret = try #require(harness.tokens["auditor"])
        try await application.test(.router) { client in
            // The workspace percent-encoded (`%6D` is `m`): logged as the workspace it names.
            let page = try await client.execute(uri: "/v1/workspaces/ac%6De/events?limit=1", method: .get, headers: harness.headers("auditor"))
            #expect(page.status == .ok)
            let refused = try await client.execute(uri: "/v1/workspaces/acme/events?limit=1", method: .get, headers: harness.headers(secret + "x"))
            #expect(refused.status == .unauthorized)
        }
        let requests = lines.all.filter { $0.message == "request" }
        #expect(requests.count == 2)
        let first = try #require(requests.first?.metadata)
        #expect(first["method"] == "GET")
        #expect(first["route"] == "/v1/workspaces/{ws}/events")
        #expect(first["status"] == "200")
        #expect(first["workspace"] == "acme")
        #expect(first["tokenId"] == "k-audit")
        #expect(Double(first["durationMs"] ?? "") != nil)
        let second = try #require(requests.last?.metadata)
        #expect(second["status"] == "401")
        // The token's id may be logged; its secret, never, in any field of any line.
        let secretPart = String(secret.split(separator: ".").last ?? "")
        #expect(secretPart.count > 20)
        #expect(!lines.all.contains { line in line.metadata.values.contains { $0.contains(secretPart) } || line.message.contains(secretPart) })
        await harness.close()
    }
}

/// Log lines as the handler received them: message and metadata as text.
private final class CapturedLines: Sendable {
    struct Line: Sendable {
        let message: String
        let metadata: [String: String]
    }

    private let lines = Mutex<[Line]>([])
    func append(_ line: Line) { lines.withLock { $0.append(line) } }
    var all: [Line] { lines.withLock { $0 } }
}

private struct CapturingHandler: LogHandler {
    let lines: CapturedLines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        lines.append(.init(message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
    }
}
