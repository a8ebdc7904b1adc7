/// What is needed to plan a milestone or sprint.
public struct NewMilestone: Equatable, Sendable {
    public var kind: MilestoneKind
    public var name: String
    public var startDate: CalendarDate?
    public var dueDate: CalendarDate?

    public init(kind: MilestoneKind, name: String, startDate: CalendarDate? = nil, dueDate: CalendarDate? = nil) {
        self.kind = kind
        self.name = name
        self.startDate = startDate
        self.dueDate = dueDate
    }
}

/// A partial update of a milestone.
public struct MilestoneChanges: Equatable, Sendable {
    public var name: Update<String>
    public var startDate: Update<CalendarDate?>
    public var dueDate: Update<CalendarDate?>

    public init(name: Update<String> = .keep, startDate: Update<CalendarDate?> = .keep, dueDate: Update<CalendarDate?> = .keep) {
        self.name = name
        self.startDate = startDate
        self.dueDate = dueDate
    }
}

/// What to do to a milestone. Every action needs `milestone.manage` in the milestone's project.
public enum MilestoneAction: Equatable, Sendable {
    /// Plans a milestone or sprint in the context's project.
    case create(NewMilestone)
    case update(MilestoneChanges)
    /// Starts a planned sprint, snapshotting the context's `tasks` as its scope.
    case start
    /// Closes the active sprint; open tasks go to `carryOverTo` (another planned or active milestone of
    /// the project, given as the context's `carryOverTarget`), or stay in the closed sprint.
    case close(carryOverTo: MilestoneID?)
}

/// A command on a milestone aggregate (stream `milestone-ID`).
public struct MilestoneCommand: Equatable, Sendable {
    public var milestone: MilestoneID
    public var action: MilestoneAction

    public init(milestone: MilestoneID, _ action: MilestoneAction) {
        self.milestone = milestone
        self.action = action
    }
}

/// A live task of a sprint, as the caller sees it when the sprint starts or closes.
public struct SprintTask: Hashable, Sendable {
    public var taskID: TaskID
    public var estimate: Estimate?
    public var category: StateCategory

    public init(taskID: TaskID, estimate: Estimate?, category: StateCategory) {
        self.taskID = taskID
        self.estimate = estimate
        self.category = category
    }
}

/// What a milestone decision needs besides the milestone: its project, and what only other aggregates
/// know, looked up by the caller (the domain does no I/O).
public struct MilestoneContext: Sendable {
    public var now: Instant
    public var expectedVersion: UInt64?
    public var limits: Limits
    /// The milestone's project (for `create`: the project it is planned in).
    public var project: ProjectState
    /// The project's active sprint, if any (for `start`): a project runs one sprint at a time.
    public var activeSprint: MilestoneID?
    /// The live (not deleted) tasks in the milestone now (for `start` and `close`).
    public var tasks: [SprintTask]
    /// The milestone named by `close(carryOverTo:)`; nil otherwise or when it does not exist.
    public var carryOverTarget: MilestoneState?

    public init(
        now: Instant, project: ProjectState, activeSprint: MilestoneID? = nil, tasks: [SprintTask] = [],
        carryOverTarget: MilestoneState? = nil, expectedVersion: UInt64? = nil, limits: Limits = .standard
    ) {
        self.now = now
        self.expectedVersion = expectedVersion
        self.limits = limits
        self.project = project
        self.activeSprint = activeSprint
        self.tasks = tasks
        self.carryOverTarget = carryOverTarget
    }
}
