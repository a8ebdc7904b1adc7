/// Where one state of the old workflow version goes in the new one, with both names as they were, so
/// the audit trail reads after later renames.
public struct StateMapping: Hashable, Sendable, Codable {
    public var from: StateID
    public var to: StateID
    public var fromName: String
    public var toName: String

    public init(from: StateID, to: StateID, fromName: String, toName: String) {
        self.from = from
        self.to = to
        self.fromName = fromName
        self.toName = toName
    }
}

/// A project's tasks were moved from one workflow version to another by an explicit command with a
/// state mapping (the audit record, on the project's stream). In the same append: `ProjectWorkflowChanged`
/// when the project was pinned to the old version, and a `TaskWorkflowMigrated` on every migrated task's
/// stream.
public struct TasksMigratedToWorkflowVersion: EventPayload {
    public static let type = "TasksMigratedToWorkflowVersion"
    public static let schemaVersion = 1
    public var projectID: ProjectID
    public var from: WorkflowPin
    public var to: WorkflowPin
    /// Sorted by old state.
    public var mapping: [StateMapping]
    /// Sorted.
    public var tasks: [TaskID]
}

/// One task's part of a migration: its pin and its state change together. Not a `TaskMoved` (no
/// transition was taken; the workflow itself changed), so transition statistics do not count it, while
/// progress and time-in-state read the categories here.
public struct TaskWorkflowMigrated: EventPayload {
    public static let type = "TaskWorkflowMigrated"
    public static let schemaVersion = 1
    public var taskID: TaskID
    public var from: WorkflowPin
    public var to: WorkflowPin
    public var fromState: StateID
    public var toState: StateID
    public var fromName: String
    public var toName: String
    public var fromCategory: StateCategory
    public var toCategory: StateCategory
}

extension TasksMigratedToWorkflowVersion {
    public var eventBody: EventBody { .tasksMigratedToWorkflowVersion(self) }
}

extension TaskWorkflowMigrated {
    public var eventBody: EventBody { .taskWorkflowMigrated(self) }
}
