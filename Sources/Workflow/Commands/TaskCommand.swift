/// What is needed to create a task.
public struct NewTask: Equatable, Sendable {
    public var title: String
    public var description: String
    public var priority: Priority
    public var assignees: [MemberID]
    public var labels: [String]
    public var startDate: CalendarDate?
    public var dueDate: CalendarDate?
    public var estimate: Estimate?
    public var rank: String?

    public init(
        title: String, description: String = "", priority: Priority = .unset, assignees: [MemberID] = [],
        labels: [String] = [], startDate: CalendarDate? = nil, dueDate: CalendarDate? = nil, estimate: Estimate? = nil,
        rank: String? = nil
    ) {
        self.title = title
        self.description = description
        self.priority = priority
        self.assignees = assignees
        self.labels = labels
        self.startDate = startDate
        self.dueDate = dueDate
        self.estimate = estimate
        self.rank = rank
    }
}

/// What to do to a task. The same action is decided by the same rules whichever path it came from
/// (a single update, a board drag, a bulk update, an import).
public enum TaskAction: Equatable, Sendable {
    /// Creates the task in the project's initial state, numbered `context.nextTaskNumber`. Needs `task.create`.
    case create(NewTask)
    /// Needs `task.update` (or `task.update.own` on one's own task).
    case edit(title: Update<String> = .keep, description: Update<String> = .keep)
    /// Needs `task.assign`.
    case assign(MemberID)
    /// Needs `task.assign`.
    case unassign(MemberID)
    /// Needs `task.update` (or `.own`).
    case setPriority(Priority)
    /// Sets both dates (nil clears one). Needs `task.update` (or `.own`).
    case setDates(start: CalendarDate?, due: CalendarDate?)
    /// Needs `task.update` (or `.own`).
    case setEstimate(Estimate?)
    /// Replaces the labels. Needs `task.update` (or `.own`).
    case setLabels([String])
    /// Moves the task by its pinned workflow version (rules 1 and 2 of DOMAIN.md), or requests approval
    /// when the transition has a policy. Needs `task.transition` (or `.own`), and `approval.request` for
    /// a transition with a policy.
    case move(to: StateID, rank: String? = nil, reason: String? = nil)
    /// Changes the rank within the column. Needs `task.reorder`.
    case reorder(rank: String)
    /// Makes the task a child of another task of the project (nil: top-level). Needs `task.update` (or
    /// `.own`); the context's `parentCandidate` describes the parent.
    case setParent(TaskID?)
    /// Puts the task into a milestone or sprint of its project (leaving any other). Needs `task.update`
    /// (or `.own`); the context's `milestone` is the one named.
    case addToMilestone(MilestoneID)
    /// Takes the task out of its milestone. Needs `task.update` (or `.own`).
    case removeFromMilestone
    /// Archives the task (cancelling a pending approval). Needs `task.delete`: archiving takes the card off
    /// the board as a deletion does, so it must not be a way around that permission.
    case archive
    /// Needs `task.delete`.
    case unarchive
    /// Soft-deletes the task (cancelling a pending approval). Needs `task.delete`.
    case delete
    /// Needs `task.delete`.
    case restore
    /// Needs `comment.create`.
    case addComment(CommentID, body: String)
    /// The author only, with `comment.update.own`.
    case editComment(CommentID, body: String)
    /// The author with `comment.update.own`, or anyone with `comment.delete.any`.
    case deleteComment(CommentID)
    /// As `deleteComment`.
    case restoreComment(CommentID)
    /// An approver's decision. Needs `approval.decide` and being one of the policy's approvers.
    case decideApproval(ApprovalID, ApprovalVerdict, comment: String? = nil)
    /// Withdraws a pending request: its requester, or anyone with `approval.decide`.
    case cancelApproval(ApprovalID, reason: String? = nil)
    /// Records that a pending request passed its expiry (the scheduler's job). Needs
    /// `approval.request` or `approval.decide`.
    case expireApproval(ApprovalID)
}

/// A command on a task aggregate (stream `task-ID`).
public struct TaskCommand: Equatable, Sendable {
    public var task: TaskID
    public var action: TaskAction

    public init(task: TaskID, _ action: TaskAction) {
        self.task = task
        self.action = action
    }
}
