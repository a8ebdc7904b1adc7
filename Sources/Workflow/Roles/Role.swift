/// A member's role in the whole workspace.
public enum WorkspaceRole: String, CaseIterable, Hashable, Sendable, Codable {
    /// Everything, everywhere in the workspace.
    case admin
    /// A regular member: can create projects; rights inside a project come from the project role.
    case member
    /// An outside collaborator: no workspace-wide rights; everything comes from project roles.
    case guest
    /// Reads everything (history, audit trail, time travel, verification) and changes nothing.
    case auditor
}

/// A member's role in one project.
public enum ProjectRole: String, CaseIterable, Hashable, Sendable, Codable, Comparable {
    /// Runs the project: settings, members, workflow version, every task, approvals.
    case projectManager = "project_manager"
    /// Works on the project's tasks.
    case member
    /// Follows the project: reads, comments, and works only the tasks that are their own.
    case viewer

    public static func < (lhs: ProjectRole, rhs: ProjectRole) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// Whether a member is a person or a program (an integration, the scheduler).
public enum MemberKind: String, CaseIterable, Hashable, Sendable, Codable {
    case user
    case service
}
