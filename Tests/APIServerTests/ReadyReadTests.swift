import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import APIServer

/// Reads answered on the event loop, ahead of the HTTP decoder (`ReadyReadFront`), against the same reads answered by the router:
/// over a real loopback connection, since the handler sits in the connection's channel pipeline.
@Suite("HTTP: reads answered on the event loop")
struct ReadyReadTests {
    private static let ws = "/v1/workspaces/acme"

    /// The ready-read count in `/metrics`.
    static func readyReads(_ client: some TestClientProtocol) async throws -> Int {
        let metrics = try await client.execute(uri: "/metrics", method: .get).text
        let line = try #require(metrics.split(separator: "\n").first { $0.hasPrefix("taskledger_http_ready_reads_total ") })
        return try #require(Int(line.split(separator: " ")[1]))
    }

    /// Every header but `Date`, which only says when.
    private static func fields(_ response: TestResponse) -> [String] {
        response.headers.filter { $0.name != .date }.map { "\($0.name.canonicalName.lowercased()): \($0.value)" }
    }

    /// Tasks, a move, a comment, so every read model has rows.
    static func populate(_ client: some TestClientProtocol, _ harness: ServerHarness) async throws -> Int {
        var position = 0
        for index in 0..<3 {
            let created = try await client.execute(
                uri: ws + "/projects/p1/tasks", method: .post, headers: harness.headers("dev"),
                body: body(#"{"id":"t\#(index)","title":"Task \#(index)","estimate":"\#(index + 1)pt"}"#))
            #expect(created.status == .created, "\(created.text)")
        }
        let moved = try await client.execute(
            uri: ws + "/tasks/t1/moves", method: .post, headers: harness.headers("dev"), body: body(#"{"to":"doing"}"#))
        position = try #require(moved.json["position"] as? Int)
        let commented = try await client.execute(
            uri: ws + "/tasks/t1/comments", method: .post, headers: harness.headers("dev"), body: body(#"{"id":"c1","body":"On it"}"#))
        position = try #require(commented.json["position"] as? Int)
        return position
    }

    @Test("a read asked again at the same position is answered on the event loop, with the router's status, headers and body")
    func sameAnswers() async throws {
        let notModified = try await Self.routersNotModified()
        #expect(notModified.contains("server: taskledger"))
        let harness = try await ServerHarness.make()
        try await harness.servedApplication.test(.live) { client in
            let position = try await Self.populate(client, harness)
            let reads: [(token: String, uri: String)] = [
                ("dev", "/projects/p1/board?minPosition=\(position)"),
                ("dev", "/projects/p1/board/columns/doing"),
                ("dev", "/projects/p1/board/columns/backlog?limit=1"),
                ("dev", "/projects/p1/tasks"),
                ("dev", "/tasks/t1"),
                ("dev", "/tasks/t1/history"),
                ("dev", "/projects/p1/progress"),
                ("dev", "/projects/p1/burndown"),
                ("dev", "/projections/board/columns?project=p1&limit=2"),
                ("auditor", "/audit?limit=2"),
                ("auditor", "/audit?type=TaskCreated&match=Task"),
                ("acme-admin", "/activity"),
            ]
            for (token, uri) in reads {
                // The first time at this position: computed by the router. The second: the answer kept.
                let before = try await Self.readyReads(client)
                let computed = try await client.execute(uri: Self.ws + uri, method: .get, headers: harness.headers(token, json: false))
                #expect(computed.status == .ok, "\(uri): \(computed.text)")
                #expect(try await Self.readyReads(client) == before, "\(uri): the first read is the router's")
                let ready = try await client.execute(uri: Self.ws + uri, method: .get, headers: harness.headers(token, json: false))
                #expect(try await Self.readyReads(client) == before + 1, "\(uri): the second read is answered on the loop")
                #expect(ready.status == computed.status)
                #expect(Self.fields(ready) == Self.fields(computed), "\(uri)")
                #expect(ready.body == computed.body, "\(uri)")
                #expect(ready.headers[.date] != nil)

                // Not modified: the same 304 both ways.
                let tag = try #require(computed.headers[.eTag])
                let unchanged = try await client.execute(
                    uri: Self.ws + uri, method: .get, headers: harness.headers(token, json: false, [.ifNoneMatch: tag]))
                #expect(unchanged.status == .notModified)
                #expect(try await Self.readyReads(client) == before + 2)
                #expect(Self.fields(unchanged) == notModified.map { $0.hasPrefix("etag: ") ? "etag: \(tag)" : $0 }, "\(uri)")
            }
        }
        await harness.close()
    }

    /// The router's 304, from a server without ready reads.
    private static func routersNotModified() async throws -> [String] {
        let harness = try await ServerHarness.make(readyReads: false)
        let fields = try await harness.servedApplication.test(.live) { client in
            let board = try await client.execute(
                uri: ws + "/projects/p1/board?minPosition=1", method: .get, headers: harness.headers("dev", json: false))
            let tag = try #require(board.headers[.eTag])
            let unchanged = try await client.execute(
                uri: ws + "/projects/p1/board", method: .get, headers: harness.headers("dev", json: false, [.ifNoneMatch: tag]))
            #expect(unchanged.status == .notModified)
            #expect(try await readyReads(client) == 0)
            return Self.fields(unchanged)
        }
        await harness.close()
        return fields
    }

    @Test("what the loop cannot answer at once goes to the router, which answers as before")
    func passedOn() async throws {
        let harness = try await ServerHarness.make()
        try await harness.servedApplication.test(.live) { client in
            let position = try await Self.populate(client, harness)
            let board = Self.ws + "/projects/p1/board"
            _ = try await client.execute(uri: board, method: .get, headers: harness.headers("dev", json: false))
            let before = try await Self.readyReads(client)
            // Problems: no token, a revoked one, another workspace's, an auditor-only read by a member.
            try await client.execute(uri: board, method: .get) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: board, method: .get, headers: harness.headers("revoked", json: false)) {
                #expect($0.status == .unauthorized)
            }
            try await client.execute(uri: board, method: .get, headers: harness.headers("globex-admin", json: false)) {
                #expect($0.status == .notFound)
            }
            try await client.execute(uri: Self.ws + "/audit", method: .get, headers: harness.headers("dev", json: false)) {
                #expect($0.status == .forbidden)
            }
            // As of a position, and a position the read model has not reached: the router's (a 504 after 5 s).
            try await client.execute(uri: board + "?at=\(position - 1)", method: .get, headers: harness.headers("dev", json: false)) {
                #expect($0.status == .ok)
                #expect($0.json["position"] as? Int == position - 1)
            }
            // A bad parameter of an otherwise ready read: the router's 400.
            try await client.execute(uri: board + "?limit=0", method: .get, headers: harness.headers("dev", json: false)) {
                #expect($0.status == .badRequest)
            }
            // Two Authorization headers: the router reads them joined, which is no token.
            var twice = harness.headers("dev", json: false)
            twice.append(HTTPField(name: .authorization, value: "Bearer " + harness.tokens["dev"]!))
            try await client.execute(uri: board, method: .get, headers: twice) { #expect($0.status == .unauthorized) }
            // A percent-encoded path is not matched here: the router answers it, decoded (`p%31` is `p1`), with the same board.
            try await client.execute(uri: Self.ws + "/projects/p%31/board", method: .get, headers: harness.headers("dev", json: false)) {
                #expect($0.status == .ok)
                #expect($0.json["position"] as? Int == position)
            }
            try await client.execute(uri: Self.ws + "/projects/p%32/board", method: .get, headers: harness.headers("dev", json: false)) {
                #expect($0.status == .notFound)
                #expect($0.json["detail"] as? String == #"project "p2" does not exist"#)
            }
            #expect(try await Self.readyReads(client) == before)
            // After a write the kept answer is stale: the router computes the new one, then the loop has it.
            let moved = try await client.execute(
                uri: Self.ws + "/tasks/t2/moves", method: .post, headers: harness.headers("dev"), body: body(#"{"to":"doing"}"#))
            let movedAt = try #require(moved.json["position"] as? Int)
            let fresh = try await client.execute(uri: board + "?minPosition=\(movedAt)", method: .get, headers: harness.headers("dev", json: false))
            #expect(try await Self.readyReads(client) == before)
            let again = try await client.execute(uri: board, method: .get, headers: harness.headers("dev", json: false))
            #expect(try await Self.readyReads(client) == before + 1)
            #expect(again.body == fresh.body)
            #expect((fresh.json["position"] as? Int ?? 0) > position)

            // The connection keeps the token it found good; revoking it ends that at once.
            try await client.execute(uri: Self.ws + "/tokens/k-dev", method: .delete, headers: harness.headers("acme-admin")) {
                #expect($0.status == .ok || $0.status == .noContent, "\($0.text)")
            }
            try await client.execute(uri: board, method: .get, headers: harness.headers("dev", json: false)) {
                #expect($0.status == .unauthorized)
            }
            #expect(try await Self.readyReads(client) == before + 1)
        }
        await harness.close()
    }

    @Test("a connection's kept caller no longer holds once its workspace is closed: the router answers 503 shutting-down")
    func closedWorkspace() async throws {
        let harness = try await ServerHarness.make()
        try await harness.servedApplication.test(.live) { client in
            let position = try await Self.populate(client, harness)
            let board = Self.ws + "/projects/p1/board"
            // The router computes the answer at the head; then the loop has it.
            _ = try await client.execute(uri: board + "?minPosition=\(position)", method: .get, headers: harness.headers("dev", json: false))
            let before = try await Self.readyReads(client)
            try await client.execute(uri: board, method: .get, headers: harness.headers("dev", json: false)) { #expect($0.status == .ok) }
            #expect(try await Self.readyReads(client) == before + 1, "the loop answers while the workspace is open")
            // What a shutdown does first: the token, its check and the kept answer are all still in memory,
            // but the workspace they belong to is no longer the one open under its name.
            await harness.server.registry.closeAll()
            try await client.execute(uri: board, method: .get, headers: harness.headers("dev", json: false)) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.json["code"] as? String == "shutting-down", "\(response.text)")
            }
            #expect(try await Self.readyReads(client) == before + 1)
        }
    }

    @Test("the rate limit holds for reads answered on the loop: 429 once the token's burst is spent")
    func rateLimited() async throws {
        let harness = try await ServerHarness.make(tokenRate: 0.01, tokenBurst: 8)
        try await harness.servedApplication.test(.live) { client in
            var statuses: [HTTPResponse.Status] = []
            for index in 0..<10 {
                // The first waits for the board's first build (the workspace opens on this request).
                let response = try await client.execute(
                    uri: Self.ws + "/projects/p1/board" + (index == 0 ? "?minPosition=1" : ""), method: .get,
                    headers: harness.headers("dev", json: false))
                statuses.append(response.status)
            }
            #expect(statuses.prefix(8).allSatisfy { $0 == .ok }, "\(statuses)")
            #expect(statuses.suffix(2).allSatisfy { $0 == .tooManyRequests }, "\(statuses)")
            #expect(try await Self.readyReads(client) == 7)
        }
        await harness.close()
    }

    /// HTTP/1.1 pipelining: the answers come back in the order of the requests, whichever path answers
    /// each. Three reads sent in one write: ready, not ready ("as of"), ready.
    @Test("pipelined requests are answered in order when the loop and the router answer alternately")
    func pipelinedInOrder() async throws {
        let harness = try await ServerHarness.make()
        try await harness.servedApplication.test(.live) { client in
            let position = try await Self.populate(client, harness)
            let port = try #require(client.port)
            let authorization = "Bearer " + harness.tokens["dev"]!
            _ = try await client.execute(uri: Self.ws + "/projects/p1/board", method: .get, headers: harness.headers("dev", json: false))
            _ = try await client.execute(uri: Self.ws + "/tasks/t1", method: .get, headers: harness.headers("dev", json: false))
            let targets = [
                Self.ws + "/projects/p1/board", Self.ws + "/projects/p1/board?at=\(position - 2)", Self.ws + "/tasks/t1",
                Self.ws + "/projects/p1/board?at=\(position - 1)",
            ]
            let requests = targets.map { "GET \($0) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: \(authorization)\r\n\r\n" }.joined()
            let answers = try await RawHTTP.exchange(port: port, sending: requests, answers: targets.count)
            #expect(answers.map(\.status) == [200, 200, 200, 200])
            let positions = answers.map { (try? JSONSerialization.jsonObject(with: $0.body) as? [String: Any])?["position"] as? Int }
            #expect(positions == [position, position - 2, position, position - 1], "\(answers.map { String(decoding: $0.body, as: UTF8.self) })")
            #expect(answers[2].body.count > 0 && String(decoding: answers[2].body, as: UTF8.self).contains("\"t1\""))
        }
        await harness.close()
    }

    /// The status line and fields without `Date`, which only says when, and with the `ETag` as `tag`.
    private static func comparable(_ head: String, tag: String? = nil) -> [String] {
        head.split(separator: "\r\n").filter { !$0.hasPrefix("Date: ") }.map { line in
            guard let tag, line.hasPrefix("ETag: ") else { return String(line) }
            return "ETag: " + tag
        }
    }

    /// A `GET` over its own connection, read as bytes.
    private static func rawGet(_ port: Int, _ target: String, token: String, _ extra: String = "") async throws -> RawHTTP.Answer {
        let request = "GET \(ws)\(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\n\(extra)\r\n"
        return try await RawHTTP.exchange(port: port, sending: request, answers: 1)[0]
    }

    @Test("the front's answer is the router's, byte for byte but for Date: a 200, and a 304 beside a server without the front")
    func sameBytes() async throws {
        let harness = try await ServerHarness.make()
        let (ready, readyNotModified) = try await harness.servedApplication.test(.live) { client in
            let position = try await Self.populate(client, harness)
            let port = try #require(client.port)
            let token = harness.tokens["dev"]!
            let before = try await Self.readyReads(client)
            let computed = try await Self.rawGet(port, "/projects/p1/board?minPosition=\(position)", token: token)
            let ready = try await Self.rawGet(port, "/projects/p1/board?minPosition=\(position)", token: token)
            #expect(try await Self.readyReads(client) == before + 1)
            #expect(Self.comparable(ready.head) == Self.comparable(computed.head), "\(ready.head)\n\(computed.head)")
            #expect(ready.body == computed.body && !ready.body.isEmpty)
            #expect(ready.head.hasPrefix("HTTP/1.1 200 OK\r\n") && ready.head.contains("\r\nContent-Length: \(ready.body.count)\r\n"))
            let notModified = try await Self.rawGet(port, "/projects/p1/board", token: token, "If-None-Match: \"p\(position)\"\r\n")
            #expect(try await Self.readyReads(client) == before + 2)
            return (ready, notModified)
        }
        await harness.close()
        #expect(readyNotModified.status == 304 && readyNotModified.body.isEmpty)

        let routerOnly = try await ServerHarness.make(readyReads: false)
        try await routerOnly.servedApplication.test(.live) { client in
            let position = try await Self.populate(client, routerOnly)
            let port = try #require(client.port)
            let token = routerOnly.tokens["dev"]!
            let computed = try await Self.rawGet(port, "/projects/p1/board?minPosition=\(position)", token: token)
            let notModified = try await Self.rawGet(port, "/projects/p1/board", token: token, "If-None-Match: \"p\(position)\"\r\n")
            #expect(try await Self.readyReads(client) == 0)
            #expect(Self.comparable(notModified.head) == Self.comparable(readyNotModified.head), "\(notModified.head)\n\(readyNotModified.head)")
            // The 200's fields by name and order (the two servers' boards may differ in their bytes).
            let names = { (head: String) in Self.comparable(head).map { $0.prefix { $0 != ":" } } }
            #expect(names(computed.head) == names(ready.head))
        }
        await routerOnly.close()
    }

    @Test("requests sent a few bytes at a time, a body among them: each passed on whole, ready ones answered in front, in order")
    func framingAcrossPieces() async throws {
        let harness = try await ServerHarness.make()
        try await harness.servedApplication.test(.live) { client in
            _ = try await Self.populate(client, harness)
            let port = try #require(client.port)
            let authorization = "Authorization: Bearer " + harness.tokens["dev"]!
            _ = try await client.execute(uri: Self.ws + "/tasks/t1", method: .get, headers: harness.headers("dev", json: false))
            let before = try await Self.readyReads(client)
            let comment = #"{"id":"c9","body":"Sent in pieces"}"#
            let requests = [
                "GET \(Self.ws)/tasks/t1 HTTP/1.1\r\nHost: h\r\n\(authorization)\r\n\r\n",
                "POST \(Self.ws)/tasks/t2/comments HTTP/1.1\r\nHost: h\r\n\(authorization)\r\nContent-Type: application/json\r\n"
                    + "Content-Length: \(comment.utf8.count)\r\n\r\n\(comment)",
                "GET \(Self.ws)/tasks/t2 HTTP/1.1\r\nHost: h\r\n\(authorization)\r\n\r\n",
            ]
            let answers = try await RawHTTP.exchange(port: port, sending: requests.joined(), answers: 3, piece: 5)
            #expect(answers.map(\.status) == [200, 201, 200], "\(answers.map { String(decoding: $0.body, as: UTF8.self) })")
            #expect(String(decoding: answers[0].body, as: UTF8.self).contains("\"t1\""))
            #expect(String(decoding: answers[1].body, as: UTF8.self).contains("\"position\""))
            // The first read was ready; the last came while the comment's answer was owed, so the router had it.
            #expect(try await Self.readyReads(client) == before + 1)
        }
        await harness.close()
    }

    @Test("after a chunked body the front frames no more: every later request on that connection goes to the router")
    func chunkedEndsFraming() async throws {
        let harness = try await ServerHarness.make()
        try await harness.servedApplication.test(.live) { client in
            let position = try await Self.populate(client, harness)
            let port = try #require(client.port)
            let authorization = "Authorization: Bearer " + harness.tokens["dev"]!
            _ = try await client.execute(uri: Self.ws + "/tasks/t1", method: .get, headers: harness.headers("dev", json: false))
            let before = try await Self.readyReads(client)
            let comment = #"{"id":"c9","body":"Chunked"}"#
            let read = "GET \(Self.ws)/tasks/t1?minPosition=\(position + 1) HTTP/1.1\r\nHost: h\r\n\(authorization)\r\n\r\n"
            let requests = [
                "GET \(Self.ws)/tasks/t1 HTTP/1.1\r\nHost: h\r\n\(authorization)\r\n\r\n",
                "POST \(Self.ws)/tasks/t2/comments HTTP/1.1\r\nHost: h\r\n\(authorization)\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n\(String(comment.utf8.count, radix: 16))\r\n\(comment)\r\n0\r\n\r\n",
                read, read,
            ]
            // The last read is sent once the others are answered, in pieces: in reads of its own, while
            // nothing is owed, so only the ended framing keeps it from the front.
            let answers = try await RawHTTP.exchange(port: port, steps: [(requests.dropLast().joined(), 3), (read, 1)], piece: 7)
            #expect(answers.map(\.status) == [200, 201, 200, 200], "\(answers.map { String(decoding: $0.body, as: UTF8.self) })")
            #expect(answers[2].body == answers[3].body)
            // The last read was ready (the third computed it at the same position), yet the router answered it.
            #expect(try await Self.readyReads(client) == before + 1)
            // A new connection is framed again: the same read, now answered in front.
            _ = try await Self.rawGet(port, "/tasks/t1?minPosition=\(position + 1)", token: harness.tokens["dev"]!)
            #expect(try await Self.readyReads(client) == before + 2)
        }
        await harness.close()
    }

    /// The loop's route table is the router's: every read route it matches is a `GET` route the router
    /// has under the same name (the metrics' label), and no other `GET` route of the router is taken
    /// for one of its reads.
    @Test("the ready reads' routes are the router's GET routes of the same names")
    func routesAreTheRouters() async throws {
        let harness = try await ServerHarness.make()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let gets = harness.server.router(logger: logger).routes.filter { $0.method == .get }.map { $0.path.description }
        for route in ReadyReads.routes {
            #expect(gets.contains(route.endpoint), "\(route.endpoint) is not a GET route of the router")
        }
        for path in gets where path.hasPrefix(ReadyReads.prefix) {
            // The route with each parameter replaced by a plain value.
            let concrete = path.split(separator: "/").map { $0.hasPrefix("{") ? "x1" : String($0) }.joined(separator: "/")
            if let route = ReadyReads.match("/" + concrete + "?limit=5")?.route {
                #expect(route.endpoint == path, "\(path) would be answered as \(route.endpoint)")
            }
        }
        #expect(ReadyReads.match("/v1/workspaces/acme/projects/p1/board")?.route.endpoint == "/v1/workspaces/{ws}/projects/{project}/board")
        #expect(ReadyReads.match("/v1/workspaces/acme/projects/p%31/board") == nil)
        #expect(ReadyReads.match("/v1/workspaces/acme/projects//board") == nil)
        #expect(ReadyReads.match("/v1/workspaces/acme/tasks/t1/comments") == nil)
        await harness.close()
    }
}

/// A client that sends raw bytes over one connection and reads `Content-Length` answers: for
/// pipelining, which the test client does not do.
enum RawHTTP {
    struct Answer {
        let status: Int
        /// The status line and the fields, through the blank line, as sent.
        let head: String
        let body: Data
    }

    /// Sends `text` and reads `count` answers, on a thread of its own: blocking socket calls on the
    /// test's task would hold one of the few threads of the pool the in-process server needs to answer.
    /// With `piece`, the bytes go out that many at a time, each its own `send` (with `TCP_NODELAY`), so
    /// the server reads heads and bodies in parts.
    static func exchange(port: Int, sending text: String, answers count: Int, piece: Int? = nil) async throws -> [Answer] {
        try await exchange(port: port, steps: [(text, count)], piece: piece)
    }

    /// Over one connection, each step's bytes, then its answers, before the next step is sent.
    static func exchange(port: Int, steps: [(send: String, answers: Int)], piece: Int? = nil) async throws -> [Answer] {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try blockingExchange(port: port, steps: steps, piece: piece) }) }.start()
        }
    }

    private static func blockingExchange(port: Int, steps: [(send: String, answers: Int)], piece: Int?) throws -> [Answer] {
        let socket = try connectLoopback(port: port, receiveTimeout: 20)
        defer { close(socket) }
        var noDelay: Int32 = 1
        setsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        var received = Data()
        var answers: [Answer] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        for step in steps {
            let bytes = Array(step.send.utf8)
            var sent = 0
            while sent < bytes.count {
                let length = min(piece ?? bytes.count, bytes.count - sent)
                guard bytes[sent..<sent + length].withUnsafeBytes({ send(socket, $0.baseAddress, length, 0) }) == length else {
                    throw POSIXError(.EIO)
                }
                sent += length
                if piece != nil { usleep(200) }
            }
            let wanted = answers.count + step.answers
            while answers.count < wanted {
                if let (answer, used) = parse(received) {
                    answers.append(answer)
                    received.removeFirst(used)
                    continue
                }
                let read = recv(socket, &buffer, buffer.count, 0)
                guard read > 0 else { throw POSIXError(.ETIMEDOUT) }
                received.append(contentsOf: buffer[0..<read])
            }
        }
        return answers
    }

    /// One whole answer at the start of `data`, and how many bytes it took.
    private static func parse(_ data: Data) -> (Answer, Int)? {
        guard let end = data.range(of: Data("\r\n\r\n".utf8)) else { return nil }
        let headText = String(decoding: data[data.startIndex..<end.upperBound], as: UTF8.self)
        let head = headText.split(separator: "\r\n")
        guard let statusLine = head.first, let status = Int(statusLine.split(separator: " ")[1]) else { return nil }
        let length =
            head.dropFirst().compactMap { line -> Int? in
                let parts = line.split(separator: ":", maxSplits: 1)
                return parts[0].lowercased() == "content-length" ? Int(parts[1].trimmingCharacters(in: .whitespaces)) : nil
            }.first ?? 0
        let bodyStart = end.upperBound
        guard data.endIndex - bodyStart >= length else { return nil }
        return (Answer(status: status, head: headText, body: Data(data[bodyStart..<bodyStart + length])), bodyStart + length - data.startIndex)
    }
}
