import APIServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("HTTP: structure, discussion, members, labels and sprints")
struct MoreCommandRouteTests {
    /// The types of the events a write answered with.
    private func types(_ response: TestResponse) -> [String] {
        (response.json["events"] as? [[String: Any]])?.compactMap { $0["type"] as? String } ?? []
    }

    @Test("parent, milestone, archive, comments, labels, member roles and a sprint's life, each through its route")
    func routes() async throws {
        let harness = try await ServerHarness.make()
        try await harness.application.test(.router) { client in
            let ws = "/v1/workspaces/acme"
            let admin = harness.headers("acme-admin")
            func send(_ method: HTTPRequest.Method, _ path: String, _ text: String? = nil) async throws -> TestResponse {
                try await client.execute(uri: ws + path, method: method, headers: admin, body: text.map(body))
            }
            for id in ["t1", "t2"] { _ = try await send(.post, "/projects/p1/tasks", #"{"id":"\#(id)","title":"Task \#(id)","estimate":"2pt"}"#) }
            #expect(types(try await send(.put, "/tasks/t2/parent", #"{"parent":"t1"}"#)) == ["TaskParentChanged"])
            #expect(try await send(.put, "/tasks/t1/parent", #"{"parent":"t2"}"#).json["code"] as? String == "parent-cycle")
            #expect(try await send(.put, "/tasks/t2/parent", #"{}"#).status == .badRequest)

            #expect(types(try await send(.post, "/projects/p1/labels", ##"{"name":"infra","color":"#3366ff"}"##)) == ["LabelCreated"])
            #expect(types(try await send(.patch, "/tasks/t1", #"{"labels":["infra"]}"#)) == ["TaskLabelsChanged"])

            let sprint = try await send(
                .post, "/projects/p1/milestones", #"{"id":"s1","kind":"sprint","name":"Sprint 1","startDate":"2026-12-01","dueDate":"2026-12-14"}"#)
            #expect(sprint.status == .created && types(sprint) == ["MilestoneCreated"])
            #expect(types(try await send(.put, "/tasks/t1/milestone", #"{"milestone":"s1"}"#)) == ["TaskAddedToMilestone"])
            #expect(types(try await send(.post, "/milestones/s1/start")) == ["SprintStarted"])
            _ = try await send(.post, "/projects/p1/milestones", #"{"id":"s2","kind":"sprint","name":"Sprint 2"}"#)
            let closed = try await send(.post, "/milestones/s1/close", #"{"carryOverTo":"s2"}"#)
            #expect(types(closed).first == "SprintClosed", "\(closed.text)")

            // Progress per milestone: the carried-over task now counts in Sprint 2.
            let progress = try await send(.get, "/projects/p1/milestones?minPosition=\(closed.json["position"] as? Int ?? 0)")
            let milestones = try #require(progress.json["rows"] as? [[String: Any]], "\(progress.text)")
            let first = try #require(milestones.first { $0["milestone"] as? String == "s1" })
            let second = try #require(milestones.first { $0["milestone"] as? String == "s2" })
            #expect(first["status"] as? String == "closed" && first["scope_tasks"] as? Int == 1 && first["scope_points"] as? Int == 2)
            #expect(first["carried_over"] as? Int == 1 && first["tasks"] as? Int == 0)
            #expect(second["tasks"] as? Int == 1 && second["points"] as? Int == 2 && second["status"] as? String == "planned")

            let comment = try await send(.post, "/tasks/t1/comments", #"{"id":"c1","body":"First"}"#)
            #expect(comment.status == .created)
            #expect(types(try await send(.patch, "/tasks/t1/comments/c1", #"{"body":"First, edited"}"#)) == ["CommentEdited"])
            #expect(types(try await send(.delete, "/tasks/t1/comments/c1")) == ["CommentDeleted"])
            #expect(types(try await send(.post, "/tasks/t1/comments/c1/restore")) == ["CommentRestored"])

            #expect(types(try await send(.post, "/tasks/t2/archive")) == ["TaskArchived"])
            #expect(try await send(.patch, "/tasks/t2", #"{"title":"frozen"}"#).json["code"] as? String == "task-archived")
            #expect(types(try await send(.post, "/tasks/t2/unarchive")) == ["TaskUnarchived"])

            #expect(types(try await send(.put, "/members/dev/role", #"{"role":"guest"}"#)) == ["MemberRoleChanged"])
            #expect(try await send(.put, "/members/dev/role", #"{"role":"boss"}"#).status == .badRequest)
            #expect(types(try await send(.delete, "/members/dev")) == ["MemberRemoved"])
            // A removed member's token stops working at once.
            try await client.execute(uri: ws + "/events", method: .get, headers: harness.headers("dev")) { #expect($0.status == .unauthorized) }
        }
        await harness.close()
    }
}
