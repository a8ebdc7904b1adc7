import APIServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The routes that made the last commands reachable over HTTP: workspace settings, project member roles,
/// the project's workflow pin, label updates, milestone updates and document unsharing.
@Suite("HTTP: workspace settings, project roles, workflow pins, labels, milestones and unsharing")
struct AdministrationRouteTests {
    private let ws = "/v1/workspaces/acme"

    /// Sends a request to a path under the workspace, as `token`.
    private func send(
        _ client: some TestClientProtocol, _ harness: ServerHarness, _ method: HTTPRequest.Method, _ path: String, _ text: String? = nil,
        as token: String = "acme-admin", _ extra: HTTPFields = [:]
    ) async throws -> TestResponse {
        try await client.execute(uri: ws + path, method: method, headers: harness.headers(token, json: text != nil, extra), body: text.map(body))
    }

    /// The types of the events a write answered with.
    private func types(_ response: TestResponse) -> [String] {
        (response.json["events"] as? [[String: Any]])?.compactMap { $0["type"] as? String } ?? []
    }

    /// The events of `stream`, as `GET /events` serves them.
    private func events(_ client: some TestClientProtocol, _ harness: ServerHarness, stream: String) async throws -> [[String: Any]] {
        let page = try await client.execute(uri: ws + "/events?stream=\(stream)&limit=1000", method: .get, headers: harness.headers("acme-admin"))
        return try page.text.split(separator: "\n").compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// The `data` of the last event of `stream`.
    private func lastData(_ client: some TestClientProtocol, _ harness: ServerHarness, stream: String) async throws -> [String: Any]? {
        try await events(client, harness, stream: stream).last?["data"] as? [String: Any]
    }

    /// A 403 `missing-permission` whose `position` is that of the `AccessDenied` it recorded for `permission`.
    private func expectDenied(
        _ response: TestResponse, _ permission: String, _ client: some TestClientProtocol, _ harness: ServerHarness,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        #expect(response.status == .forbidden, "\(response.text)", sourceLocation: sourceLocation)
        #expect(response.json["code"] as? String == "missing-permission", sourceLocation: sourceLocation)
        let position = try #require(response.json["position"] as? Int, "\(response.text)", sourceLocation: sourceLocation)
        let recorded = try await events(client, harness, stream: "security").first { $0["position"] as? Int == position }
        #expect(recorded?["type"] as? String == "AccessDenied", sourceLocation: sourceLocation)
        #expect((recorded?["data"] as? [String: Any])?["permission"] as? String == permission, sourceLocation: sourceLocation)
    }

    /// Each refusal's status and code, with the body's `errors` naming `field` when one is given.
    private func expectRefusal(
        _ response: TestResponse, _ status: HTTPResponse.Status, _ code: String, field: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(response.status == status, "\(response.text)", sourceLocation: sourceLocation)
        #expect(response.json["code"] as? String == code, "\(response.text)", sourceLocation: sourceLocation)
        #expect(response.headers[.contentType] == "application/problem+json", sourceLocation: sourceLocation)
        if let field {
            let errors = (response.json["errors"] as? [String]) ?? []
            #expect(errors.contains { $0.hasPrefix(field + ":") }, "\(response.text)", sourceLocation: sourceLocation)
        }
    }

    @Test("PATCH /v1/workspaces/{ws}: name and time zone; unknown zones, empty and misspelt bodies, permission and versions refused")
    func workspaceSettings() async throws {
        let harness = try await ServerHarness.make()
        try await harness.application.test(.router) { client in
            let changed = try await send(client, harness, .patch, "", #"{"name":"Acme Corp","timeZone":"Europe/Berlin"}"#)
            #expect(changed.status == .ok, "\(changed.text)")
            #expect(types(changed) == ["WorkspaceSettingsChanged"])
            let data = try #require(try await lastData(client, harness, stream: "workspace"))
            #expect(data["name"] as? String == "Acme Corp" && data["timeZone"] as? String == "Europe/Berlin")
            #expect((data["changes"] as? [Any])?.count == 2)
            let version = try #require((changed.json["streamVersions"] as? [String: Int])?["workspace"])

            // A member left out keeps its value; the same value again changes nothing.
            #expect(types(try await send(client, harness, .patch, "", #"{"timeZone":"UTC"}"#)) == ["WorkspaceSettingsChanged"])
            #expect(try await lastData(client, harness, stream: "workspace")?["name"] as? String == "Acme Corp")
            #expect(types(try await send(client, harness, .patch, "", #"{"timeZone":"UTC"}"#)) == [])

            expectRefusal(try await send(client, harness, .patch, "", #"{}"#), .badRequest, "empty-change")
            expectRefusal(try await send(client, harness, .patch, "", #"{"nmae":"x"}"#), .badRequest, "invalid-request", field: "nmae")
            expectRefusal(try await send(client, harness, .patch, "", #"{"timeZone":7}"#), .badRequest, "invalid-request", field: "timeZone")
            expectRefusal(
                try await send(client, harness, .patch, "", #"{"timeZone":"Mars/Olympus_Mons"}"#), .unprocessableContent, "validation-failed")
            expectRefusal(try await send(client, harness, .patch, "", #"{"timeZone":"not a zone"}"#), .unprocessableContent, "validation-failed")
            expectRefusal(
                try await send(client, harness, .patch, "", #"{"timeZone":"../../etc/passwd"}"#), .unprocessableContent, "validation-failed")
            expectRefusal(try await send(client, harness, .patch, "", #"{"name":" "}"#), .unprocessableContent, "validation-failed")
            try await expectDenied(try await send(client, harness, .patch, "", #"{"name":"Mine"}"#, as: "dev"), "workspace.manage", client, harness)
            try await expectDenied(
                try await send(client, harness, .patch, "", #"{"name":"Mine"}"#, as: "auditor"), "workspace.manage", client, harness)

            expectRefusal(
                try await send(client, harness, .patch, "", #"{"name":"Stale"}"#, [.ifMatch: "\"\(version)\""]), .preconditionFailed,
                "version-conflict")
            let conflict = try await send(client, harness, .patch, "", #"{"name":"Stale","expectedVersion":\#(version)}"#)
            expectRefusal(conflict, .conflict, "version-conflict")
            #expect((conflict.json["missed"] as? [Any])?.count == 1)
            // The workspace's path has no other method yet: 405 saying which.
            let get = try await send(client, harness, .get, "")
            #expect(get.status == .methodNotAllowed && get.headers[.allow] == "PATCH", "\(get.text)")
            // Another workspace's token: as if this one did not exist.
            #expect(try await send(client, harness, .patch, "", #"{"name":"Mine"}"#, as: "globex-admin").status == .notFound)
        }
        await harness.close()
    }

    @Test("PUT /projects/{p}/members/{m}/role: the new role takes effect; bad roles, non-members, permission and versions refused")
    func projectMemberRole() async throws {
        let harness = try await ServerHarness.make()
        try await harness.application.test(.router) { client in
            #expect(try await send(client, harness, .post, "/projects/p1/tasks", #"{"title":"Before"}"#, as: "dev").status == .created)
            let changed = try await send(client, harness, .put, "/projects/p1/members/dev/role", #"{"role":"viewer"}"#)
            #expect(types(changed) == ["ProjectMemberRoleChanged"], "\(changed.text)")
            let data = try #require(try await lastData(client, harness, stream: "project-p1"))
            #expect(data["memberID"] as? String == "dev" && data["from"] as? String == "member" && data["to"] as? String == "viewer")
            // A viewer creates no tasks: the role is the one the next command is decided with.
            try await expectDenied(
                try await send(client, harness, .post, "/projects/p1/tasks", #"{"title":"After"}"#, as: "dev"), "task.create", client, harness)
            #expect(types(try await send(client, harness, .put, "/projects/p1/members/dev/role", #"{"role":"viewer"}"#)) == [])
            let version = try #require((changed.json["streamVersions"] as? [String: Int])?["project-p1"])

            let path = "/projects/p1/members/dev/role"
            expectRefusal(try await send(client, harness, .put, path, #"{"role":"boss"}"#), .badRequest, "invalid-request", field: "role")
            expectRefusal(try await send(client, harness, .put, path, #"{}"#), .badRequest, "invalid-request", field: "role")
            expectRefusal(try await send(client, harness, .put, path, #"{"role":"member","as":"x"}"#), .badRequest, "invalid-request", field: "as")
            expectRefusal(try await send(client, harness, .put, "/projects/p1/members/audit/role", #"{"role":"member"}"#), .notFound, "not-found")
            expectRefusal(try await send(client, harness, .put, "/projects/nope/members/dev/role", #"{"role":"member"}"#), .notFound, "not-found")
            try await expectDenied(
                try await send(client, harness, .put, path, #"{"role":"project_manager"}"#, as: "dev"), "project.member.manage", client, harness)
            expectRefusal(
                try await send(client, harness, .put, path, #"{"role":"member"}"#, [.ifMatch: "\"\(version - 1)\""]), .preconditionFailed,
                "version-conflict")
            #expect(
                types(try await send(client, harness, .put, path, #"{"role":"member"}"#, [.ifMatch: "\"\(version)\""])) == [
                    "ProjectMemberRoleChanged"
                ])
        }
        await harness.close()
    }

    @Test("PUT /projects/{p}/workflow: new tasks get the pinned version; malformed pins, unknown versions, permission and versions refused")
    func workflowPin() async throws {
        let harness = try await ServerHarness.make()
        try await harness.application.test(.router) { client in
            let v2 =
                #"{"definition":{"mode":"open","states":[{"id":"todo","name":"To do","category":"unstarted","position":0,"isInitial":true},"#
                + #"{"id":"done","name":"Done","category":"completed","position":1}],"transitions":[]}}"#
            #expect(try await send(client, harness, .post, "/workflows/wf/versions", v2).status == .created)
            #expect(try await send(client, harness, .post, "/projects/p1/tasks", #"{"id":"old","title":"On version 1"}"#).status == .created)

            let path = "/projects/p1/workflow"
            expectRefusal(try await send(client, harness, .put, path, #"{}"#), .badRequest, "invalid-request", field: "workflow")
            expectRefusal(
                try await send(client, harness, .put, path, #"{"workflow":{"id":"wf"}}"#), .badRequest, "invalid-request", field: "workflow.version")
            expectRefusal(
                try await send(client, harness, .put, path, #"{"workflow":{"id":"wf","version":2,"latest":true}}"#), .badRequest, "invalid-request",
                field: "workflow.latest")
            expectRefusal(try await send(client, harness, .put, path, #"{"workflow":{"id":"wf","version":9}}"#), .notFound, "not-found")
            expectRefusal(try await send(client, harness, .put, path, #"{"workflow":{"id":"nope","version":1}}"#), .notFound, "not-found")
            try await expectDenied(
                try await send(client, harness, .put, path, #"{"workflow":{"id":"wf","version":2}}"#, as: "dev"), "workflow.manage", client, harness)
            expectRefusal(
                try await send(client, harness, .put, path, #"{"workflow":{"id":"wf","version":2}}"#, [.ifMatch: "\"1\""]), .preconditionFailed,
                "version-conflict")

            let pinned = try await send(client, harness, .put, path, #"{"workflow":{"id":"wf","version":2}}"#)
            #expect(types(pinned) == ["ProjectWorkflowChanged"], "\(pinned.text)")
            let to = try #require(try await lastData(client, harness, stream: "project-p1")?["to"] as? [String: Any])
            #expect(to["workflow"] as? String == "wf" && to["version"] as? Int == 2)
            #expect(types(try await send(client, harness, .put, path, #"{"workflow":{"id":"wf","version":2}}"#)) == [])

            // New tasks start in version 2's initial state; the old one stays on version 1 until migrated.
            #expect(try await send(client, harness, .post, "/projects/p1/tasks", #"{"id":"new","title":"On version 2"}"#).status == .created)
            let created = try #require(try await lastData(client, harness, stream: "task-new"))
            #expect((created["workflow"] as? [String: Any])?["version"] as? Int == 2 && created["state"] as? String == "todo", "\(created)")
            let old = try #require(try await events(client, harness, stream: "task-old").first?["data"] as? [String: Any])
            #expect((old["workflow"] as? [String: Any])?["version"] as? Int == 1)
            #expect(types(try await send(client, harness, .post, "/tasks/old/moves", #"{"to":"doing"}"#)) == ["TaskMoved"])
        }
        await harness.close()
    }

    @Test("PATCH /projects/{p}/labels/{name}: color and description; null clears; bad colors, unknown labels, permission and versions refused")
    func labelUpdate() async throws {
        let harness = try await ServerHarness.make()
        try await harness.application.test(.router) { client in
            #expect(try await send(client, harness, .post, "/projects/p1/labels", ##"{"name":"infra","color":"#3366ff"}"##).status == .ok)
            let path = "/projects/p1/labels/infra"
            let updated = try await send(client, harness, .patch, path, ##"{"color":"#AA0000","description":"Servers and networks"}"##)
            #expect(types(updated) == ["LabelUpdated"], "\(updated.text)")
            var data = try #require(try await lastData(client, harness, stream: "project-p1"))
            #expect(
                data["name"] as? String == "infra" && data["color"] as? String == "#aa0000"
                    && data["description"] as? String == "Servers and networks")
            let version = try #require((updated.json["streamVersions"] as? [String: Int])?["project-p1"])

            #expect(types(try await send(client, harness, .patch, path, #"{"description":null}"#)) == ["LabelUpdated"])
            data = try #require(try await lastData(client, harness, stream: "project-p1"))
            #expect(data["description"] as? String == "" && data["color"] as? String == "#aa0000")
            #expect(types(try await send(client, harness, .patch, path, ##"{"color":"#aa0000"}"##)) == [])

            expectRefusal(try await send(client, harness, .patch, path, #"{}"#), .badRequest, "empty-change")
            expectRefusal(try await send(client, harness, .patch, path, #"{"name":"infra2"}"#), .badRequest, "invalid-request", field: "name")
            expectRefusal(try await send(client, harness, .patch, path, #"{"color":3}"#), .badRequest, "invalid-request", field: "color")
            expectRefusal(try await send(client, harness, .patch, path, #"{"color":"red"}"#), .unprocessableContent, "validation-failed")
            expectRefusal(try await send(client, harness, .patch, "/projects/p1/labels/nope", ##"{"color":"#000000"}"##), .notFound, "not-found")
            // A name that needs percent-encoding in the path (the router hands it over encoded).
            #expect(try await send(client, harness, .post, "/projects/p1/labels", ##"{"name":"needs review","color":"#aabbcc"}"##).status == .ok)
            #expect(
                types(try await send(client, harness, .patch, "/projects/p1/labels/needs%20review", ##"{"color":"#112233"}"##)) == ["LabelUpdated"])
            expectRefusal(
                try await send(client, harness, .patch, "/projects/p1/labels/needs%2", ##"{"color":"#112233"}"##), .badRequest, "invalid-parameter")
            #expect(types(try await send(client, harness, .delete, "/projects/p1/labels/needs%20review", nil)) == ["LabelDeleted"])
            try await expectDenied(
                try await send(client, harness, .patch, path, ##"{"color":"#000000"}"##, as: "dev"), "project.update", client, harness)
            let conflict = try await send(client, harness, .patch, path, ##"{"color":"#000000","expectedVersion":\##(version)}"##)
            expectRefusal(conflict, .conflict, "version-conflict")
            #expect((conflict.json["missed"] as? [[String: Any]])?.first?["type"] as? String == "LabelUpdated")
            expectRefusal(
                try await send(client, harness, .patch, path, ##"{"color":"#000000"}"##, [.ifMatch: "\"\(version)\""]), .preconditionFailed,
                "version-conflict")
        }
        await harness.close()
    }

    @Test("PATCH /milestones/{m}: name and dates; null clears; bad dates, closed sprints, unknown ids, permission and versions refused")
    func milestoneUpdate() async throws {
        let harness = try await ServerHarness.make()
        try await harness.application.test(.router) { client in
            let created = try await send(
                client, harness, .post, "/projects/p1/milestones", #"{"id":"m1","name":"Beta","startDate":"2026-12-01","dueDate":"2027-01-31"}"#)
            #expect(created.status == .created)
            let updated = try await send(client, harness, .patch, "/milestones/m1", #"{"name":"Public beta","dueDate":"2027-02-28"}"#)
            #expect(types(updated) == ["MilestoneUpdated"], "\(updated.text)")
            var data = try #require(try await lastData(client, harness, stream: "milestone-m1"))
            #expect(
                data["name"] as? String == "Public beta" && data["dueDate"] as? String == "2027-02-28" && data["startDate"] as? String == "2026-12-01"
            )
            #expect((data["changes"] as? [Any])?.count == 2)

            let cleared = try await send(client, harness, .patch, "/milestones/m1", #"{"dueDate":null}"#)
            #expect(types(cleared) == ["MilestoneUpdated"])
            data = try #require(try await lastData(client, harness, stream: "milestone-m1"))
            #expect((data["dueDate"] ?? NSNull()) is NSNull && data["name"] as? String == "Public beta")
            // The progress read model shows the new name and no due date.
            let position = try #require(cleared.json["position"] as? Int)
            let rows = try await send(client, harness, .get, "/projects/p1/milestones?minPosition=\(position)").json["rows"] as? [[String: Any]]
            let row = try #require(rows?.first { $0["milestone"] as? String == "m1" }, "\(String(describing: rows))")
            #expect(
                row["name"] as? String == "Public beta" && (row["due_date"] ?? NSNull()) is NSNull && row["start_date"] as? String == "2026-12-01")

            expectRefusal(try await send(client, harness, .patch, "/milestones/m1", #"{}"#), .badRequest, "empty-change")
            expectRefusal(
                try await send(client, harness, .patch, "/milestones/m1", #"{"dueDate":"soon"}"#), .badRequest, "invalid-request", field: "dueDate")
            expectRefusal(
                try await send(client, harness, .patch, "/milestones/m1", #"{"kind":"sprint"}"#), .badRequest, "invalid-request", field: "kind")
            expectRefusal(
                try await send(client, harness, .patch, "/milestones/m1", #"{"dueDate":"2026-11-01"}"#), .unprocessableContent, "validation-failed")
            expectRefusal(try await send(client, harness, .patch, "/milestones/nope", #"{"name":"x"}"#), .notFound, "not-found")
            try await expectDenied(
                try await send(client, harness, .patch, "/milestones/m1", #"{"name":"Mine"}"#, as: "dev"), "milestone.manage", client, harness)
            let conflict = try await send(client, harness, .patch, "/milestones/m1", #"{"name":"Stale","expectedVersion":1}"#)
            expectRefusal(conflict, .conflict, "version-conflict")
            #expect((conflict.json["missed"] as? [Any])?.count == 2 && conflict.json["currentVersion"] as? Int == 3)
            expectRefusal(
                try await send(client, harness, .patch, "/milestones/m1", #"{"name":"Stale"}"#, [.ifMatch: "\"2\""]), .preconditionFailed,
                "version-conflict")

            // A closed sprint keeps the record of what it was.
            _ = try await send(client, harness, .post, "/projects/p1/milestones", #"{"id":"s1","kind":"sprint","name":"Sprint 1"}"#)
            #expect(types(try await send(client, harness, .post, "/milestones/s1/start")) == ["SprintStarted"])
            #expect(types(try await send(client, harness, .post, "/milestones/s1/close", #"{}"#)).first == "SprintClosed")
            expectRefusal(try await send(client, harness, .patch, "/milestones/s1", #"{"name":"Renamed"}"#), .conflict, "milestone-closed")
        }
        await harness.close()
    }

    @Test("DELETE /documents/{d}/shares/members/{m} and …/roles/{r}: the share ends; unknown roles, documents, permission and versions refused")
    func documentUnshare() async throws {
        let harness = try await ServerHarness.make()
        try await harness.application.test(.router) { client in
            var headers = harness.headers("dev", json: false)
            headers[.contentType] = "text/plain"
            let uploaded = try await client.execute(
                uri: ws + "/projects/p1/documents?id=d1&title=Runbook&fileName=runbook.txt", method: .post, headers: headers,
                body: ByteBuffer(string: "restart the thing"))
            #expect(uploaded.status == .created)
            #expect(types(try await send(client, harness, .post, "/documents/d1/shares", #"{"role":"guest"}"#, as: "dev")) == ["DocumentShared"])
            #expect(types(try await send(client, harness, .post, "/documents/d1/shares", #"{"member":"audit"}"#, as: "dev")) == ["DocumentShared"])

            let byRole = try await send(client, harness, .delete, "/documents/d1/shares/roles/guest", as: "dev")
            #expect(types(byRole) == ["DocumentUnshared"], "\(byRole.text)")
            #expect((try await lastData(client, harness, stream: "document-d1")?["with"] as? [String: Any])?["role"] as? String == "guest")
            #expect(types(try await send(client, harness, .delete, "/documents/d1/shares/roles/guest", as: "dev")) == [])
            let version = try #require((byRole.json["streamVersions"] as? [String: Int])?["document-d1"])

            expectRefusal(try await send(client, harness, .delete, "/documents/d1/shares/roles/boss", as: "dev"), .badRequest, "invalid-parameter")
            expectRefusal(try await send(client, harness, .delete, "/documents/nope/shares/members/audit", as: "dev"), .notFound, "not-found")
            try await expectDenied(
                try await send(client, harness, .delete, "/documents/d1/shares/members/audit", as: "auditor"), "document.upload", client, harness)
            expectRefusal(
                try await send(client, harness, .delete, "/documents/d1/shares/members/audit", as: "dev", [.ifMatch: "\"\(version - 1)\""]),
                .preconditionFailed, "version-conflict")

            let byMember = try await send(client, harness, .delete, "/documents/d1/shares/members/audit", as: "dev", [.ifMatch: "\"\(version)\""])
            #expect(types(byMember) == ["DocumentUnshared"], "\(byMember.text)")
            #expect((try await lastData(client, harness, stream: "document-d1")?["with"] as? [String: Any])?["member"] as? String == "audit")
            // No method but DELETE on a share.
            let wrong = try await send(client, harness, .get, "/documents/d1/shares/members/audit", as: "dev")
            #expect(wrong.status == .methodNotAllowed && wrong.headers[.allow] == "DELETE")
        }
        await harness.close()
    }
}
