/// A project was created. The creator follows as `ProjectMemberAdded` with role project_manager.
public struct ProjectCreated: EventPayload {
    public static let type = "ProjectCreated"
    public static let schemaVersion = 1
    public var projectID: ProjectID
    /// Prefix of task numbers, e.g. `OPS` for `OPS-123`.
    public var key: String
    public var name: String
    public var description: String
    public var lead: MemberID?
    public var startDate: CalendarDate?
    public var targetDate: CalendarDate?
    public var workflow: WorkflowPin
    public var wipEnforcement: WIPEnforcement
}

/// A project's settings changed. Carries every editable field after the change, so applying it needs
/// no knowledge of which fields a command touched; `changes` lists the ones that did change.
public struct ProjectUpdated: EventPayload {
    public static let type = "ProjectUpdated"
    public static let schemaVersion = 1
    public var projectID: ProjectID
    public var name: String
    public var description: String
    public var lead: MemberID?
    public var startDate: CalendarDate?
    public var targetDate: CalendarDate?
    public var wipEnforcement: WIPEnforcement
    public var changes: [FieldChange]
}

/// A project was archived: it and its tasks accept no changes until restored.
public struct ProjectArchived: EventPayload {
    public static let type = "ProjectArchived"
    public static let schemaVersion = 1
    public var projectID: ProjectID
}

/// An archived project was restored.
public struct ProjectRestored: EventPayload {
    public static let type = "ProjectRestored"
    public static let schemaVersion = 1
    public var projectID: ProjectID
}

/// A workspace member joined a project with a role.
public struct ProjectMemberAdded: EventPayload {
    public static let type = "ProjectMemberAdded"
    public static let schemaVersion = 1
    public var projectID: ProjectID
    public var memberID: MemberID
    public var memberName: String
    public var role: ProjectRole
}

/// A project member's role changed.
public struct ProjectMemberRoleChanged: EventPayload {
    public static let type = "ProjectMemberRoleChanged"
    public static let schemaVersion = 1
    public var projectID: ProjectID
    public var memberID: MemberID
    public var memberName: String
    public var from: ProjectRole
    public var to: ProjectRole
}

/// A member left a project.
public struct ProjectMemberRemoved: EventPayload {
    public static let type = "ProjectMemberRemoved"
    public static let schemaVersion = 1
    public var projectID: ProjectID
    public var memberID: MemberID
    public var memberName: String
}

/// The project's new tasks now pin another workflow or version. Existing tasks keep their pin.
public struct ProjectWorkflowChanged: EventPayload {
    public static let type = "ProjectWorkflowChanged"
    public static let schemaVersion = 1
    public var projectID: ProjectID
    public var from: WorkflowPin
    public var to: WorkflowPin
}
