import APIServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("HTTP: project update, workflow migration and reminder rules")
struct ProjectAndReminderRouteTests {
    private let ws = "/v1/workspaces/acme"

    /// The `data` of the last event of `stream`, as `GET /events` serves it.
    private func lastEvent(_ client: some TestClientProtocol, _ harness: ServerHarness, stream: String) async throws -> [String: Any]? {
        let page = try await client.execute(uri: ws + "/events?stream=\(stream)&limit=1000", method: .get, headers: harness.headers("acme-admin"))
        let last = page.text.split(separator: "\n").last.map(String.init) ?? ""
        let event = try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any]
        return event?["data"] as? [String: Any]
    }

    /// The types of the events a write answered with.
    private func types(_ response: TestResponse) -> [String] {
        (response.json["events"] as? [[String: Any]])?.compactMap { $0["type"] as? String } ?? []
    }

    @Test("PATCH /projects/{p}: one ProjectUpdated; null clears; If-Match, expectedVersion, Idempotency-Key; refusals")
    func projectUpdate() async throws {
        let harness = try await ServerHarness.make()
        try await harness.application.test(.router) { client in
            func patch(_ text: String, as token: String = "acme-admin", _ extra: HTTPFields = [:]) async throws -> TestResponse {
                try await client.execute(uri: ws + "/projects/p1", method: .patch, headers: harness.headers(token, extra), body: body(text))
            }
            let updated = try await patch(
                #"{"name":"Ops","description":"Keeps the lights on","lead":"dev","startDate":"2026-12-01","targetDate":"2027-03-31","wipEnforcement":"hard"}"#
            )
            #expect(updated.status == .ok, "\(updated.text)")
            #expect(types(updated) == ["ProjectUpdated"])
            let version = try #require((updated.json["streamVersions"] as? [String: Int])?["project-p1"])

            // Null clears the lead and a date; a member left out keeps its value.
            let cleared = try await patch(#"{"lead":null,"targetDate":null}"#)
            #expect(types(cleared) == ["ProjectUpdated"], "\(cleared.text)")
            let state = try #require(try await lastEvent(client, harness, stream: "project-p1"))
            #expect(state["name"] as? String == "Ops" && state["wipEnforcement"] as? String == "hard")
            #expect((state["lead"] ?? NSNull()) is NSNull && (state["targetDate"] ?? NSNull()) is NSNull && state["startDate"] is String)

            // The same values again change nothing: 200 with no events.
            #expect(types(try await patch(#"{"name":"Ops"}"#)) == [])

            // Stale versions: 412 with If-Match, 409 listing what was missed with the body's expectedVersion.
            #expect(try await patch(#"{"name":"Ops 2"}"#, [.ifMatch: "\"\(version)\""]).status == .preconditionFailed)
            let conflict = try await patch(#"{"name":"Ops 2","expectedVersion":\#(version)}"#)
            #expect(conflict.status == .conflict && conflict.json["code"] as? String == "version-conflict")
            #expect((conflict.json["missed"] as? [Any])?.count == 1)

            // A retry with the same Idempotency-Key replays the answer and appends nothing.
            let key: HTTPFields = [.init("Idempotency-Key")!: "rename-1"]
            let first = try await patch(#"{"name":"Ops 3"}"#, key)
            let retry = try await patch(#"{"name":"Ops 3"}"#, key)
            #expect(retry.headers[.init("Idempotent-Replayed")!] == "true" && retry.json["position"] as? Int == first.json["position"] as? Int)
            #expect(try await patch(#"{"name":"Ops 4"}"#, key).json["code"] as? String == "idempotency-key-reused")

            let refusals: [(String, String, HTTPResponse.Status, String)] = [
                ("acme-admin", #"{}"#, .badRequest, "empty-change"),
                ("acme-admin", #"{"nmae":"x"}"#, .badRequest, "invalid-request"),
                ("acme-admin", #"{"wipEnforcement":"strict"}"#, .badRequest, "invalid-request"),
                ("acme-admin", #"{"startDate":"soon"}"#, .badRequest, "invalid-request"),
                ("acme-admin", #"{"lead":"nobody"}"#, .notFound, "not-found"),
                ("acme-admin", #"{"startDate":"2027-05-01","targetDate":"2027-04-01"}"#, .unprocessableContent, "validation-failed"),
                ("dev", #"{"name":"Mine now"}"#, .forbidden, "missing-permission"),
            ]
            for (token, text, status, code) in refusals {
                let response = try await patch(text, as: token)
                #expect(response.status == status, "\(text): \(response.text)")
                #expect(response.json["code"] as? String == code, "\(text): \(response.text)")
            }
            let missing = try await client.execute(
                uri: ws + "/projects/nope", method: .patch, headers: harness.headers("acme-admin"), body: body(#"{"name":"x"}"#))
            #expect(missing.status == .notFound)
        }
        await harness.close()
    }

    @Test("POST /projects/{p}/migrations: the tasks move to the new version by the mapping, atomically; refusals")
    func migration() async throws {
        let harness = try await ServerHarness.make()
        try await harness.application.test(.router) { client in
            let admin = harness.headers("acme-admin")
            func send(_ method: HTTPRequest.Method, _ path: String, _ text: String?, as headers: HTTPFields? = nil) async throws -> TestResponse {
                try await client.execute(uri: ws + path, method: method, headers: headers ?? admin, body: text.map(body))
            }
            for id in ["t1", "t2"] { _ = try await send(.post, "/projects/p1/tasks", #"{"id":"\#(id)","title":"Task \#(id)"}"#) }
            _ = try await send(.post, "/tasks/t2/moves", #"{"to":"doing"}"#)
            // Version 2: backlog is renamed to todo, doing to wip; done stays.
            let v2 =
                #"{"definition":{"mode":"open","states":[{"id":"todo","name":"To do","category":"unstarted","position":0,"isInitial":true},"#
                + #"{"id":"wip","name":"In progress","category":"started","position":1},{"id":"done","name":"Done","category":"completed","position":2}],"transitions":[]}}"#
            #expect(try await send(.post, "/workflows/wf/versions", v2).status == .created)

            let mapping = #""mapping":{"backlog":"todo","doing":"wip","done":"done"}"#
            let refusals: [(String, HTTPResponse.Status, String)] = [
                (#"{\#(mapping)}"#, .badRequest, "invalid-request"),  // no `to`
                (#"{"to":{"id":"wf"},\#(mapping)}"#, .badRequest, "invalid-request"),  // no version
                (#"{"to":{"id":"wf","version":2}}"#, .badRequest, "invalid-request"),  // no mapping
                (#"{"to":{"id":"wf","version":2},"mapping":{"backlog":7}}"#, .badRequest, "invalid-request"),
                (#"{"to":{"id":"wf","version":2},\#(mapping),"dryRun":true}"#, .badRequest, "invalid-request"),
                (#"{"to":{"id":"wf","version":2},"mapping":{"backlog":"todo"}}"#, .unprocessableContent, "state-not-mapped"),
                (#"{"to":{"id":"wf","version":9},\#(mapping)}"#, .notFound, "not-found"),
                (#"{"to":{"id":"wf","version":1},\#(mapping)}"#, .unprocessableContent, "validation-failed"),
            ]
            for (text, status, code) in refusals {
                let response = try await send(.post, "/projects/p1/migrations", text)
                #expect(response.status == status, "\(text): \(response.text)")
                #expect(response.json["code"] as? String == code, "\(text): \(response.text)")
            }
            let denied = try await send(
                .post, "/projects/p1/migrations", #"{"to":{"id":"wf","version":2},\#(mapping)}"#, as: harness.headers("dev"))
            #expect(denied.status == .forbidden && denied.json["code"] as? String == "missing-permission")

            let migrated = try await send(
                .post, "/projects/p1/migrations", #"{"from":{"id":"wf","version":1},"to":{"id":"wf","version":2},\#(mapping)}"#)
            #expect(migrated.status == .ok, "\(migrated.text)")
            let events = types(migrated)
            #expect(events.first == "TasksMigratedToWorkflowVersion" && events.contains("ProjectWorkflowChanged"))
            #expect(events.filter { $0 == "TaskWorkflowMigrated" }.count == 2)
            let first = try await lastEvent(client, harness, stream: "task-t1")
            let second = try await lastEvent(client, harness, stream: "task-t2")
            #expect(first?["toState"] as? String == "todo" && second?["toState"] as? String == "wip")
            let pin = try await lastEvent(client, harness, stream: "project-p1")?["to"] as? [String: Any]
            #expect(pin?["workflow"] as? String == "wf" && pin?["version"] as? Int == 2)
            // Nothing is left on version 1 any more: the same request again changes nothing.
            #expect(
                types(try await send(.post, "/projects/p1/migrations", #"{"from":{"id":"wf","version":1},"to":{"id":"wf","version":2},\#(mapping)}"#))
                    == [])
        }
        await harness.close()
    }

    @Test("reminder rules: create, list, read, replace, DELETE disables, enable; strict bodies; permissions")
    func reminderRules() async throws {
        let harness = try await ServerHarness.make()
        try await harness.application.test(.router) { client in
            func send(_ method: HTTPRequest.Method, _ path: String, _ text: String? = nil, as token: String = "acme-admin") async throws
                -> TestResponse
            {
                try await client.execute(uri: ws + path, method: method, headers: harness.headers(token, json: text != nil), body: text.map(body))
            }
            let stale =
                #"{"id":"r1","name":"Stale work","trigger":{"noActivityFor":{"seconds":604800}},"filter":{"projects":["p1"],"priorities":["high"]},"recipients":{"author":true}}"#
            let created = try await send(.post, "/reminders", stale)
            #expect(created.status == .created && types(created) == ["ReminderRuleCreated"], "\(created.text)")
            #expect(try await send(.post, "/reminders", stale).json["code"] as? String == "already-exists")
            let overdue = try await send(.post, "/reminders", #"{"name":"Overdue","trigger":{"overdue":{}},"channel":"email"}"#)
            #expect(overdue.status == .created)

            let listed = try await send(.get, "/reminders", as: "dev")
            let rules = try #require(listed.json["rules"] as? [[String: Any]], "\(listed.text)")
            #expect(rules.count == 2)
            let first = try #require(rules.first { $0["id"] as? String == "r1" })
            #expect(first["enabled"] as? Bool == true && first["name"] as? String == "Stale work" && first["channel"] as? String == "inbox")
            #expect((first["trigger"] as? [String: Any])?["noActivityFor"] != nil)
            #expect((first["recipients"] as? [String: Any])?["author"] as? Bool == true)

            let changed = try await send(
                .put, "/reminders/r1",
                #"{"name":"Stale work","trigger":{"inCategoryLongerThan":{"category":"started","seconds":259200}},"expectedVersion":1}"#)
            #expect(types(changed) == ["ReminderRuleChanged"], "\(changed.text)")
            #expect(try await send(.put, "/reminders/r1", #"{"name":"x","trigger":{"overdue":{}},"expectedVersion":1}"#).status == .conflict)

            #expect(types(try await send(.delete, "/reminders/r1")) == ["ReminderRuleDisabled"])
            #expect(types(try await send(.delete, "/reminders/r1")) == [])
            #expect(try await send(.get, "/reminders/r1").json["enabled"] as? Bool == false)
            #expect(types(try await send(.post, "/reminders/r1/enable")) == ["ReminderRuleEnabled"])
            #expect(try await send(.get, "/reminders/r1").json["enabled"] as? Bool == true)

            let refusals: [(String, HTTPResponse.Status, String)] = [
                (#"{"name":"x"}"#, .badRequest, "invalid-request"),
                (#"{"name":"x","trigger":{"soon":{}}}"#, .badRequest, "invalid-request"),
                (#"{"name":"x","trigger":{"overdue":{},"noActivityFor":{"seconds":1}}}"#, .badRequest, "invalid-request"),
                (#"{"name":"x","trigger":{"dueWithin":{}}}"#, .badRequest, "invalid-request"),
                (#"{"name":"x","trigger":{"dueWithin":{"seconds":60,"hours":1}}}"#, .badRequest, "invalid-request"),
                (#"{"name":"x","trigger":{"dueWithin":{"seconds":"a day"}}}"#, .badRequest, "invalid-request"),
                (#"{"name":"x","trigger":{"inCategoryLongerThan":{"category":"limbo","seconds":60}}}"#, .badRequest, "invalid-request"),
                (#"{"name":"x","trigger":{"overdue":{}},"filter":{"priorities":["asap"]}}"#, .badRequest, "invalid-request"),
                (#"{"name":"x","trigger":{"overdue":{}},"recipients":{"watchers":true}}"#, .badRequest, "invalid-request"),
                (#"{"name":"x","trigger":{"overdue":{}},"enabled":false}"#, .badRequest, "invalid-request"),
                (#"{"name":"x","trigger":{"dueWithin":{"seconds":-5}}}"#, .unprocessableContent, "validation-failed"),
                (#"{"name":"x","trigger":{"overdue":{}},"recipients":{"assignees":false}}"#, .unprocessableContent, "validation-failed"),
            ]
            for (text, status, code) in refusals {
                let response = try await send(.post, "/reminders", text)
                #expect(response.status == status, "\(text): \(response.text)")
                #expect(response.json["code"] as? String == code, "\(text): \(response.text)")
            }
            // A project member without reminder.manage may read but not write; a guest may not read.
            let denied = try await send(.post, "/reminders", #"{"name":"Mine","trigger":{"overdue":{}},"filter":{"projects":["p1"]}}"#, as: "dev")
            #expect(denied.status == .forbidden && denied.json["code"] as? String == "missing-permission")
            #expect(try await send(.delete, "/reminders/r1", as: "dev").status == .forbidden)
            #expect(try await send(.get, "/reminders/nope").status == .notFound)
            #expect(try await send(.delete, "/reminders/nope").status == .notFound)
            #expect(try await send(.put, "/members/dev/role", #"{"role":"guest"}"#).status == .ok)
            #expect(try await send(.get, "/reminders", as: "dev").status == .forbidden)
        }
        await harness.close()
    }
}
