/// A task was created in its project's initial state, pinned to the project's current workflow version.
public struct TaskCreated: EventPayload {
    public static let type = "TaskCreated"
    public static let schemaVersion = 1
    public var taskID: TaskID
    public var projectID: ProjectID
    public var number: Int
    /// `KEY-number`, e.g. `OPS-123`, as people quote it.
    public var key: String
    public var title: String
    public var description: String
    public var priority: Priority
    public var assignees: [MemberID]
    public var labels: [String]
    public var startDate: CalendarDate?
    public var dueDate: CalendarDate?
    public var estimate: Estimate?
    public var author: MemberID
    public var workflow: WorkflowPin
    public var state: StateID
    public var stateName: String
    public var category: StateCategory
    public var rank: String?
    /// The initial state was already at its (soft) WIP limit.
    public var wipLimitExceeded: Bool
}

/// A task's title or description changed. Carries the new value of each changed field (nil: unchanged).
public struct TaskEdited: EventPayload {
    public static let type = "TaskEdited"
    public static let schemaVersion = 1
    public var taskID: TaskID
    public var title: String?
    public var description: String?
    public var changes: [FieldChange]
}

/// A member was assigned to a task.
public struct TaskAssigned: EventPayload {
    public static let type = "TaskAssigned"
    public static let schemaVersion = 1
    public var taskID: TaskID
    public var memberID: MemberID
    public var memberName: String
}

/// A member was unassigned from a task.
public struct TaskUnassigned: EventPayload {
    public static let type = "TaskUnassigned"
    public static let schemaVersion = 1
    public var taskID: TaskID
    public var memberID: MemberID
    public var memberName: String
}

/// A task's priority changed.
public struct TaskPriorityChanged: EventPayload {
    public static let type = "TaskPriorityChanged"
    public static let schemaVersion = 1
    public var taskID: TaskID
    public var priority: Priority
    public var changes: [FieldChange]
}

/// A task's start or due date changed. Carries both dates after the change (nil: no date).
public struct TaskDatesChanged: EventPayload {
    public static let type = "TaskDatesChanged"
    public static let schemaVersion = 1
    public var taskID: TaskID
    public var startDate: CalendarDate?
    public var dueDate: CalendarDate?
    public var changes: [FieldChange]
}

/// A task's estimate changed (nil: no estimate).
public struct TaskEstimateChanged: EventPayload {
    public static let type = "TaskEstimateChanged"
    public static let schemaVersion = 1
    public var taskID: TaskID
    public var estimate: Estimate?
    public var changes: [FieldChange]
}

/// A task's labels changed. Carries the labels after the change and what was added and removed.
public struct TaskLabelsChanged: EventPayload {
    public static let type = "TaskLabelsChanged"
    public static let schemaVersion = 1
    public var taskID: TaskID
    public var labels: [String]
    public var added: [String]
    public var removed: [String]
    public var changes: [FieldChange]
}

/// A task changed state: the only event that does. Names and categories are captured so that history
/// and progress read correctly after a state is renamed in a later workflow version.
public struct TaskMoved: EventPayload {
    public static let type = "TaskMoved"
    public static let schemaVersion = 1
    public var taskID: TaskID
    public var from: StateID
    public var to: StateID
    public var fromName: String
    public var toName: String
    public var fromCategory: StateCategory
    public var toCategory: StateCategory
    /// The transition taken; nil for an unlisted move in an open workflow.
    public var transitionID: TransitionID?
    /// The card's rank in the new column.
    public var rank: String?
    /// The approval whose grant or rejection made this move, if any.
    public var approvalID: ApprovalID?
    /// The target column was at its soft WIP limit: allowed, and flagged for the board.
    public var wipLimitExceeded: Bool
}

/// A task changed rank within its column.
public struct TaskReordered: EventPayload {
    public static let type = "TaskReordered"
    public static let schemaVersion = 1
    public var taskID: TaskID
    public var state: StateID
    public var from: String?
    public var to: String
}

/// A task entered the completed category (follows its `TaskMoved`).
public struct TaskCompleted: EventPayload {
    public static let type = "TaskCompleted"
    public static let schemaVersion = 1
    public var taskID: TaskID
    public var state: StateID
}

/// A task left the completed category (follows its `TaskMoved`).
public struct TaskReopened: EventPayload {
    public static let type = "TaskReopened"
    public static let schemaVersion = 1
    public var taskID: TaskID
    public var state: StateID
}

/// A task was soft-deleted: hidden from boards, restorable, its history intact.
public struct TaskDeleted: EventPayload {
    public static let type = "TaskDeleted"
    public static let schemaVersion = 1
    public var taskID: TaskID
}

/// A soft-deleted task was restored, in the state it was deleted from.
public struct TaskRestored: EventPayload {
    public static let type = "TaskRestored"
    public static let schemaVersion = 1
    public var taskID: TaskID
}
