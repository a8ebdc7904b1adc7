import CommandService
import ProjectionEngine
import Workflow

/// Who may read what. Commands are checked by the domain; reads by this:
/// - the audit trail and activity (`audit`, `activity`, and analysts' projections named `audit_*`) need
///   `audit.read` (admins and auditors);
/// - everything else is open to the workspace's members, auditors and admins; a guest reads only the
///   projects they are a member of, so a guest's read must name the `project` or a `task` of one.
enum ReadAccess {
    /// Throws 403 unless the caller has `audit.read` (admins and auditors).
    static func requireAuditRead(_ caller: Caller) async throws {
        do {
            guard let workspace = try await caller.workspace.service.workspace(), workspace.members[caller.member] != nil else {
                throw Problem(.forbidden, code: "missing-permission", detail: "not a member of this workspace")
            }
            guard try Actor.resolve(member: caller.member, workspace: workspace, project: nil).has(.auditRead) else {
                throw Problem(.forbidden, code: "missing-permission", detail: "checkpoints need the audit.read permission")
            }
        } catch let error as CommandError {
            throw Problem(error)
        } catch let error as DomainError {
            throw Problem(.forbidden, code: error.code, detail: error.description)
        }
    }

    static func check(_ caller: Caller, projection: String, parameters: [String: QueryValue]) async throws {
        let service = caller.workspace.service
        do {
            guard let workspace = try await service.workspace(), let record = workspace.members[caller.member] else {
                throw Problem(.forbidden, code: "missing-permission", detail: "not a member of this workspace")
            }
            let actor = try Actor.resolve(member: caller.member, workspace: workspace, project: nil)
            if projection == "audit" || projection == "activity" || projection.hasPrefix("audit_") {
                guard actor.has(.auditRead) else {
                    throw Problem(.forbidden, code: "missing-permission", detail: "the audit trail needs the audit.read permission")
                }
                return
            }
            guard record.role == .guest else { return }
            var project: ProjectID?
            if case .text(let id)? = parameters["project"] {
                project = ProjectID(id)
            } else if case .text(let id)? = parameters["task"] {
                project = try await service.task(TaskID(id))?.project
            }
            guard let project, let state = try await service.project(project), state.members[caller.member] != nil else {
                throw Problem(.forbidden, code: "missing-permission", detail: "a guest reads only the projects they are a member of")
            }
        } catch let error as CommandError {
            throw Problem(error)
        } catch let error as DomainError {
            throw Problem(.forbidden, code: error.code, detail: error.description)
        }
    }
}
