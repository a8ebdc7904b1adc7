import NIOCore
import NIOEmbedded
import NIOHTTP1
import TestSupport
import Testing

@testable import APIServer

/// `RequestHeadScan`: what it reads from a head, what it leaves unframed, and — since the front and NIO's
/// decoder must agree on where each request ends — that every head it frames, NIO's decoder frames the
/// same way.
@Suite("HTTP: the front's request head scan")
struct RequestHeadScanTests {
    private static func scan(_ text: String, limit: Int = ReadyReadFront.headLimit) -> RequestHeadScan.Outcome {
        scan(Array(text.utf8), limit: limit)
    }

    private static func scan(_ bytes: [UInt8], limit: Int = ReadyReadFront.headLimit) -> RequestHeadScan.Outcome {
        bytes.withUnsafeBytes { RequestHeadScan.scan($0, limit: limit) }
    }

    private static func head(_ text: String) -> RequestHeadScan? {
        if case .head(let head) = scan(text) { return head }
        return nil
    }

    private static func isUnframed(_ text: String) -> Bool {
        if case .unframed = scan(text) { return true }
        return false
    }

    private static let board = "GET /v1/workspaces/acme/projects/p1/board?limit=5 HTTP/1.1\r\n"

    @Test("a plain GET: its length, target and the two fields the front reads, names in any case, values trimmed")
    func plainGet() throws {
        let text = Self.board + "Host: x\r\naUTHORIZATION: \t Bearer tl_a.b.c \t\r\nif-none-match: \"p3\"\r\nAccept: */*\r\n\r\n"
        let head = try #require(Self.head(text + "GET /next HTTP/1.1\r\n"))
        #expect(head.length == text.utf8.count)
        #expect(head.isPlainGet && !head.isRepeated && head.bodyLength == 0)
        #expect(head.target == "/v1/workspaces/acme/projects/p1/board?limit=5")
        #expect(head.authorization == "Bearer tl_a.b.c")
        #expect(head.ifNoneMatch == "\"p3\"")
        #expect(Self.head(Self.board + "\r\n")?.authorization == nil)
        #expect(Self.head(Self.board + "Connection: Keep-Alive\r\n\r\n")?.isPlainGet == true)
    }

    @Test("framed, but for the router: other methods, a body, HTTP/1.0, Connection, Upgrade, Expect, a repeated field")
    func framedForTheRouter() throws {
        let post = try #require(Self.head("POST /v1/workspaces/acme/tasks/t1/comments HTTP/1.1\r\nContent-Length: 12\r\n\r\n"))
        #expect(!post.isPlainGet && post.bodyLength == 12)
        let cases = [
            "GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", "GET / HTTP/1.0\r\n\r\n", "HEAD / HTTP/1.1\r\n\r\n",
            "GET / HTTP/1.1\r\nConnection: close\r\n\r\n", "GET / HTTP/1.1\r\nConnection: keep-alive, Upgrade\r\n\r\n",
            "GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n", "GET / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n",
        ]
        for text in cases {
            let head = try #require(Self.head(text), "\(text)")
            #expect(!head.isPlainGet, "\(text)")
            // After these the connection is not kept alive as is: nothing more is framed.
            #expect(head.endsFraming == (text.contains("1.0") || text.contains("Connection") || text.contains("Upgrade")), "\(text)")
        }
        #expect(post.endsFraming == false)
        #expect(Self.head(Self.board + "Authorization: a\r\nAuthorization: b\r\n\r\n")?.isRepeated == true)
        #expect(Self.head(Self.board + "If-None-Match: a\r\nif-none-match: b\r\n\r\n")?.isRepeated == true)
    }

    @Test("every proper prefix of a head is incomplete, also when each scan resumes the last; no blank line within the limit is unframed")
    func incompleteAndLimit() {
        let text = Self.board + "Host: x\r\nAuthorization: Bearer t\r\n\r\n"
        let bytes = Array(text.utf8)
        for length in 0..<bytes.count {
            guard case .incomplete = Self.scan(Array(bytes[0..<length])) else {
                Issue.record("prefix of \(length) bytes")
                continue
            }
        }
        if case .head = Self.scan(bytes) {} else { Issue.record("the whole head") }
        // A byte at a time, each scan resuming where the last found no head end: the same head, found once.
        var searched = 0
        for length in 1...bytes.count {
            let outcome = Array(bytes[0..<length]).withUnsafeBytes { RequestHeadScan.scan($0, limit: 1_000, searched: searched) }
            switch outcome {
            case .incomplete: searched = length
            case .head(let head): #expect(length == bytes.count && head.length == bytes.count && head.isPlainGet)
            case .unframed: Issue.record("unframed at \(length) bytes")
            }
        }
        #expect(searched == bytes.count - 1)
        if case .unframed = Self.scan(bytes, limit: bytes.count - 1) {} else { Issue.record("over the limit") }
        let long = Self.board + "Cookie: " + String(repeating: "a", count: 20_000)
        #expect(Self.isUnframed(long))
    }

    @Test("not plain HTTP/1.1: unframed, for the decoder alone to read")
    func unframed() {
        let cases = [
            "GET / HTTP/1.1\nHost: x\r\n\r\n",  // a bare LF
            "GET / HTTP/1.1\r\nHost: x\n\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\ry\r\n\r\n",  // a bare CR
            "GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",  // obs-fold
            "GET / HTTP/1.1\r\nHost : x\r\n\r\n",  // space before the colon
            "GET / HTTP/1.1\r\n: x\r\n\r\n", "GET / HTTP/1.1\r\nno colon\r\n\r\n",
            "GET / HTTP/1.1\r\nX: a\u{0}b\r\n\r\n", "GET / HTTP/1.1\r\nX: a\u{7F}\r\n\r\n",
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\n", "POST / HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length:\r\n\r\n", "POST / HTTP/1.1\r\nContent-Length: 1234567890123456\r\n\r\n",
            "\r\nGET / HTTP/1.1\r\n\r\n", "GET  / HTTP/1.1\r\n\r\n", "GET * HTTP/1.1\r\n\r\n", "GET http://x/ HTTP/1.1\r\n\r\n",
            "GET / HTTP/2.0\r\n\r\n", "GET / http/1.1\r\n\r\n", "GET /\u{1}x HTTP/1.1\r\n\r\n", "G(T / HTTP/1.1\r\n\r\n", "get / HTTP/1.1\r\n\r\n",
            "BREW / HTTP/1.1\r\n\r\n",
            "GET / HTTP/1.1 \r\n\r\n",
        ]
        for text in cases { #expect(Self.isUnframed(text), "\(text.debugDescription)") }
    }

    /// One request as NIO's HTTP/1.1 decoder (llhttp, as the server configures it) reads it from the start
    /// of `bytes`: its method, target, body length and the `Authorization` it sees, then the target of
    /// the request after it. Nil when the decoder refuses the bytes.
    private static func decoded(_ bytes: [UInt8]) throws -> (method: HTTPMethod, uri: String, body: Int, authorization: [String], next: String?)? {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
        defer { _ = try? channel.finish() }
        do {
            try channel.writeInbound(channel.allocator.buffer(bytes: bytes))
        } catch {
            return nil
        }
        var parts: [HTTPServerRequestPart] = []
        while let part = try channel.readInbound(as: HTTPServerRequestPart.self) { parts.append(part) }
        guard case .head(let head)? = parts.first else { return nil }
        var body = 0
        var index = 1
        while index < parts.count, case .body(let chunk) = parts[index] {
            body += chunk.readableBytes
            index += 1
        }
        guard index < parts.count, case .end = parts[index] else { return nil }
        var next: String?
        if index + 1 < parts.count, case .head(let following) = parts[index + 1] { next = following.uri }
        return (head.method, head.uri, body, head.headers["Authorization"], next)
    }

    /// Heads made of pieces chosen at random — plain and odd request lines, fields, line ends, bodies —
    /// each followed by its body and a plain request. Whenever the scan frames one, NIO's decoder must
    /// accept it and end it in the same place: the next request it finds is the one that follows.
    @Test("wherever the scan frames a request, NIO's decoder frames the same request (10,000 random heads)")
    func agreesWithTheDecoder() throws {
        var random = SplitMix64(seed: 20_261_129)
        let requestLines = [
            "GET /v1/workspaces/acme/projects/p1/board HTTP/1.1", "GET /a?b=c&d=%20 HTTP/1.1", "POST /v1/workspaces/acme/tasks HTTP/1.1",
            "PUT /x HTTP/1.1", "GET / HTTP/1.0", "DELETE /y HTTP/1.1", "GET  / HTTP/1.1", "GET / HTTP/1.1 ", "get / HTTP/1.1",
            "GET /\u{80} HTTP/1.1", "GET *", "OPTIONS * HTTP/1.1",
        ]
        let fields = [
            "Host: localhost", "Authorization: Bearer tl_acme.k1.secret", "authorization:Bearer x", "If-None-Match: \"p7\"",
            "Accept: */*", "X-Empty:", "X-Tab:\ta\tb\t", "X-High: caf\u{E9}", "Connection: keep-alive", "Connection: close",
            "Content-Length: 0", "Content-Length: 3", "Content-Length: 17", "content-length:  5 ", "Content-Length: 03",
            "Content-Length: -1", "Content-Length: 3, 3", "Transfer-Encoding: chunked", "Transfer-Encoding: identity",
            "X: a\u{0}", "Host : x", " folded", "\tfolded", "NoColon", ": empty", "X-Del: \u{7F}", "Upgrade: h2c", "Expect: 100-continue",
            "X-Quote: \"a\\\"b\"", "X-Long: " + String(repeating: "v", count: 300),
        ]
        let lineEnds = Array(repeating: "\r\n", count: 14) + ["\n", "\r"]
        var framed = 0
        for _ in 0..<10_000 {
            var text = requestLines.randomElement(using: &random)! + lineEnds.randomElement(using: &random)!
            for _ in 0..<Int.random(in: 0...5, using: &random) {
                text += fields.randomElement(using: &random)! + lineEnds.randomElement(using: &random)!
            }
            text += "\r\n"
            var bytes = Array(text.utf8)
            guard case .head(let head) = Self.scan(bytes) else { continue }
            framed += 1
            bytes += (0..<head.bodyLength).map { _ in UInt8.random(in: 0x20...0x7E, using: &random) }
            // After a head that ends the framing the decoder reads no next request (it refuses bytes after `close`).
            if !head.endsFraming { bytes += Array("GET /next HTTP/1.1\r\nHost: n\r\n\r\n".utf8) }
            let decoded = try #require(try Self.decoded(bytes), "the decoder refused what the scan framed: \(text.debugDescription)")
            #expect(decoded.uri == head.target, "\(text.debugDescription)")
            #expect(decoded.body == head.bodyLength, "\(text.debugDescription)")
            #expect(decoded.next == (head.endsFraming ? nil : "/next"), "\(text.debugDescription)")
            if head.isPlainGet, !head.isRepeated {
                #expect(decoded.method == .GET)
                #expect(decoded.authorization == (head.authorization.map { [$0] } ?? []), "\(text.debugDescription)")
            }
        }
        #expect(framed > 1_000, "too few framed heads to say much: \(framed)")
    }
}
