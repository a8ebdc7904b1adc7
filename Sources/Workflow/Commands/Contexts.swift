/// What a workspace or workflow decision needs besides the state: the time and the limits, passed in
/// because the domain reads no clock and no configuration.
public struct DecisionContext: Sendable {
    public var now: Instant
    /// The aggregate version the client last saw (`If-Match`); nil to accept any.
    public var expectedVersion: UInt64?
    public var limits: Limits

    public init(now: Instant, expectedVersion: UInt64? = nil, limits: Limits = .standard) {
        self.now = now
        self.expectedVersion = expectedVersion
        self.limits = limits
    }
}

/// What a project decision needs: the workspace (members, to check leads and new project members),
/// the workflow a command pins, and the project keys in use (keys are unique in a workspace).
public struct ProjectContext: Sendable {
    public var now: Instant
    public var expectedVersion: UInt64?
    public var limits: Limits
    public var workspace: WorkspaceState
    /// The workflow named by `create` or `pinWorkflow`; nil for other actions.
    public var workflow: WorkflowState?
    /// Keys of the workspace's other projects (from a read model; the command service re-checks on append).
    public var projectKeysInUse: Set<String>
    /// For `migrateTasks`: the workflow of the version migrated from (the same value as `workflow` when
    /// the migration stays within one workflow).
    public var migrationSource: WorkflowState?
    /// For `migrateTasks`: the project's tasks pinned to the version migrated from, deleted and archived
    /// ones included (they keep their pin and may come back). The command appends to each one's stream,
    /// so the service loads them and expects their versions.
    public var migratingTasks: [TaskState]

    public init(
        now: Instant, workspace: WorkspaceState, workflow: WorkflowState? = nil, projectKeysInUse: Set<String> = [],
        migrationSource: WorkflowState? = nil, migratingTasks: [TaskState] = [], expectedVersion: UInt64? = nil,
        limits: Limits = .standard
    ) {
        self.now = now
        self.expectedVersion = expectedVersion
        self.limits = limits
        self.workspace = workspace
        self.workflow = workflow
        self.projectKeysInUse = projectKeysInUse
        self.migrationSource = migrationSource
        self.migratingTasks = migratingTasks
    }
}

/// What a task decision needs besides the task: its workspace (members), its project (status, roles,
/// WIP enforcement, the next task number), the workflow it is pinned to, and the board's counts.
public struct TaskContext: Sendable {
    public var now: Instant
    public var expectedVersion: UInt64?
    public var limits: Limits
    public var workspace: WorkspaceState
    public var project: ProjectState
    /// The workflow of the task's pin (for `create`: of the project's pin).
    public var workflow: WorkflowState
    /// Live (not deleted) tasks per state in the project, from the board read model: the domain does
    /// no I/O, so WIP limits are checked against counts the caller passes in.
    public var columnCounts: [StateID: Int]
    /// The number a task created by this decision takes (its key is the project's key, a dash and the
    /// number). Numbers are unique within a project, so they span every task stream of the project: the
    /// caller allocates them (the command service, from its workspace index) rather than the project's
    /// stream, which would make every creation in a project wait for the previous one's append.
    public var nextTaskNumber: Int
    /// For `addToMilestone`: the milestone named (nil when it does not exist).
    public var milestone: MilestoneState?
    /// For `setParent` with a task: that task and its ancestors (nil when it does not exist).
    public var parentCandidate: ParentCandidate?

    public init(
        now: Instant, workspace: WorkspaceState, project: ProjectState, workflow: WorkflowState,
        columnCounts: [StateID: Int] = [:], nextTaskNumber: Int = 1, milestone: MilestoneState? = nil,
        parentCandidate: ParentCandidate? = nil, expectedVersion: UInt64? = nil, limits: Limits = .standard
    ) {
        self.now = now
        self.expectedVersion = expectedVersion
        self.limits = limits
        self.workspace = workspace
        self.project = project
        self.workflow = workflow
        self.columnCounts = columnCounts
        self.nextTaskNumber = nextTaskNumber
        self.milestone = milestone
        self.parentCandidate = parentCandidate
    }
}

/// A task proposed as another's parent, as the caller found it: the parent chain above it is what the
/// cycle check needs, and only the caller can walk other tasks' streams.
public struct ParentCandidate: Hashable, Sendable {
    public var task: TaskID
    /// `KEY-number`, for the change's display value.
    public var key: String
    public var project: ProjectID
    public var isDeleted: Bool
    /// The candidate's parent, that task's parent, and so on up to a top-level task (nearest first).
    public var ancestors: [TaskID]

    public init(task: TaskID, key: String, project: ProjectID, isDeleted: Bool = false, ancestors: [TaskID] = []) {
        self.task = task
        self.key = key
        self.project = project
        self.isDeleted = isDeleted
        self.ancestors = ancestors
    }
}
