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

    /// What the workspace's state alone says about a read of `projection`.
    enum Verdict {
        case allowed
        case denied(Problem)
        /// A guest: allowed only for a project they are a member of, which needs that project's state.
        case guest
    }

    /// The rules above, from the workspace's state (nil before the workspace exists).
    static func verdict(_ caller: Caller, projection: String, workspace: WorkspaceState?) -> Verdict {
        guard let workspace, let record = workspace.members[caller.member] else {
            return .denied(Problem(.forbidden, code: "missing-permission", detail: "not a member of this workspace"))
        }
        let actor: Actor
        do {
            actor = try Actor.resolve(member: caller.member, workspace: workspace, project: nil)
        } catch {
            return .denied(Problem(.forbidden, code: error.code, detail: error.description))
        }
        if projection == "audit" || projection == "activity" || projection.hasPrefix("audit_") {
            guard actor.has(.auditRead) else {
                return .denied(Problem(.forbidden, code: "missing-permission", detail: "the audit trail needs the audit.read permission"))
            }
            return .allowed
        }
        return record.role == .guest ? .guest : .allowed
    }

    /// Whether the read is allowed, decided without suspending from the workspace state the command
    /// service has in memory; false when it is denied or cannot be decided that way (the state moved on,
    /// or the caller is a guest), and `check` must decide.
    static func allowsAtOnce(_ caller: Caller, projection: String) -> Bool {
        guard let workspace = caller.workspace.service.currentWorkspace(),
            case .allowed = verdict(caller, projection: projection, workspace: workspace)
        else { return false }
        return true
    }

    static func check(_ caller: Caller, projection: String, parameters: [String: QueryValue]) async throws {
        let service = caller.workspace.service
        do {
            switch verdict(caller, projection: projection, workspace: try await service.workspace()) {
            case .allowed: return
            case .denied(let problem): throw problem
            case .guest: break
            }
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
        }
    }
}
