/// A task's parent changed (nil: the task is top-level again). The parent is in the same project.
public struct TaskParentChanged: EventPayload {
    public static let type = "TaskParentChanged"
    public static let schemaVersion = 1
    public var taskID: TaskID
    public var parent: TaskID?
    public var changes: [FieldChange]
}

/// A task was put into a milestone or sprint. A task is in at most one: `previous` is the one it left
/// (also how a sprint's close carries open tasks over to the next).
public struct TaskAddedToMilestone: EventPayload {
    public static let type = "TaskAddedToMilestone"
    public static let schemaVersion = 1
    public var taskID: TaskID
    public var milestoneID: MilestoneID
    public var previous: MilestoneID?
    public var changes: [FieldChange]
}

/// A task was taken out of its milestone or sprint.
public struct TaskRemovedFromMilestone: EventPayload {
    public static let type = "TaskRemovedFromMilestone"
    public static let schemaVersion = 1
    public var taskID: TaskID
    public var milestoneID: MilestoneID
    public var changes: [FieldChange]
}

/// A task was archived: off the board and out of the way, with its history and comments intact. Unlike
/// a deletion it says "finished with", not "should not have existed"; `TaskUnarchived` brings it back.
public struct TaskArchived: EventPayload {
    public static let type = "TaskArchived"
    public static let schemaVersion = 1
    public var taskID: TaskID
}

/// An archived task is back on the board, in the state it was archived in.
///
/// Not in DOMAIN.md's first cut: archiving that cannot be undone would make a misclick permanent, and
/// DOMAIN.md keeps an archived time (not a final status) on the task.
public struct TaskUnarchived: EventPayload {
    public static let type = "TaskUnarchived"
    public static let schemaVersion = 1
    public var taskID: TaskID
}

/// An open task's due date ended. Recorded once per task and due date (`OverdueEvaluation`): a new due
/// date that also passes makes it overdue again.
public struct TaskBecameOverdue: EventPayload {
    public static let type = "TaskBecameOverdue"
    public static let schemaVersion = 1
    public var taskID: TaskID
    public var dueDate: CalendarDate
}

extension TaskParentChanged {
    public var eventBody: EventBody { .taskParentChanged(self) }
}

extension TaskAddedToMilestone {
    public var eventBody: EventBody { .taskAddedToMilestone(self) }
}

extension TaskRemovedFromMilestone {
    public var eventBody: EventBody { .taskRemovedFromMilestone(self) }
}

extension TaskArchived {
    public var eventBody: EventBody { .taskArchived(self) }
}

extension TaskUnarchived {
    public var eventBody: EventBody { .taskUnarchived(self) }
}

extension TaskBecameOverdue {
    public var eventBody: EventBody { .taskBecameOverdue(self) }
}
