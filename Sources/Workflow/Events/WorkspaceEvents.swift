/// A workspace was set up. The founding member follows as `MemberAdded` with role admin.
public struct WorkspaceCreated: EventPayload {
    public static let type = "WorkspaceCreated"
    public static let schemaVersion = 1
    public var workspaceID: WorkspaceID
    public var slug: String
    public var name: String
    /// IANA time zone name (e.g. `Europe/Berlin`): the zone that start and due dates are days in.
    public var timeZone: String
}

/// The workspace's name or time zone changed. Carries the settings after the change.
public struct WorkspaceSettingsChanged: EventPayload {
    public static let type = "WorkspaceSettingsChanged"
    public static let schemaVersion = 1
    public var name: String
    public var timeZone: String
    public var changes: [FieldChange]
}

/// A person or service joined the workspace.
public struct MemberAdded: EventPayload {
    public static let type = "MemberAdded"
    public static let schemaVersion = 1
    public var memberID: MemberID
    public var displayName: String
    /// Lower-cased; unique among active members.
    public var email: String
    public var kind: MemberKind
    public var role: WorkspaceRole
}

/// A member's workspace role changed.
public struct MemberRoleChanged: EventPayload {
    public static let type = "MemberRoleChanged"
    public static let schemaVersion = 1
    public var memberID: MemberID
    public var memberName: String
    public var from: WorkspaceRole
    public var to: WorkspaceRole
}

/// A member left the workspace. Their record stays (history names them); they can no longer act.
public struct MemberRemoved: EventPayload {
    public static let type = "MemberRemoved"
    public static let schemaVersion = 1
    public var memberID: MemberID
    public var memberName: String
}
