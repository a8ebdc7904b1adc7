import CommandService
import EventLog
import Hummingbird
import Workflow

/// A project's members' roles, the workflow version its new tasks get, and its label definitions'
/// colors and descriptions: the project commands beyond create, update and archive (ProjectRoutes).
struct ProjectSettingsRoutes {
    let writes: WriteHandling

    func add(to group: RouterGroup<APIRequestContext>) {
        group.put("projects/{project}/members/{member}/role") { request, context in try await changeMemberRole(request, context) }
        group.put("projects/{project}/workflow") { request, context in try await pinWorkflow(request, context) }
        group.patch("projects/{project}/labels/{label}") { request, context in try await updateLabel(request, context) }
    }

    /// PUT, as the workspace role's route: the role is the whole resource.
    private func changeMemberRole(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let project = try ProjectID(context.parameters.require("project"))
        let member = try MemberID(context.parameters.require("member"))
        var body = try await JSONBody.read(request, limit: writes.bodyLimit)
        let text = body.string("role")
        try body.finish()
        guard let role = ProjectRole(rawValue: text) else {
            throw Problem.badRequest("role: one of project_manager, member, viewer", errors: ["role: one of project_manager, member, viewer"])
        }
        return try await run(request, context, project, .changeMemberRole(member, to: role), body: body)
    }

    /// Pins the exact version new tasks get (`{"workflow": {"id", "version"}}`, the version required as
    /// in a migration); the project's existing tasks stay on theirs until migrated.
    private func pinWorkflow(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let project = try ProjectID(context.parameters.require("project"))
        var body = try await JSONBody.read(request, limit: writes.bodyLimit)
        let pin = ProjectRoutes.pin(&body, "workflow", required: true)
        try body.finish()
        guard let pin else { throw Problem.badRequest("workflow: required", errors: ["workflow: required"]) }
        return try await run(request, context, project, .pinWorkflow(pin), body: body)
    }

    /// PATCH: `color` and `description` (null clears it) change, a member left out keeps its value; the
    /// name is the label's identity on tasks, so it is not renamed here.
    private func updateLabel(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let project = try ProjectID(context.parameters.require("project"))
        let name = try context.parameters.require("label")
        var body = try await JSONBody.read(request, limit: writes.bodyLimit)
        let color = body.optionalString("color")
        let description = body.nullableString("description")
        let expectedVersion = body.optionalInteger("expectedVersion").map { UInt64(max(0, $0)) }
        try body.finish()
        guard color != nil || description.present else { throw Problem.badRequest("the body changes nothing", code: "empty-change") }
        let action = ProjectAction.updateLabel(
            name: name, color: color.map(Update.set) ?? .keep, description: description.present ? .set(description.value ?? "") : .keep)
        return try await run(request, context, project, action, bodyExpectedVersion: expectedVersion, body: body)
    }

    private func run(
        _ request: Request, _ context: APIRequestContext, _ project: ProjectID, _ action: ProjectAction, bodyExpectedVersion: UInt64? = nil,
        body: JSONBody
    ) async throws -> Response {
        try await writes.run(request, context: context, stream: .project(project), bodyExpectedVersion: bodyExpectedVersion, body: body) {
            service, metadata, expected throws(CommandError) in
            try await service.execute(ProjectCommand(project: project, action), metadata: metadata, expectedVersion: expected)
        }
    }
}
