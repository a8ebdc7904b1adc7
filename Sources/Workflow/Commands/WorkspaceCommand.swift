/// A person or service to add to a workspace.
public struct NewMember: Hashable, Sendable {
    public var id: MemberID
    public var displayName: String
    public var email: String
    public var kind: MemberKind
    public var role: WorkspaceRole

    public init(id: MemberID, displayName: String, email: String, kind: MemberKind = .user, role: WorkspaceRole = .member) {
        self.id = id
        self.displayName = displayName
        self.email = email
        self.kind = kind
        self.role = role
    }
}

/// What is needed to set up a workspace.
public struct NewWorkspace: Hashable, Sendable {
    public var id: WorkspaceID
    /// URL-friendly name: 1-64 of `[a-z0-9-]`.
    public var slug: String
    public var name: String
    /// IANA time zone name, e.g. `Europe/Berlin` or `UTC`.
    public var timeZone: String
    /// The first member; becomes admin whatever `role` says.
    public var founder: NewMember

    public init(id: WorkspaceID, slug: String, name: String, timeZone: String = "UTC", founder: NewMember) {
        self.id = id
        self.slug = slug
        self.name = name
        self.timeZone = timeZone
        self.founder = founder
    }
}

/// A command on the workspace aggregate (stream `workspace`).
public enum WorkspaceCommand: Equatable, Sendable {
    /// Sets up the workspace. A bootstrap step (`taskledger init`): the actor must be the founder.
    case create(NewWorkspace)
    /// Renames the workspace or changes its time zone. Needs `workspace.manage`.
    case changeSettings(name: Update<String> = .keep, timeZone: Update<String> = .keep)
    /// Adds a member. Needs `member.manage`.
    case addMember(NewMember)
    /// Changes a member's workspace role. Needs `member.manage`.
    case changeMemberRole(MemberID, to: WorkspaceRole)
    /// Removes a member (kept for history). Needs `member.manage`.
    case removeMember(MemberID)
}
