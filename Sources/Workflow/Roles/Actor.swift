/// Who is acting, with the roles that apply to the command at hand and the permissions they add up to.
///
/// The command service builds it from the workspace and project states (`Actor.resolve`) for each
/// command, so a role change takes effect on the next command.
///
/// ```swift
/// let actor = try Actor.resolve(member: "m-1", workspace: workspace, project: project)
/// let events = try TaskDecider.decide(task, command, actor: actor, context: context)
/// ```
public struct Actor: Hashable, Sendable {
    public let member: MemberID
    public let workspaceRole: WorkspaceRole
    /// The role in the project the command concerns; nil outside projects or for non-members.
    public let projectRole: ProjectRole?
    /// The effective permissions (see `GrantTable.permissions`).
    public let permissions: Set<Permission>

    public init(member: MemberID, workspaceRole: WorkspaceRole, projectRole: ProjectRole? = nil, grants: GrantTable = .defaults) {
        self.member = member
        self.workspaceRole = workspaceRole
        self.projectRole = projectRole
        self.permissions = grants.permissions(workspaceRole: workspaceRole, projectRole: projectRole)
    }

    /// The actor for `member`, with their workspace role and their role in `project` (if given).
    /// Refuses members who do not exist or were removed: they can do nothing at all.
    public static func resolve(
        member: MemberID, workspace: WorkspaceState, project: ProjectState? = nil, grants: GrantTable = .defaults
    ) throws(DomainError) -> Actor {
        guard let record = workspace.members[member], record.status == .active else {
            throw .notFound(kind: "member", id: member.rawValue)
        }
        return Actor(member: member, workspaceRole: record.role, projectRole: project?.members[member], grants: grants)
    }

    /// Whether the actor is a workspace admin: admin implies every permission, and counts as holding
    /// every project role where a transition or an approval policy names roles.
    public var isAdmin: Bool { workspaceRole == .admin }

    /// Whether the actor holds `permission` (or the broader permission that includes an `own` variant).
    public func has(_ permission: Permission) -> Bool {
        if permissions.contains(permission) { return true }
        if let broader = permission.broader { return permissions.contains(broader) }
        return false
    }

    /// Checks `permission`.
    func require(_ permission: Permission) throws(DomainError) {
        guard has(permission) else { throw .missingPermission(permission) }
    }

    /// Checks the broad permission, or its `own` variant when the thing is the actor's own. The error
    /// names the permission that would have been enough on this thing.
    func require(_ broad: Permission, orOwn own: Permission, isOwn: Bool) throws(DomainError) {
        if has(broad) { return }
        if isOwn, has(own) { return }
        throw .missingPermission(isOwn ? own : broad)
    }

    /// Whether the actor holds one of `roles` (admins hold every project role). The auditor holds none:
    /// a role named in a rule means "may act", and the auditor may not.
    func holdsAny(of roles: [ProjectRole]) -> Bool {
        if workspaceRole == .auditor { return false }
        if isAdmin { return !roles.isEmpty }
        guard let projectRole else { return false }
        return roles.contains(projectRole)
    }
}
