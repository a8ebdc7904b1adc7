import CommandService
import Workflow

/// Permission checks for routes that read (commands are checked by the domain itself, on every path).
enum Permissions {
    /// Throws 403 unless the caller holds `permission` workspace-wide.
    static func require(_ permission: Permission, caller: Caller) async throws {
        let workspace: WorkspaceState?
        do {
            workspace = try await caller.workspace.service.workspace()
        } catch {
            throw Problem(error)
        }
        guard let workspace, let actor = try? Actor.resolve(member: caller.member, workspace: workspace, project: nil),
            actor.has(permission)
        else {
            throw Problem(.forbidden, code: "missing-permission", detail: "this needs the \(permission.rawValue) permission")
        }
    }
}
