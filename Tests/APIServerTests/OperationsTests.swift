import APIServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@Suite("HTTP: health, readiness and metrics")
struct OperationsTests {
    @Test("openAll opens every workspace directory in name order, skips what is not a workspace, and readyz then counts them")
    func openAll() async throws {
        let harness = try await ServerHarness.make()
        let workspaces = harness.directory.path + "/workspaces"
        // A directory with a valid name but no log, and one whose name no workspace can have.
        try FileManager.default.createDirectory(atPath: workspaces + "/empty", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: workspaces + "/Not A Name", withIntermediateDirectories: true)
        let registry = harness.server.registry
        #expect(registry.openingProgress == nil)
        try await harness.application.test(.router) { client in
            let before = try await client.execute(uri: "/readyz", method: .get)
            #expect(before.status == .ok && before.text.contains(#""openWorkspaces":0"#), "\(before.text)")
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            await registry.openAll(logger: logger)
            let progress = try #require(registry.openingProgress)
            #expect(progress.tried == 3 && progress.total == 3 && progress.isFinished, "\(progress)")
            // Ready once every read model of both has built its first database.
            var after = try await client.execute(uri: "/readyz", method: .get)
            for _ in 0..<200 where after.status != .ok {
                #expect(after.status == .serviceUnavailable && after.text.contains("projections-building"), "\(after.text)")
                try await Task.sleep(for: .milliseconds(50))
                after = try await client.execute(uri: "/readyz", method: .get)
            }
            #expect(after.status == .ok && after.text.contains(#""openWorkspaces":2"#), "\(after.text)")
            let metrics = try await client.execute(uri: "/metrics", method: .get).text
            #expect(metrics.contains(#"taskledger_log_head_position{workspace="acme"}"#))
            #expect(metrics.contains(#"taskledger_log_head_position{workspace="globex"}"#))
            // The directory without a log is not a workspace: 404 on a request, as before.
            let missing = try await client.execute(
                uri: "/v1/workspaces/empty/projects/p1/board", method: .get, headers: harness.headers("dev", json: false))
            #expect(missing.status == .notFound, "\(missing.status)")
        }
    }

    @Test("readyz is 503 projections-behind while a read model is more than readyLagMax events behind its log, with Retry-After")
    func projectionsBehind() async throws {
        // The live writers wait an hour after a commit (longer than any test) before the next one: after the
        // first build, every write leaves each read model behind until the engine stops.
        let harness = try await ServerHarness.make {
            $0.readyLagMax = 1
            $0.projectionOptions.liveCommitSpacing = 3_600
        }
        try await harness.application.test(.router) { client in
            // Opens acme and builds its read models (a build does not wait between commits).
            _ = try await client.execute(uri: "/v1/workspaces/acme/projects/p1/board", method: .get, headers: harness.headers("dev", json: false))
            var ready = try await client.execute(uri: "/readyz", method: .get)
            for _ in 0..<200 where ready.status != .ok {
                try await Task.sleep(for: .milliseconds(50))
                ready = try await client.execute(uri: "/readyz", method: .get)
            }
            #expect(ready.status == .ok, "\(ready.text)")
            // One event behind is within the bound; two are not.
            for (index, expected) in [HTTPResponse.Status.ok, .serviceUnavailable].enumerated() {
                let created = try await client.execute(
                    uri: "/v1/workspaces/acme/projects/p1/tasks", method: .post, headers: harness.headers("dev"),
                    body: body(#"{"title":"T\#(index)"}"#))
                #expect(created.status == .created)
                let answer = try await client.execute(uri: "/readyz", method: .get)
                #expect(answer.status == expected, "\(answer.text)")
                guard expected != .ok else { continue }
                #expect(answer.json["code"] as? String == "projections-behind")
                #expect((answer.json["detail"] as? String)?.contains("is 2 events behind the log (ready at 1 or fewer)") == true, "\(answer.text)")
                #expect(answer.headers[.retryAfter] == "1")
            }
        }
        await harness.close()
    }

    @Test("healthz and readyz answer without a token; metrics count requests, flushes, batch sizes and projection lag")
    func operations() async throws {
        let harness = try await ServerHarness.make()
        try await harness.application.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }
            var lastPosition = 0
            for index in 0..<3 {
                let created = try await client.execute(
                    uri: "/v1/workspaces/acme/projects/p1/tasks", method: .post, headers: harness.headers("dev"),
                    body: body(#"{"title":"T\#(index)"}"#))
                lastPosition = created.json["position"] as? Int ?? lastPosition
            }
            // A board read that runs its query: its reader connection's pages are counted when it is idle again.
            let board = try await client.execute(
                uri: "/v1/workspaces/acme/projects/p1/board?minPosition=\(lastPosition)", method: .get, headers: harness.headers("dev", json: false))
            #expect(board.status == .ok)
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            #expect(metrics.headers[.contentType]?.hasPrefix("text/plain") == true)
            let text = metrics.text
            #expect(
                text.contains(
                    #"taskledger_http_request_duration_seconds_count{method="POST",route="/v1/workspaces/{ws}/projects/{project}/tasks",status="201"} 3"#
                ))
            let flushes = text.split(separator: "\n").first { $0.hasPrefix(#"taskledger_log_flush_seconds_count{workspace="acme"}"#) }
            #expect(Int(flushes?.split(separator: " ").last ?? "") ?? 0 >= 3, "each durable batch is counted")
            #expect(text.contains(#"taskledger_log_batch_events_bucket{workspace="acme",le="+Inf"}"#))
            #expect(text.contains(#"taskledger_projection_lag_events{workspace="acme",projection="board"}"#))
            #expect(text.contains("taskledger_subscriptions 0"))
            // Memory: the process's resident size, and each bounded cache beside its limit.
            func value(_ prefix: String) -> Int? {
                text.split(separator: "\n").first { $0.hasPrefix(prefix + " ") }.flatMap { Int($0.split(separator: " ").last ?? "") }
            }
            #expect((value("process_resident_memory_bytes") ?? 0) > 1 << 20)
            #expect((value(#"taskledger_cache_bytes{workspace="acme",cache="aggregates"}"#) ?? 0) > 0, "the new tasks are cached")
            #expect(value(#"taskledger_cache_limit_bytes{workspace="acme",cache="aggregates"}"#) == 64 << 20)
            #expect(value(#"taskledger_cache_limit_bytes{workspace="acme",cache="log_batches"}"#) == 32 << 20)
            #expect(value(#"taskledger_cache_bytes{workspace="acme",cache="sse_frames"}"#) != nil)
            let pages = try #require(value(#"taskledger_cache_bytes{workspace="acme",cache="sqlite_pages",projection="board"}"#))
            #expect(pages > 0 && pages <= 64 << 20, "the board's writer has pages cached")
            let readerPages = try #require(value(#"taskledger_cache_bytes{workspace="acme",cache="sqlite_reader_pages",projection="board"}"#))
            #expect(readerPages > 0, "the board's idle reader has the pages of its query cached")
            #expect(value(#"taskledger_cache_limit_bytes{workspace="acme",cache="sqlite_reader_pages",projection="board"}"#) == 8 * 2_000 << 10)
        }
        await harness.close()
    }
}
