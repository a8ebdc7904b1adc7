/// The task aggregate (stream `task-ID`), with its comments and approval requests.
///
/// A task is always in exactly one state of its pinned workflow version. Within a version only
/// `TaskMoved` changes it; `TaskWorkflowMigrated` re-pins the task and maps its state, together.
public struct TaskState: AggregateState {
    public var id: TaskID
    public var project: ProjectID
    public var number: Int
    /// `KEY-number`, e.g. `OPS-123`.
    public var key: String
    public var title: String
    public var description: String
    /// The workflow version the task moves by; it changes only by an explicit migration.
    public var workflow: WorkflowPin
    public var state: StateID
    public var category: StateCategory
    public var priority: Priority
    /// In the order they were assigned.
    public var assignees: [MemberID]
    public var author: MemberID
    /// Sorted.
    public var labels: [String]
    public var startDate: CalendarDate?
    public var dueDate: CalendarDate?
    public var estimate: Estimate?
    /// Fractional key for board order within the column.
    public var rank: String?
    /// The parent task (same project), if any.
    public var parent: TaskID?
    /// The milestone or sprint the task is in, if any (at most one).
    public var milestone: MilestoneID?
    /// The due date for which the task was last recorded overdue (`TaskBecameOverdue`): once per due date.
    public var overdueFor: CalendarDate?
    public var comments: [CommentID: CommentState]
    /// Every approval request, oldest first; at most the last one is pending.
    public var approvals: [ApprovalRequestState]
    public var createdAt: Instant
    public var updatedAt: Instant
    /// When the task entered a state of its current category (for "in a category longer than" reminders).
    public var categoryEnteredAt: Instant
    public var completedAt: Instant?
    public var archivedAt: Instant?
    public var deletedAt: Instant?
    public var version: UInt64

    public var isDeleted: Bool { deletedAt != nil }
    public var isArchived: Bool { archivedAt != nil }
    /// Whether the task is in neither the completed nor the canceled category.
    public var isOpen: Bool { category != .completed && category != .canceled }

    /// The pending approval request, if any.
    public var pendingApproval: ApprovalRequestState? {
        guard let last = approvals.last, last.status == .pending else { return nil }
        return last
    }

    /// Whether the task counts as `member`'s own for the `own` permission variants.
    public func isOwn(by member: MemberID) -> Bool {
        author == member || assignees.contains(member)
    }

    /// Whether the task has a value for `field` (for a transition's required fields).
    public func has(_ field: TaskField) -> Bool {
        switch field {
        case .description: !Text.trimmingWhitespace(description).isEmpty
        case .assignees: !assignees.isEmpty
        case .priority: priority != .unset
        case .startDate: startDate != nil
        case .dueDate: dueDate != nil
        case .estimate: estimate != nil
        case .labels: !labels.isEmpty
        }
    }

    public static func start(with event: DomainEvent) -> TaskState? {
        guard case .taskCreated(let created) = event.body else { return nil }
        return TaskState(
            id: created.taskID, project: created.projectID, number: created.number, key: created.key, title: created.title,
            description: created.description, workflow: created.workflow, state: created.state, category: created.category,
            priority: created.priority, assignees: created.assignees, author: created.author, labels: created.labels,
            startDate: created.startDate, dueDate: created.dueDate, estimate: created.estimate, rank: created.rank,
            parent: nil, milestone: nil, overdueFor: nil, comments: [:], approvals: [], createdAt: event.at, updatedAt: event.at,
            categoryEnteredAt: event.at, completedAt: created.category == .completed ? event.at : nil, archivedAt: nil, deletedAt: nil,
            version: 1)
    }

    public func evolve(_ event: DomainEvent) -> TaskState {
        var next = self
        next.version += 1
        next.updatedAt = event.at
        switch event.body {
        case .taskEdited(let edited):
            if let title = edited.title { next.title = title }
            if let description = edited.description { next.description = description }
        case .taskAssigned(let assigned):
            if !next.assignees.contains(assigned.memberID) { next.assignees.append(assigned.memberID) }
        case .taskUnassigned(let unassigned):
            next.assignees.removeAll { $0 == unassigned.memberID }
        case .taskPriorityChanged(let changed):
            next.priority = changed.priority
        case .taskDatesChanged(let changed):
            next.startDate = changed.startDate
            next.dueDate = changed.dueDate
        case .taskEstimateChanged(let changed):
            next.estimate = changed.estimate
        case .taskLabelsChanged(let changed):
            next.labels = changed.labels
        case .taskMoved(let moved):
            next.state = moved.to
            if moved.toCategory != category { next.categoryEnteredAt = event.at }
            next.category = moved.toCategory
            next.rank = moved.rank
        case .taskReordered(let reordered):
            next.rank = reordered.to
        case .taskCompleted:
            next.completedAt = event.at
        case .taskReopened:
            next.completedAt = nil
        case .taskDeleted:
            next.deletedAt = event.at
        case .taskRestored:
            next.deletedAt = nil
        case .taskParentChanged(let changed):
            next.parent = changed.parent
        case .taskAddedToMilestone(let added):
            next.milestone = added.milestoneID
        case .taskRemovedFromMilestone(let removed):
            if next.milestone == removed.milestoneID { next.milestone = nil }
        case .taskArchived:
            next.archivedAt = event.at
        case .taskUnarchived:
            next.archivedAt = nil
        case .taskBecameOverdue(let overdue):
            next.overdueFor = overdue.dueDate
            // Recording that time passed is not activity on the task ("no activity for" reminders).
            next.updatedAt = updatedAt
        case .taskWorkflowMigrated(let migrated):
            next.workflow = migrated.to
            next.state = migrated.toState
            if migrated.toCategory != category { next.categoryEnteredAt = event.at }
            next.category = migrated.toCategory
        case .commentAdded(let added):
            next.comments[added.commentID] = CommentState(
                id: added.commentID, author: added.author, body: added.body, previousBodies: [], isDeleted: false,
                createdAt: event.at, editedAt: nil)
        case .commentEdited(let edited):
            next.comments[edited.commentID]?.previousBodies.append(edited.previousBody)
            next.comments[edited.commentID]?.body = edited.body
            next.comments[edited.commentID]?.editedAt = event.at
        case .commentDeleted(let deleted):
            next.comments[deleted.commentID]?.isDeleted = true
        case .commentRestored(let restored):
            next.comments[restored.commentID]?.isDeleted = false
        case .approvalRequested(let requested):
            next.approvals.append(
                ApprovalRequestState(
                    id: requested.approvalID, transition: requested.transitionID, from: requested.from, to: requested.to,
                    policy: requested.policy, requester: requested.requester, reason: requested.reason, requestedAt: event.at,
                    expiresAt: requested.expiresAt, status: .pending, decisions: []))
        case .approvalDecisionRecorded(let recorded):
            next.updateApproval(recorded.approvalID) {
                $0.decisions.append(
                    ApprovalDecision(approver: recorded.approver, verdict: recorded.decision, comment: recorded.comment, at: event.at))
            }
        case .approvalGranted(let granted):
            next.resolveApproval(granted.approvalID, as: .approved)
        case .approvalRejected(let rejected):
            next.resolveApproval(rejected.approvalID, as: .rejected)
        case .approvalCancelled(let cancelled):
            next.resolveApproval(cancelled.approvalID, as: .cancelled)
        case .approvalExpired(let expired):
            next.resolveApproval(expired.approvalID, as: .expired)
        default:
            break
        }
        return next
    }

    private mutating func updateApproval(_ id: ApprovalID, _ change: (inout ApprovalRequestState) -> Void) {
        guard let index = approvals.lastIndex(where: { $0.id == id }) else { return }
        change(&approvals[index])
    }

    /// Sets a final status, once: a request already resolved stays as it was (an approval resolves once,
    /// even if a damaged or hand-made stream said otherwise).
    private mutating func resolveApproval(_ id: ApprovalID, as status: ApprovalStatus) {
        updateApproval(id) { request in
            if request.status == .pending { request.status = status }
        }
    }
}
