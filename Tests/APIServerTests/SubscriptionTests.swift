import CommandService
import EventLog
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import Workflow

@testable import APIServer

@Suite("HTTP: event subscriptions (NDJSON pages and SSE)")
struct SubscriptionTests {
    @Test("NDJSON pages follow Next-Position with no gap or duplicate; filters by type, stream and prefix; audit.read needed")
    func pages() async throws {
        let harness = try await ServerHarness.make()
        try await harness.application.test(.router) { client in
            let base = "/v1/workspaces/acme"
            for index in 0..<5 {
                _ = try await client.execute(
                    uri: base + "/projects/p1/tasks", method: .post, headers: harness.headers("dev"), body: body(#"{"id":"t\#(index)","title":"T"}"#))
            }
            var positions: [Int] = []
            var next = 1
            while true {
                let page = try await client.execute(uri: base + "/events?from=\(next)&limit=4", method: .get, headers: harness.headers("auditor"))
                #expect(page.status == .ok)
                #expect(page.headers[.contentType] == "application/x-ndjson")
                let lines = page.text.split(separator: "\n")
                positions += lines.compactMap { line in
                    (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
                }.compactMap { $0["position"] as? Int }
                next = Int(page.headers[.init("Next-Position")!] ?? "") ?? 0
                if lines.isEmpty { break }
            }
            #expect(positions == Array(1...positions.count))
            let created = try await client.execute(uri: base + "/events?type=TaskCreated", method: .get, headers: harness.headers("auditor"))
            #expect(created.text.split(separator: "\n").count == 5)
            let one = try await client.execute(uri: base + "/events?stream=task-t3", method: .get, headers: harness.headers("auditor"))
            #expect(one.text.split(separator: "\n").count == 1 && one.text.contains("task-t3"))
            let prefixed = try await client.execute(uri: base + "/events?prefix=token-", method: .get, headers: harness.headers("auditor"))
            #expect(prefixed.text.split(separator: "\n").allSatisfy { $0.contains(#""subject":"token-"#) })
            // A plain member does not hold audit.read.
            try await client.execute(uri: base + "/events", method: .get, headers: harness.headers("dev")) { #expect($0.status == .forbidden) }
            try await client.execute(uri: base + "/events?limit=0", method: .get, headers: harness.headers("auditor")) {
                #expect($0.status == .badRequest)
            }
        }
        await harness.close()
    }

    // SSE runs over a real loopback connection (`.live`): a subscriber's loop runs on its connection's
    // event loop and is paced by that loop's timer, which the router test's simulated loop never runs.
    // Over both servers: the one `taskledger serve` runs writes the stream's chunks from the connection's
    // `StreamOutlet`, framed by Taskledger; Hummingbird's own writes them through its body writer. The
    // test client parses the chunked framing strictly either way.
    @Test(
        "SSE: catch-up then live events with id = position, resumed from Last-Event-ID without a gap or duplicate",
        arguments: [false, true])
    func serverSentEvents(served: Bool) async throws {
        let harness = try await ServerHarness.make()
        let server = harness.server
        let outletsBefore = server.subscriptions.outlets.streams
        try await harness.testLive(served: served) { client in
            let base = "/v1/workspaces/acme"
            let sse = harness.headers("auditor", json: false, [.accept: "text/event-stream"])
            // Appended while the subscription is open: the live part, on a connection of its own (the
            // test client's one connection is the subscriber's).
            let port = try #require(client.port)
            let appender = Task {
                try await Task.sleep(for: .milliseconds(300))
                try await TestClient.withClient(host: "127.0.0.1", port: port) { writer in
                    for index in 0..<3 {
                        let created = try await writer.execute(
                            .init(
                                base + "/projects/p1/tasks", method: .post, headers: harness.headers("dev"),
                                body: body(#"{"id":"live\#(index)","title":"L"}"#)))
                        #expect(created.status == .created)
                    }
                }
                try await Self.untilDelivered(server, through: "acme")
                server.endSubscriptions()
            }
            // The subscription lasts until the subscriptions end, which on a loaded machine (a full `make test`)
            // can be longer than the test client's default 15 s for a whole request (`readTimeout`, seen once).
            let response = try await TestClient.withClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(120))) {
                subscriber in
                try await subscriber.execute(.init(base + "/events?from=1&heartbeat=0.1", method: .get, headers: sse))
            }
            try await appender.value
            #expect(response.headers[.contentType] == "text/event-stream")
            let text = response.body.map { String(buffer: $0) } ?? ""
            let ids = text.split(separator: "\n").filter { $0.hasPrefix("id: ") }.compactMap { Int($0.dropFirst(4)) }
            #expect(ids == Array(1...ids.count), "every position once, in order")
            #expect(text.contains("event: TaskCreated"))
            #expect(text.contains("live2"))
            #expect(text.contains(": heartbeat"))
        }
        #expect(server.subscriptions.outlets.streams - outletsBefore == (served ? 1 : 0), "written from the outlet when served")
        await harness.close()
    }

    // Live over loopback: several subscribers share their writes when their filters and positions match
    // (`SSEFrameWindow.chunk`); each must still get exactly what its own filter admits.
    @Test("live subscribers with the same and with different filters each get exactly the events their filter admits", arguments: [false, true])
    func sharedWrites(served: Bool) async throws {
        let harness = try await ServerHarness.make()
        let server = harness.server
        try await harness.testLive(served: served) { client in
            let base = "/v1/workspaces/acme"
            let port = try #require(client.port)
            let log = try await server.registry.workspace("acme").log
            let from = log.head.position + 1
            let filters = ["type=TaskCreated", "type=TaskCreated", "type=TaskCreated", "", "prefix=task-s1", "type=CommentAdded,TaskCreated"]
            let sse = harness.headers("auditor", json: false, [.accept: "text/event-stream"])
            let subscribers = filters.map { filter in
                Task { () throws -> String in
                    // A subscriber's request lasts until the subscriptions end, which on a loaded machine can be
                    // longer than the test client's default 15 s for a whole request (CI: `readTimeout`).
                    try await TestClient.withClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(120))) { subscriber in
                        (try await subscriber.execute(.init(base + "/events?from=\(from)&\(filter)", method: .get, headers: sse)).body).map {
                            String(buffer: $0)
                        } ?? ""
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            for index in 0..<4 {
                let created = try await client.execute(
                    uri: base + "/projects/p1/tasks", method: .post, headers: harness.headers("dev"), body: body(#"{"id":"s\#(index)","title":"S"}"#))
                #expect(created.status == .created)
                let commented = try await client.execute(
                    uri: base + "/tasks/s\(index)/comments", method: .post, headers: harness.headers("dev"), body: body(#"{"body":"Note"}"#))
                #expect(commented.status == .created)
            }
            // Every subscriber has read every position appended (a heartbeat's time more), then they end.
            let head = log.head.position
            let deadline = ContinuousClock.now + .seconds(60)
            while server.subscriptions.deliveredCount < UInt64(filters.count) * (head - from + 1), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            try await Task.sleep(for: .milliseconds(200))
            server.endSubscriptions()
            for (filter, subscriber) in zip(filters, subscribers) {
                let ids = try await subscriber.value.split(separator: "\n").filter { $0.hasPrefix("id: ") }.compactMap { Int($0.dropFirst(4)) }
                // What the same filter gives as an NDJSON page over the same positions.
                let page = try await client.execute(
                    uri: base + "/events?from=\(from)&limit=1000&\(filter)", method: .get, headers: harness.headers("auditor"))
                let expected = page.text.split(separator: "\n").compactMap { line in
                    ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])?["position"] as? Int
                }
                #expect(!expected.isEmpty)
                #expect(ids == expected, "filter \(filter)")
            }
        }
        await harness.close()
    }

    // In router mode on purpose: the simulated connection is on no loop of the server's group, so the
    // subscription takes the other path (the global executor, the fallback pacer).
    @Test("SSE resumes after Last-Event-ID")
    func resume() async throws {
        let harness = try await ServerHarness.make()
        let server = harness.server
        try await harness.application.test(.router) { client in
            let ending = Task {
                try await Self.untilDelivered(server, through: "acme", from: 6)
                server.endSubscriptions()
            }
            let response = try await client.execute(
                uri: "/v1/workspaces/acme/events", method: .get,
                headers: harness.headers("auditor", json: false, [.accept: "text/event-stream", .init("Last-Event-ID")!: "5"]))
            try await ending.value
            let ids = response.text.split(separator: "\n").filter { $0.hasPrefix("id: ") }.compactMap { Int($0.dropFirst(4)) }
            #expect(ids.first == 6)
            #expect(ids == Array(6..<(6 + ids.count)))
        }
        await harness.close()
    }

    /// Waits until the open subscription was sent the workspace's log from `from` to its head (and a
    /// heartbeat's time more), so ending it cannot cut the stream short however slowly a loaded machine
    /// runs the test.
    private static func untilDelivered(_ server: TaskledgerServer, through workspace: String, from: UInt64 = 1) async throws {
        let head = try await server.registry.workspace(workspace).log.head.position
        let deadline = ContinuousClock.now + .seconds(60)
        while server.subscriptions.deliveredCount < head - (from - 1), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        try await Task.sleep(for: .milliseconds(200))
    }
}
