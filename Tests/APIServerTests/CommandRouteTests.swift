import APIServer
import EventLog
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("HTTP: commands, their answers and their problems")
struct CommandRouteTests {
    @Test("create, edit, assign, comment and move a task: each answers positions and stream versions")
    func taskLifecycle() async throws {
        let harness = try await ServerHarness.make()
        try await harness.application.test(.router) { client in
            let base = "/v1/workspaces/acme"
            let created = try await client.execute(
                uri: base + "/projects/p1/tasks", method: .post, headers: harness.headers("dev"),
                body: body(#"{"id":"t1","title":"Rotate the keys","priority":"high","dueDate":"2026-12-01","estimate":"3pt"}"#))
            #expect(created.status == .created)
            let events = try #require(created.json["events"] as? [[String: Any]])
            #expect(events.map { $0["type"] as? String } == ["TaskCreated"])
            #expect((created.json["streamVersions"] as? [String: Int])?["task-t1"] == 1)
            let position = try #require(created.json["position"] as? Int)

            let edited = try await client.execute(
                uri: base + "/tasks/t1", method: .patch, headers: harness.headers("dev"),
                body: body(#"{"title":"Rotate all keys","priority":"urgent"}"#))
            #expect(edited.status == .ok)
            #expect((edited.json["events"] as? [[String: Any]])?.map { $0["type"] as? String } == ["TaskEdited", "TaskPriorityChanged"])

            try await client.execute(
                uri: base + "/tasks/t1/assignees", method: .post, headers: harness.headers("dev"), body: body(#"{"member":"dev"}"#)
            ) {
                #expect($0.status == .ok)
            }
            try await client.execute(
                uri: base + "/tasks/t1/comments", method: .post, headers: harness.headers("dev"), body: body(#"{"body":"On it"}"#)
            ) {
                #expect($0.status == .created)
            }
            let options = try await client.execute(uri: base + "/tasks/t1/transitions", method: .get, headers: harness.headers("dev", json: false))
            let transitions = try #require(options.json["transitions"] as? [[String: Any]])
            #expect(transitions.compactMap { $0["to"] as? String } == ["doing", "done"])
            #expect(transitions.allSatisfy { $0["allowed"] as? Bool == true })

            let moved = try await client.execute(
                uri: base + "/tasks/t1/moves", method: .post, headers: harness.headers("dev"), body: body(#"{"to":"done"}"#))
            #expect(moved.status == .ok)
            #expect((moved.json["events"] as? [[String: Any]])?.map { $0["type"] as? String } == ["TaskMoved", "TaskCompleted"])
            #expect(try #require(moved.json["position"] as? Int) > position)
        }
        await harness.close()
    }

    @Test("malformed JSON, unknown or mistyped members, wrong content type, oversize body, unknown route: each a clear problem")
    func malformedRequests() async throws {
        let harness = try await ServerHarness.make()
        try await harness.application.test(.router) { client in
            let tasks = "/v1/workspaces/acme/projects/p1/tasks"
            let cases: [(HTTPFields, String, HTTPResponse.Status, String)] = [
                (harness.headers("dev"), #"{"title": "x",}"#, .badRequest, "malformed-json"),
                (harness.headers("dev"), #"["title"]"#, .badRequest, "malformed-json"),
                (harness.headers("dev"), #"{"title":"x","titel":"y"}"#, .badRequest, "invalid-request"),
                (harness.headers("dev"), #"{"title":42}"#, .badRequest, "invalid-request"),
                (harness.headers("dev"), #"{"title":"x","dueDate":"tomorrow"}"#, .badRequest, "invalid-request"),
                (harness.headers("dev"), #"{"title":"x","title":"y"}"#, .badRequest, "malformed-json"),
                (
                    harness.headers("dev", json: false, [.contentType: "text/plain"]), #"{"title":"x"}"#, .unsupportedMediaType,
                    "unsupported-media-type"
                ),
                (harness.headers("dev"), #"{"title":"\#(String(repeating: "x", count: 5_000))"}"#, .contentTooLarge, "body-too-large"),
                (harness.headers("dev"), #"{"title":"   "}"#, .unprocessableContent, "validation-failed"),
            ]
            for (headers, text, status, code) in cases {
                try await client.execute(uri: tasks, method: .post, headers: headers, body: body(text)) { response in
                    #expect(response.status == status, "\(text.prefix(40))")
                    #expect(response.headers[.contentType] == "application/problem+json")
                    #expect(response.json["code"] as? String == code, "\(text.prefix(40)): \(response.text)")
                    #expect(response.json["type"] as? String == "urn:taskledger:problem:\(code)")
                }
            }
            try await client.execute(uri: "/v1/nowhere", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.json["code"] as? String == "no-such-route")
            }
            // Nothing was appended by any of them: the task does not exist.
            try await client.execute(uri: "/v1/workspaces/acme/events?type=TaskCreated", method: .get, headers: harness.headers("acme-admin")) {
                #expect($0.text.isEmpty)
            }
        }
        await harness.close()
    }

    @Test("a refused permission is 403 with a stable code, and recorded as AccessDenied for the audit")
    func accessDenied() async throws {
        let harness = try await ServerHarness.make()
        try await harness.application.test(.router) { client in
            // The auditor can change nothing.
            try await client.execute(
                uri: "/v1/workspaces/acme/projects/p1/tasks", method: .post, headers: harness.headers("auditor"), body: body(#"{"title":"sneaky"}"#)
            ) { response in
                #expect(response.status == .forbidden)
                #expect(response.json["code"] as? String == "missing-permission")
            }
            try await client.execute(uri: "/v1/workspaces/acme/events?stream=security", method: .get, headers: harness.headers("auditor")) {
                response in
                #expect(response.status == .ok)
                #expect(response.text.contains(#""type":"AccessDenied""#))
                #expect(response.text.contains("k-audit"))
            }
        }
        await harness.close()
    }

    @Test("If-Match with a stale version is 412, an unreadable one 400; a stale body expectedVersion is 409 listing the missed events")
    func expectedVersions() async throws {
        let harness = try await ServerHarness.make()
        try await harness.application.test(.router) { client in
            let base = "/v1/workspaces/acme"
            _ = try await client.execute(
                uri: base + "/projects/p1/tasks", method: .post, headers: harness.headers("dev"), body: body(#"{"id":"t1","title":"A"}"#))
            _ = try await client.execute(uri: base + "/tasks/t1", method: .patch, headers: harness.headers("dev"), body: body(#"{"title":"B"}"#))
            try await client.execute(
                uri: base + "/tasks/t1/moves", method: .post, headers: harness.headers("dev", [.ifMatch: "\"1\""]), body: body(#"{"to":"doing"}"#)
            ) { response in
                #expect(response.status == .preconditionFailed)
                #expect(response.json["code"] as? String == "version-conflict")
            }
            try await client.execute(
                uri: base + "/tasks/t1/moves", method: .post, headers: harness.headers("dev"), body: body(#"{"to":"doing","expectedVersion":1}"#)
            ) { response in
                #expect(response.status == .conflict)
                let missed = response.json["missed"] as? [[String: Any]]
                #expect(missed?.map { $0["type"] as? String } == ["TaskEdited"])
                #expect(response.json["currentVersion"] as? Int == 2)
            }
            // Only the document's forms are read: a value the server would have to guess at is a 400, and
            // nothing is appended (the weak form below still finds the task at version 2).
            for unreadable in [#""2"#, #"2""#, "W2", "+2", "*", #""2", "3""#, #"W/"2"#, "\"\"", "12345678901234567890"] {
                try await client.execute(
                    uri: base + "/tasks/t1/moves", method: .post, headers: harness.headers("dev", [.ifMatch: unreadable]),
                    body: body(#"{"to":"doing"}"#)
                ) { response in
                    #expect(response.status == .badRequest, "If-Match: \(unreadable)")
                    #expect(response.json["code"] as? String == "invalid-if-match", "If-Match: \(unreadable)")
                }
            }
            try await client.execute(
                uri: base + "/tasks/t1/moves", method: .post, headers: harness.headers("dev", [.ifMatch: #"W/"2""#]), body: body(#"{"to":"doing"}"#)
            ) { #expect($0.status == .ok) }
            try await client.execute(
                uri: base + "/tasks/t1/moves", method: .post, headers: harness.headers("dev", [.ifMatch: "3"]), body: body(#"{"to":"backlog"}"#)
            ) { #expect($0.status == .ok) }
        }
        await harness.close()
    }

    @Test("Idempotency-Key: a retry returns the first answer and appends nothing; another body with the key is 422")
    func idempotency() async throws {
        let harness = try await ServerHarness.make()
        try await harness.application.test(.router) { client in
            let uri = "/v1/workspaces/acme/projects/p1/tasks"
            let headers = harness.headers("dev", [.init("Idempotency-Key")!: "create-1"])
            let first = try await client.execute(uri: uri, method: .post, headers: headers, body: body(#"{"title":"Once"}"#))
            #expect(first.status == .created)
            let second = try await client.execute(uri: uri, method: .post, headers: headers, body: body(#"{"title":"Once"}"#))
            #expect(second.status == .created)
            #expect(second.headers[.init("Idempotent-Replayed")!] == "true")
            #expect(second.text == first.text)
            let third = try await client.execute(uri: uri, method: .post, headers: headers, body: body(#"{"title":"Twice"}"#))
            #expect(third.status == .unprocessableContent)
            #expect(third.json["code"] as? String == "idempotency-key-reused")
            try await client.execute(uri: "/v1/workspaces/acme/events?type=TaskCreated", method: .get, headers: harness.headers("acme-admin")) {
                #expect($0.text.split(separator: "\n").count == 1, "one task created")
            }
        }
        await harness.close()
    }
}
