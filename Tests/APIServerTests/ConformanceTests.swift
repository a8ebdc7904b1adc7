import APIServer
import EventLog
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// What schemathesis (scripts/schemathesis.sh) found against the OpenAPI document, pinned down here.
@Suite("HTTP: answers as the OpenAPI document says")
struct ConformanceTests {
    @Test("an unknown member inside a workflow definition is refused, not silently dropped")
    func strictDefinition() async throws {
        let harness = try await ServerHarness.make()
        try await harness.application.test(.router) { client in
            let definition =
                #"{"mode":"open","states":[{"id":"a","name":"A","category":"backlog","position":0,"isInitial":true,"wipLimt":3}],"#
                + #""transitions":[{"id":"t","from":"*","to":"a","approval":{"approverRoles":[],"approverMembers":["x"],"mode":"any","selfApprovalAllowed":false,"quorom":2}}],"#
                + #""colour":"red"}"#
            let response = try await client.execute(
                uri: "/v1/workspaces/acme/workflows", method: .post, headers: harness.headers("acme-admin"),
                body: body(#"{"name":"W","definition":\#(definition)}"#))
            #expect(response.status == .badRequest)
            #expect(response.json["code"] as? String == "invalid-request")
            #expect(
                response.json["errors"] as? [String] == [
                    "definition.colour: unknown member", "definition.states[0].wipLimt: unknown member",
                    "definition.transitions[0].approval.quorom: unknown member",
                ])
            // The same definition, spelt right, is accepted.
            let fixed = definition.replacingOccurrences(of: #","wipLimt":3"#, with: "").replacingOccurrences(of: #","quorom":2"#, with: "")
                .replacingOccurrences(of: #","colour":"red""#, with: "")
            try await client.execute(
                uri: "/v1/workspaces/acme/workflows", method: .post, headers: harness.headers("acme-admin"),
                body: body(#"{"name":"W","definition":\#(fixed)}"#)
            ) { #expect($0.status == .created, "\($0.text)") }
        }
        await harness.close()
    }

    /// Found by schemathesis' data: numbers are parsed as `Double`, so 9007199254740993 became
    /// 9007199254740992 without a word, and 10^19 failed as "not valid JSON".
    @Test("an integer too large to hold exactly inside a definition or a reminder trigger is a 400 naming it")
    func largeNumbersInNestedObjects() async throws {
        let harness = try await ServerHarness.make()
        try await harness.application.test(.router) { client in
            for position in ["9007199254740993", "10000000000000000000", "-1e15"] {
                let definition =
                    #"{"mode":"open","states":[{"id":"a","name":"A","category":"backlog","position":\#(position),"isInitial":true}],"transitions":[]}"#
                let response = try await client.execute(
                    uri: "/v1/workspaces/acme/workflows", method: .post, headers: harness.headers("acme-admin"),
                    body: body(#"{"name":"W","definition":\#(definition)}"#))
                #expect(response.status == .badRequest, "\(position)")
                #expect(
                    response.json["errors"] as? [String] == ["definition.states[0].position: a number between -10^15 and 10^15"], "\(response.text)")
            }
            let reminder = try await client.execute(
                uri: "/v1/workspaces/acme/reminders", method: .post, headers: harness.headers("acme-admin"),
                body: body(
                    #"{"id":"r1","name":"Stale","trigger":{"inCategoryLongerThan":{"category":"started","seconds":1e16}},"recipients":{"assignees":true}}"#
                ))
            #expect(reminder.status == .badRequest, "\(reminder.text)")
            #expect(
                (reminder.json["errors"] as? [String] ?? []).contains("trigger.inCategoryLongerThan.seconds: a number between -10^15 and 10^15"),
                "\(reminder.text)")
        }
        await harness.close()
    }

    @Test("a known path with another method is 405 with Allow; an unknown path stays 404")
    func methodNotAllowed() async throws {
        let harness = try await ServerHarness.make()
        try await harness.application.test(.router) { client in
            let cases: [(HTTPRequest.Method, String, HTTPResponse.Status, String, String?)] = [
                (.put, "/healthz", .methodNotAllowed, "method-not-allowed", "GET, HEAD"),
                (.delete, "/v1/openapi.json", .methodNotAllowed, "method-not-allowed", "GET, HEAD"),
                (.put, "/v1/workspaces/acme/tasks/t1/transitions", .methodNotAllowed, "method-not-allowed", "GET, HEAD"),
                (.put, "/v1/workspaces/acme/tasks/t1/moves", .methodNotAllowed, "method-not-allowed", "POST"),
                (.head, "/v1/workspaces/acme/tasks/t1/moves", .methodNotAllowed, "method-not-allowed", "POST"),
                (.get, "/v1/workspaces/acme/nothing", .notFound, "no-such-route", nil),
                (.get, "/v1/workspaces/acme/tasks/t1/moves/extra", .notFound, "no-such-route", nil),
            ]
            for (method, uri, status, code, allow) in cases {
                try await client.execute(uri: uri, method: method, headers: harness.headers("dev", json: false)) { response in
                    #expect(response.status == status, "\(method) \(uri)")
                    #expect(response.headers[.contentType] == "application/problem+json")
                    // A HEAD answer has no body to say it in.
                    #expect(method == .head ? response.body.readableBytes == 0 : response.json["code"] as? String == code, "\(method) \(uri)")
                    #expect(response.headers[.allow] == allow, "\(method) \(uri)")
                }
            }
        }
        await harness.close()
    }

    @Test("HEAD of every kind of GET route answers the GET's status and headers, Content-Length included, and no body")
    func head() async throws {
        let harness = try await ServerHarness.make()
        try await harness.servedApplication.test(.live) { client in
            let ws = "/v1/workspaces/acme"
            let created = try await client.execute(
                uri: ws + "/projects/p1/tasks", method: .post, headers: harness.headers("dev"), body: body(#"{"id":"t1","title":"A"}"#))
            let position = try #require(created.json["position"] as? Int)
            let routes = [
                "/healthz", "/v1/openapi.json", ws + "/projects/p1/board?minPosition=\(position)", ws + "/tasks/t1", ws + "/tasks/t1/transitions",
                ws + "/events?from=1", ws + "/tasks/t9", ws + "/audit/export?format=csv",
            ]
            for route in routes {
                let get = try await client.execute(uri: route, method: .get, headers: harness.headers("acme-admin", json: false))
                let head = try await client.execute(uri: route, method: .head, headers: harness.headers("acme-admin", json: false))
                #expect(head.status == get.status, "\(route)")
                #expect(head.body.readableBytes == 0, "\(route)")
                #expect(get.body.readableBytes > 0, "\(route)")
                for field: HTTPField.Name in [.contentType, .contentLength, .eTag] {
                    #expect(head.headers[field] == get.headers[field], "\(route) \(field)")
                }
            }
            #expect(try await client.execute(uri: ws + "/tasks/t9", method: .head).status == .unauthorized)
            // A streamed body's length is not known up front, so its HEAD claims none (not 0).
            let export = try await client.execute(uri: ws + "/audit/export?format=csv", method: .head, headers: harness.headers("acme-admin"))
            #expect(export.status == .ok && export.headers[.contentLength] == nil)
            // A HEAD on a path without a GET: 405 naming HEAD, and what the path allows.
            let moves = try await client.execute(uri: ws + "/tasks/t1/moves", method: .head, headers: harness.headers("dev"))
            #expect(moves.status == .methodNotAllowed && moves.headers[.allow] == "POST")
            #expect(moves.headers[.contentLength] != "0" && moves.body.readableBytes == 0)
        }
        await harness.close()
    }

    @Test("path parameters are percent-decoded: an encoded id is the id itself, an undecodable one a 400 naming it")
    func percentEncodedPathParameters() async throws {
        let harness = try await ServerHarness.make()
        try await harness.application.test(.router) { client in
            let ws = "/v1/workspaces/acme"
            // Created through an encoded path (`p%31` is `p1`, `%74%31` is `t1`), then read and changed through plain ones.
            let created = try await client.execute(
                uri: ws + "/projects/p%31/tasks", method: .post, headers: harness.headers("dev"), body: body(#"{"id":"t1","title":"A"}"#))
            #expect(created.status == .created, "\(created.text)")
            let at = try #require(created.json["position"] as? Int)
            try await client.execute(uri: ws + "/tasks/t1?minPosition=\(at)", method: .get, headers: harness.headers("dev", json: false)) {
                #expect($0.status == .ok && ($0.json["rows"] as? [[String: Any]])?.first?["project"] as? String == "p1", "\($0.text)")
            }
            let moved = try await client.execute(
                uri: "/v1/workspaces/%61cme/tasks/%74%31/moves", method: .post, headers: harness.headers("dev"), body: body(#"{"to":"doing"}"#))
            #expect(moved.status == .created || moved.status == .ok, "\(moved.text)")
            let movedAt = try #require(moved.json["position"] as? Int)
            try await client.execute(uri: ws + "/tasks/t%31?minPosition=\(movedAt)", method: .get, headers: harness.headers("dev", json: false)) {
                #expect($0.status == .ok && ($0.json["rows"] as? [[String: Any]])?.first?["state"] as? String == "doing", "\($0.text)")
            }
            // Not UTF-8, or a broken escape: a 400 naming the parameter, before any lookup.
            for (path, name) in [("/tasks/t%ff", "task"), ("/tasks/t%4", "task"), ("/projects/p%c3%28/board", "project")] {
                let response = try await client.execute(uri: ws + path, method: .get, headers: harness.headers("dev", json: false))
                #expect(response.status == .badRequest, "\(path)")
                #expect(response.json["code"] as? String == "invalid-parameter", "\(path)")
                #expect((response.json["detail"] as? String)?.hasPrefix(name + ":") == true, "\(path): \(response.text)")
            }
            // A decoded `/` is part of the id, not a path separator: no such task.
            try await client.execute(uri: ws + "/tasks/t1%2Fmoves", method: .get, headers: harness.headers("dev", json: false)) {
                #expect($0.status == .notFound, "\($0.text)")
            }
        }
        await harness.close()
    }

    @Test(
        "a type filter that can match nothing is a 400 on the audit trail, its export and subscriptions; a type outside the catalogue is still found")
    func eventTypeFilters() async throws {
        let harness = try await ServerHarness.make()
        // An event no command writes, as `taskledger log append` could put it in the workspace's log.
        let log = try EventLog.open(dataDirectory: harness.directory.path, workspace: "acme", options: testOptions())
        _ = try await log.append(AppendRequest(events: [ProposedEvent(stream: "billing-1", type: "OtherSystemEvent", json: #"{"n":1}"#)]))
        await log.close()
        try await harness.application.test(.router) { client in
            let ws = "/v1/workspaces/acme"
            let created = try await client.execute(
                uri: ws + "/projects/p1/tasks", method: .post, headers: harness.headers("dev"), body: body(#"{"id":"t1","title":"A"}"#))
            let at = try #require(created.json["position"] as? Int)
            for route in ["/audit?minPosition=\(at)&", "/audit/export?minPosition=\(at)&", "/events?"] {
                for (filter, detail) in [
                    ("taskcreated", #"type: no event type "taskcreated"; types are case-sensitive: did you mean "TaskCreated"?"#),
                    ("TaskCreated,Task%20Moved", #"type: invalid event type "Task Moved": only letters, digits and . _ : - are allowed"#),
                    ("", "type: one or more event types, comma-separated"), ("%20,", "type: one or more event types, comma-separated"),
                ] {
                    let response = try await client.execute(uri: ws + route + "type=" + filter, method: .get, headers: harness.headers("acme-admin"))
                    #expect(response.status == .badRequest, "\(route)\(filter)")
                    #expect(
                        response.json["code"] as? String == "invalid-parameter" && response.json["detail"] as? String == detail, "\(response.text)")
                }
                // Spaces around names are ignored; a well-formed name outside the catalogue (one `log append` could write) matches what it matches.
                let listed = try await client.execute(
                    uri: ws + route + "type=TaskCreated,%20OtherSystemEvent", method: .get, headers: harness.headers("acme-admin"))
                #expect(listed.status == .ok, "\(route): \(listed.text)")
                #expect(listed.text.contains("TaskCreated") && !listed.text.contains("ProjectCreated"), "\(route): \(listed.text)")
                #expect(listed.text.contains("OtherSystemEvent"), "\(route): \(listed.text)")
            }
        }
        await harness.close()
    }

    @Test("a malformed day or time filter is a 400 naming it, not an empty page; a time with an offset is read in UTC")
    func malformedDayFilters() async throws {
        let harness = try await ServerHarness.make()
        try await harness.application.test(.router) { client in
            let ws = "/v1/workspaces/acme"
            let time = "must be a day (YYYY-MM-DD) or an RFC 3339 time (2026-11-27T10:03:43Z)"
            let cases: [(String, String)] = [
                ("/audit?minPosition=1&from=2026-13-01", "parameter 'from': \(time)"),
                ("/audit/export?minPosition=1&to=yesterday", "parameter 'to': \(time)"),
                ("/activity?minPosition=1&to=2026-02-30", "parameter 'to': must be a day, YYYY-MM-DD"),
                ("/projects/p1/burndown?minPosition=1&from=2026-1-5", "parameter 'from': must be a day, YYYY-MM-DD"),
            ]
            for (uri, detail) in cases {
                try await client.execute(uri: ws + uri, method: .get, headers: harness.headers("acme-admin", json: false)) { response in
                    #expect(response.status == .badRequest, "\(uri)")
                    #expect(response.json["code"] as? String == "invalid-parameter", "\(uri)")
                    #expect(response.json["detail"] as? String == detail, "\(uri): \(response.text)")
                }
            }
            // Every event of the harness was decided after 2000-01-01T00:00:00Z, written here two hours ahead.
            let all = try await client.execute(uri: ws + "/audit?minPosition=1", method: .get, headers: harness.headers("acme-admin", json: false))
            let since = try await client.execute(
                uri: ws + "/audit?minPosition=1&from=2000-01-01T02:00:00%2B02:00", method: .get, headers: harness.headers("acme-admin", json: false))
            #expect(since.status == .ok)
            #expect((since.json["rows"] as? [Any])?.count == (all.json["rows"] as? [Any])?.count)
            let until = try await client.execute(
                uri: ws + "/audit?minPosition=1&to=2000-01-01T02:00:00%2B02:00", method: .get, headers: harness.headers("acme-admin", json: false))
            #expect((until.json["rows"] as? [Any])?.count == 0)
        }
        await harness.close()
    }

    @Test("a malformed full-text expression on the audit trail is a 400, not a 500")
    func malformedFullTextSearch() async throws {
        let harness = try await ServerHarness.make()
        try await harness.application.test(.router) { client in
            // `minPosition` waits for the read model to be live: a fresh server is still catching up.
            for match in ["", "%22", "AND", "a%20OR", "a:b", "*"] {
                for route in ["audit", "audit/export"] {
                    try await client.execute(
                        uri: "/v1/workspaces/acme/\(route)?minPosition=1&match=\(match)", method: .get,
                        headers: harness.headers("auditor", json: false)
                    ) { response in
                        #expect(response.status == .badRequest, "\(route)?match=\(match)")
                        #expect(response.json["code"] as? String == "invalid-parameter")
                    }
                }
            }
            // A valid expression still searches.
            try await client.execute(
                uri: "/v1/workspaces/acme/audit?minPosition=1&match=hello", method: .get, headers: harness.headers("auditor", json: false)
            ) { #expect($0.status == .ok) }
        }
        await harness.close()
    }

    @Test("Last-Event-ID at the largest position is a 400, not an overflow")
    func lastEventIDOverflow() async throws {
        let harness = try await ServerHarness.make()
        try await harness.application.test(.router) { client in
            let headers = harness.headers("auditor", json: false, [.init("Last-Event-ID")!: String(UInt64.max)])
            try await client.execute(uri: "/v1/workspaces/acme/events", method: .get, headers: headers) { response in
                #expect(response.status == .badRequest)
                #expect(response.json["code"] as? String == "invalid-parameter")
            }
        }
        await harness.close()
    }
}
