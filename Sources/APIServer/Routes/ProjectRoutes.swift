import CommandService
import EventLog
import Foundation
import Hummingbird
import Workflow

/// Project commands: create, update, add and remove members, labels, archive and restore, and the
/// migration of a project's tasks to another workflow version.
struct ProjectRoutes {
    let writes: WriteHandling

    func add(to group: RouterGroup<APIRequestContext>) {
        group.post("projects") { request, context in try await create(request, context) }
        group.patch("projects/{project}") { request, context in try await update(request, context) }
        group.post("projects/{project}/migrations") { request, context in try await migrate(request, context) }
        group.post("projects/{project}/members") { request, context in try await addMember(request, context) }
        group.delete("projects/{project}/members/{member}") { request, context in
            let project = try ProjectID(context.parameters.require("project"))
            let member = try MemberID(context.parameters.require("member"))
            return try await run(request, context, project, .removeMember(member))
        }
        group.post("projects/{project}/labels") { request, context in
            let project = try ProjectID(context.parameters.require("project"))
            var body = try await JSONBody.read(request, limit: writes.bodyLimit)
            let name = body.string("name")
            let color = body.string("color")
            let description = body.optionalString("description") ?? ""
            try body.finish()
            return try await run(request, context, project, .createLabel(name: name, color: color, description: description), body: body)
        }
        group.delete("projects/{project}/labels/{label}") { request, context in
            let project = try ProjectID(context.parameters.require("project"))
            return try await run(request, context, project, .deleteLabel(name: try context.parameters.require("label")))
        }
        group.post("projects/{project}/archive") { request, context in
            try await run(request, context, try ProjectID(context.parameters.require("project")), .archive)
        }
        group.post("projects/{project}/restore") { request, context in
            try await run(request, context, try ProjectID(context.parameters.require("project")), .restore)
        }
    }

    private func create(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        var body = try await JSONBody.read(request, limit: writes.bodyLimit)
        let id = ProjectID(body.optionalString("id") ?? EventID.generate().description)
        let key = body.string("key")
        let name = body.string("name")
        let description = body.optionalString("description") ?? ""
        var pin = WorkflowPin(workflow: "", version: 1)
        if var workflow = body.optionalObject("workflow") {
            pin = WorkflowPin(workflow: WorkflowID(workflow.string("id")), version: workflow.optionalInteger("version") ?? 1)
            body.merge(workflow, as: "workflow")
        } else {
            body.addError("workflow: required ({\"id\": …, \"version\": …})")
        }
        var enforcement = WIPEnforcement.soft
        if let text = body.optionalString("wipEnforcement") {
            if let value = WIPEnforcement(rawValue: text) { enforcement = value } else { body.addError("wipEnforcement: one of soft, hard") }
        }
        let lead = body.optionalString("lead").map(MemberID.init(rawValue:))
        try body.finish()
        let new = NewProject(key: key, name: name, description: description, lead: lead, workflow: pin, wipEnforcement: enforcement)
        return try await writes.run(request, context: context, stream: .project(id), status: .created, body: body) {
            service, metadata, expected throws(CommandError) in
            try await service.execute(ProjectCommand(project: id, .create(new)), metadata: metadata, expectedVersion: expected)
        }
    }

    /// PATCH: the members present change, the others keep their values (null clears `lead` and the
    /// dates); one `ProjectUpdate` command, so one event listing every field change.
    private func update(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let project = try ProjectID(context.parameters.require("project"))
        var body = try await JSONBody.read(request, limit: writes.bodyLimit)
        var changes = ProjectChanges()
        if let name = body.optionalString("name") { changes.name = .set(name) }
        let description = body.nullableString("description")
        if description.present { changes.description = .set(description.value ?? "") }
        let lead = body.nullableString("lead")
        if lead.present { changes.lead = .set(lead.value.map(MemberID.init(rawValue:))) }
        let start = body.nullableDate("startDate")
        if start.present { changes.startDate = .set(start.value) }
        let target = body.nullableDate("targetDate")
        if target.present { changes.targetDate = .set(target.value) }
        if let text = body.optionalString("wipEnforcement") {
            if let value = WIPEnforcement(rawValue: text) {
                changes.wipEnforcement = .set(value)
            } else {
                body.addError("wipEnforcement: one of soft, hard")
            }
        }
        let expectedVersion = body.optionalInteger("expectedVersion").map { UInt64(max(0, $0)) }
        try body.finish()
        guard changes != ProjectChanges() else { throw Problem.badRequest("the body changes nothing", code: "empty-change") }
        return try await writes.run(request, context: context, stream: .project(project), bodyExpectedVersion: expectedVersion, body: body) {
            service, metadata, expected throws(CommandError) in
            try await service.execute(ProjectCommand(project: project, .update(changes)), metadata: metadata, expectedVersion: expected)
        }
    }

    /// Moves the project's tasks pinned to `from` (default: the version the project is pinned to now)
    /// onto `to`, each task's state mapped by `mapping` (old state id → new state id): one atomic append
    /// to the project's and every migrated task's stream (`TasksMigratedToWorkflowVersion`, …).
    private func migrate(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let project = try ProjectID(context.parameters.require("project"))
        var body = try await JSONBody.read(request, limit: writes.bodyLimit)
        let from = Self.pin(&body, "from", required: false)
        let to = Self.pin(&body, "to", required: true)
        var mapping: [StateID: StateID] = [:]
        switch body.optionalValue("mapping") {
        case .object(let members)?:
            for (old, new) in members.sorted(by: { $0.key < $1.key }) {
                guard case .string(let id) = new else {
                    body.addError("mapping.\(old): expected a state id (a string)")
                    continue
                }
                mapping[StateID(old)] = StateID(id)
            }
        case nil: body.addError("mapping: required ({\"old state\": \"new state\", …})")
        default: body.addError("mapping: expected an object")
        }
        let expectedVersion = body.optionalInteger("expectedVersion").map { UInt64(max(0, $0)) }
        try body.finish()
        guard let to else { throw Problem.badRequest("to: required", errors: ["to: required"]) }
        return try await writes.run(request, context: context, stream: .project(project), bodyExpectedVersion: expectedVersion, body: body) {
            service, metadata, expected throws(CommandError) in
            // Left out, `from` is the project's current pin: the usual case, leaving the version it is on.
            // An unknown project is refused by the command itself (not-found).
            var source = from
            if source == nil { source = try await service.project(project)?.workflow }
            return try await service.execute(
                ProjectCommand(project: project, .migrateTasks(from: source ?? WorkflowPin(workflow: "", version: 0), to: to, mapping: mapping)),
                metadata: metadata,
                expectedVersion: expected)
        }
    }

    /// A `{"id", "version"}` member (the version is required: a migration or a pin names exact versions).
    static func pin(_ body: inout JSONBody, _ key: String, required: Bool) -> WorkflowPin? {
        guard var nested = body.optionalObject(key) else {
            if required { body.addError("\(key): required ({\"id\": …, \"version\": …})") }
            return nil
        }
        let id = nested.string("id")
        let version = nested.optionalInteger("version")
        if version.map({ $0 < 1 }) ?? true { nested.addError("version: required, a positive integer") }
        body.merge(nested, as: key)
        guard let version, version > 0 else { return nil }
        return WorkflowPin(workflow: WorkflowID(id), version: version)
    }

    private func addMember(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let project = try ProjectID(context.parameters.require("project"))
        var body = try await JSONBody.read(request, limit: writes.bodyLimit)
        let member = MemberID(body.string("member"))
        let roleText = body.string("role")
        try body.finish()
        guard let role = ProjectRole(rawValue: roleText) else {
            throw Problem.badRequest("role: one of project_manager, member, viewer", errors: ["role: one of project_manager, member, viewer"])
        }
        return try await run(request, context, project, .addMember(member, role: role))
    }

    private func run(
        _ request: Request, _ context: APIRequestContext, _ project: ProjectID, _ action: ProjectAction, body: JSONBody? = nil
    ) async throws -> Response {
        try await writes.run(request, context: context, stream: .project(project), body: body) { service, metadata, expected throws(CommandError) in
            try await service.execute(ProjectCommand(project: project, action), metadata: metadata, expectedVersion: expected)
        }
    }
}

/// Workspace-level commands: members and workflows.
struct WorkspaceRoutes {
    let writes: WriteHandling

    func add(to group: RouterGroup<APIRequestContext>) {
        group.post("members") { request, context in try await addMember(request, context) }
        group.put("members/{member}/role") { request, context in
            let member = try MemberID(context.parameters.require("member"))
            var body = try await JSONBody.read(request, limit: writes.bodyLimit)
            let text = body.string("role")
            try body.finish()
            guard let role = WorkspaceRole(rawValue: text) else {
                throw Problem.badRequest("role: one of admin, member, guest, auditor", errors: ["role: one of admin, member, guest, auditor"])
            }
            return try await writes.run(request, context: context, stream: .workspace, body: body) {
                service, metadata, expected throws(CommandError) in
                try await service.execute(WorkspaceCommand.changeMemberRole(member, to: role), metadata: metadata, expectedVersion: expected)
            }
        }
        group.delete("members/{member}") { request, context in
            let member = try MemberID(context.parameters.require("member"))
            return try await writes.run(request, context: context, stream: .workspace) { service, metadata, expected throws(CommandError) in
                try await service.execute(WorkspaceCommand.removeMember(member), metadata: metadata, expectedVersion: expected)
            }
        }
        group.post("workflows") { request, context in try await createWorkflow(request, context) }
        group.post("workflows/{workflow}/versions") { request, context in try await publish(request, context) }
    }

    private func addMember(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        var body = try await JSONBody.read(request, limit: writes.bodyLimit)
        let id = MemberID(body.string("id"))
        let name = body.string("displayName")
        let email = body.string("email")
        var kind = MemberKind.user
        if let text = body.optionalString("kind") {
            if let value = MemberKind(rawValue: text) { kind = value } else { body.addError("kind: one of user, service") }
        }
        var role = WorkspaceRole.member
        if let text = body.optionalString("role") {
            if let value = WorkspaceRole(rawValue: text) { role = value } else { body.addError("role: one of admin, member, guest, auditor") }
        }
        try body.finish()
        let new = NewMember(id: id, displayName: name, email: email, kind: kind, role: role)
        return try await writes.run(request, context: context, stream: .workspace, status: .created, body: body) {
            service, metadata, expected throws(CommandError) in
            try await service.execute(WorkspaceCommand.addMember(new), metadata: metadata, expectedVersion: expected)
        }
    }

    private func createWorkflow(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        var body = try await JSONBody.read(request, limit: writes.bodyLimit)
        let id = WorkflowID(body.optionalString("id") ?? EventID.generate().description)
        let name = body.string("name")
        let definition = try Self.definition(&body)
        try body.finish()
        return try await writes.run(request, context: context, stream: .workflow(id), status: .created, body: body) {
            service, metadata, expected throws(CommandError) in
            try await service.execute(
                WorkflowCommand(workflow: id, .create(name: name, definition: definition)), metadata: metadata, expectedVersion: expected)
        }
    }

    private func publish(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let id = try WorkflowID(context.parameters.require("workflow"))
        var body = try await JSONBody.read(request, limit: writes.bodyLimit)
        let definition = try Self.definition(&body)
        try body.finish()
        return try await writes.run(request, context: context, stream: .workflow(id), status: .created, body: body) {
            service, metadata, expected throws(CommandError) in
            try await service.execute(WorkflowCommand(workflow: id, .publish(definition)), metadata: metadata, expectedVersion: expected)
        }
    }

    /// The `definition` member, in the same JSON shape as `WorkflowCreated` records it (docs/events.md).
    private static func definition(_ body: inout JSONBody) throws -> WorkflowDefinition {
        guard let value = body.optionalValue("definition") else {
            throw Problem.badRequest("definition: required", errors: ["definition: required"])
        }
        let unknown = unknownMembers(inDefinition: value)
        guard unknown.isEmpty else {
            throw Problem.badRequest("the definition has \(unknown.count) unknown member(s): \(unknown.joined(separator: "; "))", errors: unknown)
        }
        let outOfRange = value.numbersOutOfRange(at: "definition").map { "\($0): a number between -10^15 and 10^15" }
        guard outOfRange.isEmpty else { throw Problem.badRequest(outOfRange.joined(separator: "; "), errors: outOfRange) }
        do {
            return try JSONDecoder().decode(WorkflowDefinition.self, from: Data(value.encoded()))
        } catch {
            throw Problem.badRequest("definition: \(error)", errors: ["definition: not a workflow definition (see docs/events.md, WorkflowCreated)"])
        }
    }

    /// The members a definition's objects may have. `JSONDecoder` skips unknown keys, but a misspelt
    /// optional member (`wipLimt`, `isIntial`) must be refused as everywhere else in the API, not
    /// silently dropped — the document (openapi.json) says `additionalProperties: false` here too.
    private static let definitionMembers: Set<String> = ["mode", "states", "transitions"]
    private static let stateMembers: Set<String> = ["id", "name", "category", "position", "isInitial", "isReadOnly", "wipLimit"]
    private static let transitionMembers: Set<String> = [
        "id", "from", "to", "allowedRoles", "allowedMembers", "actorRule", "requiredFields", "approval",
    ]
    private static let approvalMembers: Set<String> = [
        "approverRoles", "approverMembers", "mode", "quorum", "stateOnApprove", "stateOnReject", "selfApprovalAllowed", "expiresAfterSeconds",
    ]

    /// `definition.…: unknown member` for each member the decoder would ignore (wrong types are left
    /// to the decoder).
    static func unknownMembers(inDefinition definition: JSONValue) -> [String] {
        var errors: [String] = []
        func check(_ value: JSONValue?, _ allowed: Set<String>, _ path: String) {
            guard case .object(let members)? = value else { return }
            for key in members.keys.sorted() where !allowed.contains(key) { errors.append("\(path).\(key): unknown member") }
        }
        check(definition, definitionMembers, "definition")
        for (index, state) in (definition["states"]?.arrayValue ?? []).enumerated() {
            check(state, stateMembers, "definition.states[\(index)]")
        }
        for (index, transition) in (definition["transitions"]?.arrayValue ?? []).enumerated() {
            check(transition, transitionMembers, "definition.transitions[\(index)]")
            check(transition["approval"], approvalMembers, "definition.transitions[\(index)].approval")
        }
        return errors
    }
}
