import CommandService
import EventLog
import Hummingbird
import Workflow

/// A task's place among others and its discussion: parent, milestone, comments (edit, delete,
/// restore) and withdrawing an approval request.
struct TaskRelationRoutes {
    let tasks: TaskRoutes
    var writes: WriteHandling { tasks.writes }

    func add(to group: RouterGroup<APIRequestContext>) {
        group.put("tasks/{task}/parent") { request, context in
            var body = try await JSONBody.read(request, limit: writes.bodyLimit)
            let parent = body.nullableString("parent")
            if !parent.present { body.addError("parent: required (a task id, or null for none)") }
            try body.finish()
            return try await tasks.simple(request, context, .setParent(parent.value.map(TaskID.init(rawValue:))), body: body)
        }
        group.put("tasks/{task}/milestone") { request, context in
            var body = try await JSONBody.read(request, limit: writes.bodyLimit)
            let milestone = body.nullableString("milestone")
            if !milestone.present { body.addError("milestone: required (a milestone id, or null for none)") }
            try body.finish()
            let action: TaskAction = milestone.value.map { .addToMilestone(MilestoneID($0)) } ?? .removeFromMilestone
            return try await tasks.simple(request, context, action, body: body)
        }
        group.patch("tasks/{task}/comments/{comment}") { request, context in
            var body = try await JSONBody.read(request, limit: writes.bodyLimit)
            let text = body.string("body")
            try body.finish()
            return try await tasks.simple(
                request, context, .editComment(try CommentID(context.parameters.require("comment")), body: text), body: body)
        }
        group.delete("tasks/{task}/comments/{comment}") { request, context in
            try await tasks.simple(request, context, .deleteComment(try CommentID(context.parameters.require("comment"))))
        }
        group.post("tasks/{task}/comments/{comment}/restore") { request, context in
            try await tasks.simple(request, context, .restoreComment(try CommentID(context.parameters.require("comment"))))
        }
        group.post("tasks/{task}/approvals/{approval}/cancel") { request, context in
            var body = try await JSONBody.read(request, limit: writes.bodyLimit)
            let reason = body.optionalString("reason")
            try body.finish()
            let approval = try ApprovalID(context.parameters.require("approval"))
            return try await tasks.simple(request, context, .cancelApproval(approval, reason: reason), body: body)
        }
    }
}

/// Milestones and sprints: create, update, start, close (carrying open tasks over).
struct MilestoneRoutes {
    let writes: WriteHandling

    func add(to group: RouterGroup<APIRequestContext>) {
        group.post("projects/{project}/milestones") { request, context in
            let project = try ProjectID(context.parameters.require("project"))
            var body = try await JSONBody.read(request, limit: writes.bodyLimit)
            let id = MilestoneID(body.optionalString("id") ?? EventID.generate().description)
            var kind = MilestoneKind.milestone
            if let text = body.optionalString("kind") {
                if let value = MilestoneKind(rawValue: text) { kind = value } else { body.addError("kind: one of milestone, sprint") }
            }
            let name = body.string("name")
            let start = body.optionalDate("startDate")
            let due = body.optionalDate("dueDate")
            try body.finish()
            let new = NewMilestone(kind: kind, name: name, startDate: start, dueDate: due)
            return try await writes.run(request, context: context, stream: .milestone(id), status: .created, body: body) {
                service, metadata, expected throws(CommandError) in
                try await service.execute(
                    MilestoneCommand(milestone: id, .create(new)), project: project, metadata: metadata, expectedVersion: expected)
            }
        }
        group.patch("milestones/{milestone}") { request, context in try await update(request, context) }
        group.post("milestones/{milestone}/start") { request, context in
            try await run(request, context, .start, body: nil)
        }
        group.post("milestones/{milestone}/close") { request, context in
            var body = try await JSONBody.read(request, limit: writes.bodyLimit)
            let target = body.optionalString("carryOverTo").map(MilestoneID.init(rawValue:))
            try body.finish()
            return try await run(request, context, .close(carryOverTo: target), body: body)
        }
    }

    /// PATCH: the members present change, the others keep their values (null clears a date); one
    /// `MilestoneUpdated` lists every field change. A closed milestone is not changed (`milestone-closed`).
    private func update(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        var body = try await JSONBody.read(request, limit: writes.bodyLimit)
        var changes = MilestoneChanges()
        if let name = body.optionalString("name") { changes.name = .set(name) }
        let start = body.nullableDate("startDate")
        if start.present { changes.startDate = .set(start.value) }
        let due = body.nullableDate("dueDate")
        if due.present { changes.dueDate = .set(due.value) }
        let expectedVersion = body.optionalInteger("expectedVersion").map { UInt64(max(0, $0)) }
        try body.finish()
        guard changes != MilestoneChanges() else { throw Problem.badRequest("the body changes nothing", code: "empty-change") }
        return try await run(request, context, .update(changes), bodyExpectedVersion: expectedVersion, body: body)
    }

    private func run(
        _ request: Request, _ context: APIRequestContext, _ action: MilestoneAction, bodyExpectedVersion: UInt64? = nil, body: JSONBody?
    ) async throws -> Response {
        let id = try MilestoneID(context.parameters.require("milestone"))
        return try await writes.run(request, context: context, stream: .milestone(id), bodyExpectedVersion: bodyExpectedVersion, body: body) {
            service, metadata, expected throws(CommandError) in
            try await service.execute(MilestoneCommand(milestone: id, action), metadata: metadata, expectedVersion: expected)
        }
    }
}
