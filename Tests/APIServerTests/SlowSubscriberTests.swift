import Foundation
import HummingbirdTesting
import Testing

@testable import APIServer

/// A live subscriber that stops reading, on the server `taskledger serve` runs (chunks written from the
/// connection's `StreamOutlet`): the server must wait for the socket rather than buffer the events.
@Suite("HTTP: a subscriber that stops reading")
struct SlowSubscriberTests {
    @Test("it holds its own stream, not a growing buffer; once it reads again it gets every event once, in order")
    func stalledThenDrained() async throws {
        // 600 comments of 15,000 bytes on one task at once: past the harness's 4 KiB body limit, a token's
        // rate and a stream's.
        let harness = try await ServerHarness.make(tokenRate: 100_000) {
            $0.bodyLimit = 16 << 10
            $0.commands.streamRateLimit = .unlimited
        }
        let server = harness.server
        let count = 600
        try await harness.servedApplication.test(.live) { client in
            let port = try #require(client.port)
            let base = "/v1/workspaces/acme"
            let created = try await client.execute(
                uri: base + "/projects/p1/tasks", method: .post, headers: harness.headers("dev"), body: body(#"{"id":"slow","title":"S"}"#))
            #expect(created.status == .created)
            let from = try await server.registry.workspace("acme").log.head.position + 1
            let delivered = server.subscriptions.deliveredCount
            let token = try #require(harness.headers("auditor")[.authorization])
            let subscriber = try RawSubscriber(
                port: port,
                request: "GET \(base)/events?type=CommentAdded&from=\(from)&heartbeat=300 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: \(token)\r\nAccept: text/event-stream\r\n\r\n")
            // ~9.4 MB of frames: more than the kernel holds for one connection here (the sender's buffer
            // grows to 4 MiB, the receiver's is held small) plus NIO's 64 KiB high-water mark.
            let note = String(repeating: "n", count: 15_000)
            for _ in 0..<count {
                let commented = try await client.execute(
                    uri: base + "/tasks/slow/comments", method: .post, headers: harness.headers("dev"), body: body(#"{"body":"\#(note)"}"#))
                #expect(commented.status == .created)
            }
            // Stalled: the count of events written stops short of them all, and stays there.
            var last = server.subscriptions.deliveredCount
            var steady = 0
            while steady < 5 {
                try await Task.sleep(for: .milliseconds(200))
                let now = server.subscriptions.deliveredCount
                steady = now == last ? steady + 1 : 0
                last = now
            }
            #expect(last - delivered < UInt64(count), "the server wrote \(last - delivered) of \(count) events to a reader that reads nothing")
            // Reading again: every comment, once, in order, framed as HTTP/1.1 chunks.
            let ids = try await subscriber.readEvents(count)
            #expect(ids == Array(from..<from + UInt64(count)))
            server.endSubscriptions()
        }
        await harness.close()
    }
}

/// A subscription on a blocking socket with a small receive buffer, read only when asked.
private final class RawSubscriber: @unchecked Sendable {
    private let socket: Int32

    init(port: Int, request: String) throws {
        socket = try connectLoopback(port: port, receiveTimeout: 60, receiveBuffer: 4_096)
        let bytes = Array(request.utf8)
        guard bytes.withUnsafeBytes({ send(socket, $0.baseAddress, bytes.count, 0) }) == bytes.count else { throw POSIXError(.EIO) }
    }

    deinit { close(socket) }

    /// Reads until `count` events have arrived (on a thread of its own: the reads block); their ids.
    func readEvents(_ count: Int) async throws -> [UInt64] {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try self.blockingRead(count) }) }.start()
        }
    }

    /// The response head, then the chunked body decoded strictly (size line, that many bytes, CR LF),
    /// then the SSE lines of the decoded body.
    private func blockingRead(_ count: Int) throws -> [UInt64] {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var body: [UInt8] = []
        var ids: [UInt64] = []
        var headDone = false
        var offset = 0
        func find(_ pattern: [UInt8], from start: Int) -> Int? {
            guard received.count >= pattern.count, start <= received.count - pattern.count else { return nil }
            return (start...(received.count - pattern.count)).first { received[$0..<$0 + pattern.count].elementsEqual(pattern) }
        }
        while ids.count < count {
            let read = recv(socket, &buffer, buffer.count, 0)
            guard read > 0 else { throw POSIXError(.ETIMEDOUT) }
            received += buffer[0..<read]
            if !headDone {
                guard let end = find(Array("\r\n\r\n".utf8), from: 0) else { continue }
                let head = String(decoding: received[0..<end], as: UTF8.self).lowercased()
                guard head.hasPrefix("http/1.1 200"), head.contains("transfer-encoding: chunked") else { throw POSIXError(.EPROTO) }
                headDone = true
                offset = end + 4
            }
            // Whole chunks only.
            while let lineEnd = find(Array("\r\n".utf8), from: offset) {
                guard let size = Int(String(decoding: received[offset..<lineEnd], as: UTF8.self), radix: 16), size > 0 else {
                    throw POSIXError(.EPROTO)
                }
                let dataStart = lineEnd + 2
                guard received.count >= dataStart + size + 2 else { break }
                guard received[dataStart + size] == 13, received[dataStart + size + 1] == 10 else { throw POSIXError(.EPROTO) }
                body += received[dataStart..<dataStart + size]
                offset = dataStart + size + 2
            }
            received.removeFirst(offset)
            offset = 0
            // Whole SSE events only (a blank line ends one).
            while let end = (0..<max(0, body.count - 1)).first(where: { body[$0] == 10 && body[$0 + 1] == 10 }) {
                let event = String(decoding: body[0..<end], as: UTF8.self)
                body.removeFirst(end + 2)
                if let id = event.split(separator: "\n").first(where: { $0.hasPrefix("id: ") }).flatMap({ UInt64($0.dropFirst(4)) }) {
                    ids.append(id)
                }
            }
        }
        return ids
    }
}
