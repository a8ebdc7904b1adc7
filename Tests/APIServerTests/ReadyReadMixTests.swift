import Foundation
import HummingbirdTesting
import TestSupport
import Testing

@testable import APIServer

/// The front end to end: random runs of pipelined requests — ready reads, reads the router computes,
/// 304s, unknown routes, a percent-encoded path, bodies, a chunked body that ends the framing —
/// sent over one connection whole or in random pieces, to a server with the front and to one without. The answers'
/// statuses must be the same, in the same order, whatever the front answered itself. (No `HEAD`: the raw
/// client reads an answer's body by its `Content-Length`.)
@Suite("HTTP: the front against the router, random pipelined runs")
struct ReadyReadMixTests {
    private static let ws = "/v1/workspaces/acme"

    /// A request, with `TOKEN` for the server's token and `POSITION` for its log head at the start.
    private static let requests = [
        "GET \(ws)/projects/p1/board HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer TOKEN\r\n\r\n",
        "GET \(ws)/tasks/t1 HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer TOKEN\r\nConnection: keep-alive\r\n\r\n",
        "GET \(ws)/projects/p1/board/columns/doing?limit=2 HTTP/1.1\r\nAuthorization: Bearer TOKEN\r\nAccept: */*\r\n\r\n",
        "GET \(ws)/projects/p1/board?at=2 HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer TOKEN\r\n\r\n",
        "GET \(ws)/projects/p1/board HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer TOKEN\r\nIf-None-Match: \"pPOSITION\"\r\n\r\n",
        "GET \(ws)/projects/p%31/board HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer TOKEN\r\n\r\n",
        "GET \(ws)/no/such/route HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer TOKEN\r\n\r\n",
        "GET \(ws)/projects/p1/board?limit=0 HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer TOKEN\r\n\r\n",
        "POST \(ws)/projects/p1/tasks HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer TOKEN\r\nContent-Type: application/json\r\n"
            + "Content-Length: 7\r\n\r\n{\"id\":[",
        "GET \(ws)/projects/p1/board HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer TOKEN\r\nContent-Length: 2\r\n\r\n{}",
    ]
    /// Ends the front's framing: every request after it on the connection goes to the decoder.
    private static let chunked =
        "POST \(ws)/projects/p1/tasks HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer TOKEN\r\nContent-Type: application/json\r\n"
        + "Transfer-Encoding: chunked\r\n\r\n7\r\n{\"id\":[\r\n0\r\n\r\n"

    /// One server's answers to each run: statuses in order, and how many reads its front answered.
    private static func statuses(readyReads: Bool, runs: [(requests: [String], piece: Int?)]) async throws -> ([[Int]], Int) {
        let harness = try await ServerHarness.make(readyReads: readyReads)
        let answers = try await harness.servedApplication.test(.live) { client in
            let position = try await ReadyReadTests.populate(client, harness)
            let port = try #require(client.port)
            let token = harness.tokens["dev"]!
            // The first reads of each route at this position, so that the front has answers to give.
            for request in requests.prefix(3) {
                _ = try await RawHTTP.exchange(port: port, sending: request.replacingOccurrences(of: "TOKEN", with: token), answers: 1)
            }
            let before = try await ReadyReadTests.readyReads(client)
            var all: [[Int]] = []
            for run in runs {
                let text = run.requests.joined().replacingOccurrences(of: "TOKEN", with: token)
                    .replacingOccurrences(of: "POSITION", with: String(position))
                all.append(try await RawHTTP.exchange(port: port, sending: text, answers: run.requests.count, piece: run.piece).map(\.status))
            }
            return (all, try await ReadyReadTests.readyReads(client) - before)
        }
        await harness.close()
        return answers
    }

    @Test("60 random runs: the same statuses in the same order with the front as without it")
    func sameStatuses() async throws {
        var random = SplitMix64(seed: 29_112_026)
        var runs: [(requests: [String], piece: Int?)] = []
        for _ in 0..<60 {
            var run = (0..<Int.random(in: 2...7, using: &random)).map { _ in Self.requests.randomElement(using: &random)! }
            if Int.random(in: 0..<4, using: &random) == 0 { run.insert(Self.chunked, at: Int.random(in: 0...run.count, using: &random)) }
            // Pieces of 16 bytes and up: each piece is a `send` and a 0.2 ms pause, which a loaded CI machine
            // stretches to milliseconds (smaller pieces are `framingAcrossPieces`' and `chunkedEndsFraming`').
            runs.append((run, [nil, nil, nil, 16, 64, 256].randomElement(using: &random)!))
        }
        let (withFront, answeredInFront) = try await Self.statuses(readyReads: true, runs: runs)
        let (withoutFront, none) = try await Self.statuses(readyReads: false, runs: runs)
        #expect(none == 0)
        #expect(answeredInFront > 20, "the runs gave the front reads to answer: \(answeredInFront)")
        for (index, run) in runs.enumerated() {
            #expect(withFront[index] == withoutFront[index], "run \(index), pieces of \(String(describing: run.piece)): \(run.requests)")
        }
    }
}
