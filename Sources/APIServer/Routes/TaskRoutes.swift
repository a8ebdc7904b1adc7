import CommandService
import EventLog
import Hummingbird
import Workflow

/// Task commands: create, edit, assign and unassign, priority, dates, estimate, labels, move, reorder,
/// delete and restore, comments, approval decisions; and the transitions a caller may take now.
struct TaskRoutes {
    let writes: WriteHandling

    func add(to group: RouterGroup<APIRequestContext>) {
        group.post("projects/{project}/tasks") { request, context in try await create(request, context) }
        group.patch("tasks/{task}") { request, context in try await edit(request, context) }
        group.post("tasks/{task}/moves") { request, context in try await move(request, context) }
        group.post("tasks/{task}/assignees") { request, context in try await assign(request, context) }
        group.delete("tasks/{task}/assignees/{member}") { request, context in
            let task = try TaskID(context.parameters.require("task"))
            let member = try MemberID(context.parameters.require("member"))
            return try await writes.run(request, context: context, stream: .task(task)) { service, metadata, expected throws(CommandError) in
                try await service.execute(TaskCommand(task: task, .unassign(member)), metadata: metadata, expectedVersion: expected)
            }
        }
        group.post("tasks/{task}/comments") { request, context in try await comment(request, context) }
        group.post("tasks/{task}/approvals/{approval}/decisions") { request, context in try await decide(request, context) }
        for (path, action) in [("delete", TaskAction.delete), ("restore", .restore), ("archive", .archive), ("unarchive", .unarchive)] {
            group.post("tasks/{task}/\(path)") { request, context in try await simple(request, context, action) }
        }
        group.getAndHead("tasks/{task}/transitions") { request, context in try await transitions(request, context) }
    }

    private func create(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let project = try ProjectID(context.parameters.require("project"))
        var body = try await JSONBody.read(request, limit: writes.bodyLimit)
        let id = TaskID(body.optionalString("id") ?? EventID.generate().description)
        var new = NewTask(title: body.string("title"))
        new.description = body.optionalString("description") ?? ""
        if let priority = body.optionalString("priority") {
            if let value = Priority(rawValue: priority) {
                new.priority = value
            } else {
                body.addError("priority: one of none, low, medium, high, urgent")
            }
        }
        new.assignees = (body.optionalStrings("assignees") ?? []).map(MemberID.init(rawValue:))
        new.labels = body.optionalStrings("labels") ?? []
        new.startDate = body.optionalDate("startDate")
        new.dueDate = body.optionalDate("dueDate")
        new.estimate = body.nullableEstimate("estimate").value
        new.rank = body.optionalString("rank")
        try body.finish()
        return try await writes.run(request, context: context, stream: .task(id), status: .created, body: body) {
            service, metadata, expected throws(CommandError) in
            try await service.execute(TaskCommand(task: id, .create(new)), project: project, metadata: metadata, expectedVersion: expected)
        }
    }

    /// PATCH: each member present changes one thing; several become several commands, applied in order,
    /// and the answer lists every event.
    private func edit(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let task = try TaskID(context.parameters.require("task"))
        var body = try await JSONBody.read(request, limit: writes.bodyLimit)
        var actions: [TaskAction] = []
        let title = body.optionalString("title")
        let description = body.nullableString("description")
        if title != nil || description.present {
            actions.append(.edit(title: title.map(Update.set) ?? .keep, description: description.present ? .set(description.value ?? "") : .keep))
        }
        if let priority = body.optionalString("priority") {
            if let value = Priority(rawValue: priority) {
                actions.append(.setPriority(value))
            } else {
                body.addError("priority: one of none, low, medium, high, urgent")
            }
        }
        // A date left out keeps its value: the command sets both, so the current one is read at execution.
        let start = body.nullableDate("startDate")
        let due = body.nullableDate("dueDate")
        let changesDates = start.present || due.present
        let estimate = body.nullableEstimate("estimate")
        if estimate.present { actions.append(.setEstimate(estimate.value)) }
        if let labels = body.optionalStrings("labels") { actions.append(.setLabels(labels)) }
        if let rank = body.optionalString("rank") { actions.append(.reorder(rank: rank)) }
        let expectedVersion = body.optionalInteger("expectedVersion").map { UInt64(max(0, $0)) }
        try body.finish()
        guard !actions.isEmpty || changesDates else { throw Problem.badRequest("the body changes nothing", code: "empty-change") }
        return try await writes.run(request, context: context, stream: .task(task), bodyExpectedVersion: expectedVersion, body: body) {
            service, metadata, expected throws(CommandError) in
            var combined: CommandOutcome?
            var expected = expected
            var actions = actions
            if changesDates {
                let current = try await service.task(task)
                let startDate = start.present ? start.value : current?.startDate
                let dueDate = due.present ? due.value : current?.dueDate
                actions.append(.setDates(start: startDate, due: dueDate))
            }
            for action in actions {
                let outcome = try await service.execute(TaskCommand(task: task, action), metadata: metadata, expectedVersion: expected)
                if let version = outcome.streamVersions[StreamName.task(task).rawValue], expected != nil { expected = version }
                if var sum = combined {
                    sum.events += outcome.events
                    sum.decided += outcome.decided
                    sum.streamVersions.merge(outcome.streamVersions) { max($0, $1) }
                    combined = sum
                } else {
                    combined = outcome
                }
            }
            return combined!
        }
    }

    private func move(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let task = try TaskID(context.parameters.require("task"))
        var body = try await JSONBody.read(request, limit: writes.bodyLimit)
        let target = StateID(body.string("to"))
        let rank = body.optionalString("rank")
        let reason = body.optionalString("reason")
        let expectedVersion = body.optionalInteger("expectedVersion").map { UInt64(max(0, $0)) }
        try body.finish()
        return try await writes.run(request, context: context, stream: .task(task), bodyExpectedVersion: expectedVersion, body: body) {
            service, metadata, expected throws(CommandError) in
            try await service.execute(
                TaskCommand(task: task, .move(to: target, rank: rank, reason: reason)), metadata: metadata, expectedVersion: expected)
        }
    }

    private func assign(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let task = try TaskID(context.parameters.require("task"))
        var body = try await JSONBody.read(request, limit: writes.bodyLimit)
        let member = MemberID(body.string("member"))
        try body.finish()
        return try await writes.run(request, context: context, stream: .task(task), body: body) { service, metadata, expected throws(CommandError) in
            try await service.execute(TaskCommand(task: task, .assign(member)), metadata: metadata, expectedVersion: expected)
        }
    }

    private func comment(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let task = try TaskID(context.parameters.require("task"))
        var body = try await JSONBody.read(request, limit: writes.bodyLimit)
        let id = CommentID(body.optionalString("id") ?? EventID.generate().description)
        let text = body.string("body")
        try body.finish()
        return try await writes.run(request, context: context, stream: .task(task), status: .created, body: body) {
            service, metadata, expected throws(CommandError) in
            try await service.execute(TaskCommand(task: task, .addComment(id, body: text)), metadata: metadata, expectedVersion: expected)
        }
    }

    private func decide(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let task = try TaskID(context.parameters.require("task"))
        let approval = try ApprovalID(context.parameters.require("approval"))
        var body = try await JSONBody.read(request, limit: writes.bodyLimit)
        let verdictText = body.string("verdict")
        let note = body.optionalString("comment")
        try body.finish()
        guard let verdict = ApprovalVerdict(rawValue: verdictText) else {
            throw Problem.badRequest("verdict: one of approve, reject", errors: ["verdict: one of approve, reject"])
        }
        return try await writes.run(request, context: context, stream: .task(task), body: body) { service, metadata, expected throws(CommandError) in
            try await service.execute(
                TaskCommand(task: task, .decideApproval(approval, verdict, comment: note)), metadata: metadata, expectedVersion: expected)
        }
    }

    func simple(_ request: Request, _ context: APIRequestContext, _ action: TaskAction, body: JSONBody? = nil) async throws -> Response {
        let task = try TaskID(context.parameters.require("task"))
        return try await writes.run(request, context: context, stream: .task(task), body: body) { service, metadata, expected throws(CommandError) in
            try await service.execute(TaskCommand(task: task, action), metadata: metadata, expectedVersion: expected)
        }
    }

    /// What the caller may do with the task now, and what is missing for each option.
    private func transitions(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let task = try TaskID(context.parameters.require("task"))
        let options: [TransitionOption]
        do {
            options = try await caller.workspace.service.transitions(of: task, for: caller.member)
        } catch {
            throw Problem(error)
        }
        let body = JSONValue.object([
            "task": .string(task.rawValue),
            "transitions": .array(
                options.map { option in
                    .object([
                        "transition": option.transition.map { .string($0.rawValue) } ?? .null, "to": .string(option.to.rawValue),
                        "toName": .string(option.toName), "toCategory": .string(option.toCategory.rawValue), "allowed": .bool(option.isAllowed),
                        "requiresApproval": .bool(option.requiresApproval), "exceedsSoftWipLimit": .bool(option.exceedsSoftWIPLimit),
                        "missing": .array(option.missing.map { .string($0.description) }),
                    ])
                }),
        ])
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body.encoded())))
    }
}
