/// Whether a milestone is a target date for a body of work, or a time-boxed sprint.
public enum MilestoneKind: String, CaseIterable, Hashable, Sendable, Codable {
    /// A target: tasks are added to it; it has no start or close of its own (progress comes from its tasks).
    case milestone
    /// A time box: it starts (its scope is snapshotted) and closes (open tasks are carried over).
    case sprint
}

/// A task in a sprint's scope when it started, with its estimate then: the snapshot burndown starts from.
public struct SprintScopeItem: Hashable, Sendable, Codable {
    public var taskID: TaskID
    public var estimate: Estimate?

    public init(taskID: TaskID, estimate: Estimate?) {
        self.taskID = taskID
        self.estimate = estimate
    }
}

/// A milestone or sprint was planned in a project.
public struct MilestoneCreated: EventPayload {
    public static let type = "MilestoneCreated"
    public static let schemaVersion = 1
    public var milestoneID: MilestoneID
    public var projectID: ProjectID
    public var kind: MilestoneKind
    public var name: String
    public var startDate: CalendarDate?
    public var dueDate: CalendarDate?
}

/// A milestone's name or dates changed. Carries every editable field after the change.
public struct MilestoneUpdated: EventPayload {
    public static let type = "MilestoneUpdated"
    public static let schemaVersion = 1
    public var milestoneID: MilestoneID
    public var name: String
    public var startDate: CalendarDate?
    public var dueDate: CalendarDate?
    public var changes: [FieldChange]
}

/// A sprint started. `scope` is what it held at that moment (given by the caller: the domain reads no
/// other aggregate), so later additions show as scope changes in the burndown, not as the plan.
public struct SprintStarted: EventPayload {
    public static let type = "SprintStarted"
    public static let schemaVersion = 1
    public var milestoneID: MilestoneID
    public var projectID: ProjectID
    /// Sorted by task id.
    public var scope: [SprintScopeItem]
}

/// A sprint closed. Its tasks at that moment are split into completed, canceled and carried over; the
/// carried-over ones move to `carriedOverTo` (a `TaskAddedToMilestone` each, in the same append), or stay
/// in the closed sprint when no target is named.
public struct SprintClosed: EventPayload {
    public static let type = "SprintClosed"
    public static let schemaVersion = 1
    public var milestoneID: MilestoneID
    public var projectID: ProjectID
    /// Sorted, as are the other lists.
    public var completed: [TaskID]
    public var canceled: [TaskID]
    public var carriedOver: [TaskID]
    public var carriedOverTo: MilestoneID?
}

extension MilestoneCreated {
    public var eventBody: EventBody { .milestoneCreated(self) }
}

extension MilestoneUpdated {
    public var eventBody: EventBody { .milestoneUpdated(self) }
}

extension SprintStarted {
    public var eventBody: EventBody { .sprintStarted(self) }
}

extension SprintClosed {
    public var eventBody: EventBody { .sprintClosed(self) }
}
