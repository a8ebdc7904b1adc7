/// Which permissions each role grants. A member's effective permissions are the union of the grants of
/// their workspace role and of their role in the project at hand; `admin` implies every permission;
/// `auditor` is limited to read-only permissions whatever a project role adds.
///
/// The command service passes one table to `Actor.init`; `GrantTable.defaults` is the table
/// `docs/permissions.md` shows (a test keeps the two equal).
public struct GrantTable: Sendable, Equatable {
    /// Grants of each workspace role (admin's entry is ignored: admin holds everything).
    public var workspace: [WorkspaceRole: Set<Permission>]
    /// Grants of each project role.
    public var project: [ProjectRole: Set<Permission>]

    public init(workspace: [WorkspaceRole: Set<Permission>], project: [ProjectRole: Set<Permission>]) {
        self.workspace = workspace
        self.project = project
    }

    /// The effective permissions of a member with these roles.
    public func permissions(workspaceRole: WorkspaceRole, projectRole: ProjectRole?) -> Set<Permission> {
        // Sets made once rather than per call: this runs for every command and every read's permission check.
        switch workspaceRole {
        case .admin:
            return Permission.all
        case .auditor:
            // Even a project role cannot give an auditor a change: that is what the role promises.
            guard let projectRole else { return workspace[.auditor, default: []].filter(\.isReadOnly) }
            return workspace[.auditor, default: []].union(project[projectRole, default: []]).filter(\.isReadOnly)
        case .member, .guest:
            guard let projectRole else { return workspace[workspaceRole, default: []] }
            return workspace[workspaceRole, default: []].union(project[projectRole, default: []])
        }
    }
}

extension GrantTable {
    /// The default grants. Why these:
    /// - workspace `member` may create projects (and becomes their project manager); everything inside a
    ///   project comes from the project role, so a project stays closed to workspace members who are not
    ///   in it;
    /// - `guest` gets nothing workspace-wide: outside collaborators see only the projects they join;
    /// - project `member` works every task (boards are shared work) and may decide approvals where a
    ///   policy names them (the policy picks the approvers; the permission only says a member can be one,
    ///   as GitLab's approval rules do); only project managers delete tasks, delete others' comments and
    ///   manage the project;
    /// - `viewer` reads and comments, and may edit and move only tasks that are their own (a stakeholder
    ///   assigned a sign-off task must be able to move it, and nothing else).
    public static let defaults = GrantTable(
        workspace: [
            .admin: Permission.all,
            .member: [.projectCreate, .documentRead],
            .guest: [],
            .auditor: [.auditRead, .documentRead],
        ],
        project: [
            .projectManager: [
                .projectUpdate, .projectArchive, .projectMemberManage, .workflowManage, .reminderManage,
                .milestoneManage, .taskCreate, .taskUpdate, .taskAssign, .taskTransition, .taskReorder, .taskDelete,
                .commentCreate, .commentUpdateOwn, .commentDeleteAny, .documentUpload, .documentRead,
                .documentDeleteOwn, .approvalRequest, .approvalDecide,
            ],
            .member: [
                .taskCreate, .taskUpdate, .taskAssign, .taskTransition, .taskReorder, .commentCreate,
                .commentUpdateOwn, .documentUpload, .documentRead, .documentDeleteOwn, .approvalRequest, .approvalDecide,
            ],
            .viewer: [.taskUpdateOwn, .taskTransitionOwn, .commentCreate, .commentUpdateOwn, .documentRead],
        ]
    )
}
