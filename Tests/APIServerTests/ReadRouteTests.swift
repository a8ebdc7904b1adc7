import Foundation
import Hummingbird
import HummingbirdTesting
import ProjectionEngine
import TestSupport
import Testing

@testable import APIServer

@Suite("HTTP: read models — read-your-writes, ETag, as of, audit export, access")
struct ReadRouteTests {
    @Test("total=true adds the rows over every page to a read, on the router and on the event loop; other values are a 400")
    func totals() async throws {
        let harness = try await ServerHarness.make()
        try await harness.servedApplication.test(.live) { client in
            let ws = "/v1/workspaces/acme"
            var at = 0
            for n in 1...3 {
                let created = try await client.execute(
                    uri: ws + "/projects/p1/tasks", method: .post, headers: harness.headers("dev"), body: body(#"{"id":"t\#(n)","title":"T\#(n)"}"#))
                at = try #require(created.json["position"] as? Int)
            }
            let tasks = ws + "/projects/p1/tasks?limit=2&total=true"
            let first = try await client.execute(uri: tasks + "&minPosition=\(at)", method: .get, headers: harness.headers("dev", json: false))
            #expect((first.json["rows"] as? [Any])?.count == 2 && first.json["total"] as? Int == 3, "\(first.text)")
            let next = try #require(first.json["next"] as? String)
            let last = try await client.execute(uri: tasks + "&cursor=\(next)", method: .get, headers: harness.headers("dev", json: false))
            #expect((last.json["rows"] as? [Any])?.count == 1 && last.json["total"] as? Int == 3, "\(last.text)")
            // Asked again at the same position: the kept answer, total included (answered on the event loop).
            let before = try await ReadyReadTests.readyReads(client)
            let again = try await client.execute(uri: tasks, method: .get, headers: harness.headers("dev", json: false))
            #expect(again.body == first.body)
            #expect(try await ReadyReadTests.readyReads(client) == before + 1)
            // Not asked, not counted; nor is the kept answer with a total served for it.
            let plain = try await client.execute(uri: ws + "/projects/p1/tasks?limit=2", method: .get, headers: harness.headers("dev", json: false))
            #expect(plain.json["total"] == nil && (plain.json["rows"] as? [Any])?.count == 2, "\(plain.text)")
            let audit = try await client.execute(
                uri: ws + "/audit?type=TaskCreated&limit=1&total=true", method: .get, headers: harness.headers("acme-admin", json: false))
            #expect(audit.json["total"] as? Int == 3, "\(audit.text)")
            for value in ["yes", "1", ""] {
                let refused = try await client.execute(
                    uri: ws + "/projects/p1/tasks?total=" + value, method: .get, headers: harness.headers("dev", json: false))
                #expect(refused.status == .badRequest && refused.json["detail"] as? String == "total: true or false", "\(value): \(refused.text)")
            }
        }
        await harness.close()
    }

    @Test("a read whose query runs past the server's time limit is a 503 query-timeout; the next read is answered")
    func queryTimeout() async throws {
        // An analyst's projection whose page is quick and whose total counts a billion rows.
        let definitions = TestDirectory()
        try """
        -- projection: numbers
        -- version: 1

        -- schema
        CREATE TABLE seen (position INTEGER PRIMARY KEY);

        -- on: *
        INSERT INTO seen (position) VALUES (:position);

        -- query: upto(n = 1000000000, limit = 5)
        WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < :n) SELECT x FROM c LIMIT :limit
        """.write(toFile: definitions.path + "/numbers.sql", atomically: true, encoding: .utf8)
        let numbers = try DefinitionLoader.load(directory: definitions.path).definitions
        let harness = try await ServerHarness.make {
            $0.projections += numbers
            $0.projectionOptions.queryTimeSecondsMax = 0.2
        }
        try await harness.application.test(.router) { client in
            let route = "/v1/workspaces/acme/projections/numbers/upto"
            let stopped = try await client.execute(
                uri: route + "?minPosition=1&total=true", method: .get, headers: harness.headers("acme-admin", json: false))
            #expect(stopped.status == .serviceUnavailable && stopped.json["code"] as? String == "query-timeout", "\(stopped.text)")
            #expect((stopped.json["detail"] as? String)?.hasPrefix("query 'upto' ran longer than 0.2 s") == true, "\(stopped.text)")
            try await client.execute(uri: route, method: .get, headers: harness.headers("acme-admin", json: false)) {
                #expect($0.status == .ok && ($0.json["rows"] as? [Any])?.count == 5, "\($0.text)")
            }
        }
        await harness.close()
    }

    @Test("a write's position as minPosition makes the board show it; ETag and If-None-Match; as of an earlier position")
    func boardReadYourWrites() async throws {
        let harness = try await ServerHarness.make()
        try await harness.application.test(.router) { client in
            let ws = "/v1/workspaces/acme"
            let created = try await client.execute(
                uri: ws + "/projects/p1/tasks", method: .post, headers: harness.headers("dev"),
                body: body(#"{"id":"t1","title":"Rotate keys","estimate":"3pt"}"#))
            let createdAt = try #require(created.json["position"] as? Int)
            let moved = try await client.execute(
                uri: ws + "/tasks/t1/moves", method: .post, headers: harness.headers("dev"), body: body(#"{"to":"doing"}"#))
            let movedAt = try #require(moved.json["position"] as? Int)

            let board = try await client.execute(
                uri: ws + "/projects/p1/board?minPosition=\(movedAt)", method: .get, headers: harness.headers("dev", json: false))
            #expect(board.status == .ok, "\(board.text)")
            #expect((board.json["position"] as? Int ?? 0) >= movedAt)
            let columns = try #require(board.json["rows"] as? [[String: Any]])
            #expect(columns.first { $0["state"] as? String == "doing" }?["count"] as? Int == 1)
            #expect(columns.first { $0["state"] as? String == "backlog" }?["count"] as? Int == 0)
            let etag = try #require(board.headers[.eTag])

            try await client.execute(
                uri: ws + "/projects/p1/board", method: .get, headers: harness.headers("dev", json: false, [.ifNoneMatch: etag])
            ) { #expect($0.status == .notModified) }
            // RFC 9110 §13.1.2: a list of tags, weak tags and `*` match too; another position does not.
            for tags in ["\"p1\", \(etag)", "W/" + etag, "*"] {
                try await client.execute(
                    uri: ws + "/projects/p1/board", method: .get, headers: harness.headers("dev", json: false, [.ifNoneMatch: tags])
                ) { #expect($0.status == .notModified && $0.headers[.eTag] == etag, "\(tags)") }
            }
            try await client.execute(
                uri: ws + "/projects/p1/board", method: .get, headers: harness.headers("dev", json: false, [.ifNoneMatch: "\"p1\", W/\"p2\""])
            ) { #expect($0.status == .ok) }

            // As of the creation: the card was in the backlog.
            let before = try await client.execute(
                uri: ws + "/projects/p1/board?at=\(createdAt)", method: .get, headers: harness.headers("dev", json: false))
            #expect(before.json["position"] as? Int == createdAt)
            let old = try #require(before.json["rows"] as? [[String: Any]])
            #expect(old.first { $0["state"] as? String == "backlog" }?["count"] as? Int == 1)

            let cards = try await client.execute(
                uri: ws + "/projects/p1/board/columns/doing?minPosition=\(movedAt)", method: .get, headers: harness.headers("dev", json: false))
            #expect((cards.json["rows"] as? [[String: Any]])?.first?["task"] as? String == "t1", "\(cards.text)")

            let task = try await client.execute(
                uri: ws + "/tasks/t1?minPosition=\(movedAt)", method: .get, headers: harness.headers("dev", json: false))
            #expect((task.json["rows"] as? [[String: Any]])?.first?["state"] as? String == "doing", "\(task.text)")
            let history = try await client.execute(
                uri: ws + "/tasks/t1/history?minPosition=\(movedAt)", method: .get, headers: harness.headers("dev", json: false))
            #expect(((history.json["rows"] as? [[String: Any]])?.count ?? 0) >= 1, "\(history.text)")

            // Waiting for a position the log will not reach within the bound is a 504, not a hang.
            try await client.execute(uri: ws + "/projects/p1/board?minPosition=999999", method: .get, headers: harness.headers("dev", json: false)) {
                #expect($0.status == .gatewayTimeout)
                #expect($0.json["code"] as? String == "not-caught-up")
            }
            try await client.execute(uri: ws + "/projections/board/nope", method: .get, headers: harness.headers("dev", json: false)) {
                #expect($0.status == .notFound)
                #expect($0.json["code"] as? String == "unknown-query")
            }
            let status = try await client.execute(uri: ws + "/projections", method: .get, headers: harness.headers("dev", json: false))
            #expect(((status.json["projections"] as? [[String: Any]])?.count ?? 0) == 6)
        }
        await harness.close()
    }

    @Test("a read about a project or task that was never created is 404 not-found, on every friendly route; an empty one is 200")
    func unknownSubjects() async throws {
        let harness = try await ServerHarness.make()
        try await harness.servedApplication.test(.live) { client in
            let ws = "/v1/workspaces/acme"
            let dev = harness.headers("dev", json: false)
            // p1 exists with no tasks: its reads answer (empty where there is nothing).
            let projectRoutes = ProjectionRoutes.aliases.map(\.path).filter { $0.hasPrefix("projects/{project}") }
            let taskRoutes = ProjectionRoutes.aliases.map(\.path).filter { $0.hasPrefix("tasks/{task}") }
            #expect(projectRoutes.count == 9 && taskRoutes.count == 2)
            // The read models' first build (503 until then).
            for _ in 0..<200 where try await client.execute(uri: ws + "/projects/p1/board", method: .get, headers: dev).status != .ok {
                try await Task.sleep(for: .milliseconds(50))
            }
            for route in projectRoutes {
                let path = route.replacingOccurrences(of: "{project}", with: "p1").replacingOccurrences(of: "{state}", with: "doing")
                try await client.execute(uri: "\(ws)/\(path)", method: .get, headers: dev) { #expect($0.status == .ok, "\(path): \($0.text)") }
                let missing = route.replacingOccurrences(of: "{project}", with: "p9").replacingOccurrences(of: "{state}", with: "doing")
                try await client.execute(uri: "\(ws)/\(missing)", method: .get, headers: dev) { response in
                    #expect(response.status == .notFound, "\(missing)")
                    #expect(response.json["code"] as? String == "not-found")
                    #expect(response.json["detail"] as? String == #"project "p9" does not exist"#)
                }
            }
            // A task: found right after its create (the log decides, not the read model), still found once deleted.
            let created = try await client.execute(
                uri: ws + "/projects/p1/tasks", method: .post, headers: harness.headers("dev"), body: body(#"{"id":"t1","title":"A"}"#))
            #expect(created.status == .created)
            _ = try await client.execute(uri: ws + "/tasks/t1", method: .delete, headers: harness.headers("acme-admin"))
            for route in taskRoutes {
                let path = route.replacingOccurrences(of: "{task}", with: "t1")
                try await client.execute(uri: "\(ws)/\(path)", method: .get, headers: dev) { #expect($0.status == .ok, "\(path): \($0.text)") }
                let missing = route.replacingOccurrences(of: "{task}", with: "t9")
                try await client.execute(uri: "\(ws)/\(missing)", method: .get, headers: dev) { response in
                    #expect(response.status == .notFound, "\(missing)")
                    #expect(response.json["detail"] as? String == #"task "t9" does not exist"#)
                }
            }
            // The analysts' route asks the read model as it is: an empty answer for a project it has not seen.
            // Kept by the engine, that answer is not what the friendly route answers on the event loop.
            for _ in 0..<2 {
                try await client.execute(uri: ws + "/projections/board/columns?project=p9", method: .get, headers: dev) {
                    #expect($0.status == .ok)
                }
                try await client.execute(uri: ws + "/projects/p9/board", method: .get, headers: dev) { #expect($0.status == .notFound) }
            }
        }
        await harness.close()
    }

    @Test("the audit trail: filters, full-text search, NDJSON and CSV export; audit.read needed")
    func audit() async throws {
        let harness = try await ServerHarness.make()
        try await harness.application.test(.router) { client in
            let ws = "/v1/workspaces/acme"
            let created = try await client.execute(
                uri: ws + "/projects/p1/tasks", method: .post, headers: harness.headers("dev"),
                body: body(#"{"id":"t1","title":"Renew the wildcard certificate"}"#))
            let at = try #require(created.json["position"] as? Int)
            let trail = try await client.execute(
                uri: ws + "/audit?minPosition=\(at)&text=wildcard", method: .get, headers: harness.headers("auditor", json: false))
            let rows = try #require(trail.json["rows"] as? [[String: Any]], "\(trail.text)")
            #expect(rows.count == 1 && rows.first?["type"] as? String == "TaskCreated")
            #expect(rows.first?["token"] as? String == "k-dev")
            try await client.execute(uri: ws + "/audit", method: .get, headers: harness.headers("dev", json: false)) {
                #expect($0.status == .forbidden)
            }

            let ndjson = try await client.execute(
                uri: ws + "/audit/export?minPosition=\(at)", method: .get, headers: harness.headers("auditor", json: false))
            #expect(ndjson.headers[.contentType] == "application/x-ndjson")
            let lines = ndjson.text.split(separator: "\n")
            #expect(lines.count == at, "one line per event")
            let csv = try await client.execute(
                uri: ws + "/audit/export?format=csv&type=TaskCreated", method: .get, headers: harness.headers("auditor", json: false))
            let csvLines = csv.text.split(separator: "\r\n")
            #expect(csvLines.first?.hasPrefix("position,") == true)
            #expect(csvLines.count == 2 && csvLines[1].contains("Renew the wildcard certificate"))
        }
        await harness.close()
    }

    @Test("a guest reads only the projects they belong to; the audit trail needs audit.read")
    func guestAccess() async throws {
        let harness = try await ServerHarness.make()
        try await harness.application.test(.router) { client in
            let ws = "/v1/workspaces/acme"
            let demoted = try await client.execute(
                uri: ws + "/members/dev/role", method: .put, headers: harness.headers("acme-admin"), body: body(#"{"role":"guest"}"#))
            let at = try #require(demoted.json["position"] as? Int)
            // dev is a member of p1: the board is readable; an unscoped task list is not.
            try await client.execute(uri: ws + "/projects/p1/board?minPosition=\(at)", method: .get, headers: harness.headers("dev", json: false)) {
                #expect($0.status == .ok, "\($0.text)")
            }
            try await client.execute(uri: ws + "/projections/task/tasks", method: .get, headers: harness.headers("dev", json: false)) {
                #expect($0.status == .forbidden)
                #expect($0.json["code"] as? String == "missing-permission")
            }
            try await client.execute(uri: ws + "/projects/nope/board", method: .get, headers: harness.headers("dev", json: false)) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: ws + "/activity", method: .get, headers: harness.headers("dev", json: false)) {
                #expect($0.status == .forbidden)
            }
        }
        await harness.close()
    }

    @Test("PATCH with only a due date keeps the start date; null clears it")
    func patchDates() async throws {
        let harness = try await ServerHarness.make()
        try await harness.application.test(.router) { client in
            let ws = "/v1/workspaces/acme"
            _ = try await client.execute(
                uri: ws + "/projects/p1/tasks", method: .post, headers: harness.headers("dev"),
                body: body(#"{"id":"t1","title":"Dated","startDate":"2026-12-01","dueDate":"2026-12-10"}"#))
            let moved = try await client.execute(
                uri: ws + "/tasks/t1", method: .patch, headers: harness.headers("dev"), body: body(#"{"dueDate":"2026-12-20"}"#))
            let at = try #require(moved.json["position"] as? Int, "\(moved.text)")
            var task = try await client.execute(uri: ws + "/tasks/t1?minPosition=\(at)", method: .get, headers: harness.headers("dev", json: false))
            var row = (task.json["rows"] as? [[String: Any]])?.first
            #expect(row?["start_date"] as? String == "2026-12-01", "\(task.text)")
            #expect(row?["due_date"] as? String == "2026-12-20")
            let cleared = try await client.execute(
                uri: ws + "/tasks/t1", method: .patch, headers: harness.headers("dev"), body: body(#"{"startDate":null}"#))
            let clearedAt = try #require(cleared.json["position"] as? Int)
            task = try await client.execute(
                uri: ws + "/tasks/t1?minPosition=\(clearedAt)", method: .get, headers: harness.headers("dev", json: false))
            row = (task.json["rows"] as? [[String: Any]])?.first
            #expect(row?["start_date"] is NSNull || row?["start_date"] == nil, "\(task.text)")
            #expect(row?["due_date"] as? String == "2026-12-20")
        }
        await harness.close()
    }
}
