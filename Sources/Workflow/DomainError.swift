/// Why a transition refused a move; carried by `DomainError.transitionNotAllowed`.
public enum TransitionRefusal: Hashable, Sendable, CustomStringConvertible {
    /// The workflow is enforced and lists no transition between the two states.
    case noSuchTransition
    /// The task is already in the target state.
    case sameState
    /// The transition names roles, and the actor holds none of them.
    case roleNotAllowed
    /// The transition names members (and no role of the actor's), and the actor is not one of them.
    case memberNotAllowed
    /// The transition's actor rule (assignee or author) does not hold for the actor.
    case actorRule(ActorRule)

    public var description: String {
        switch self {
        case .noSuchTransition: "the workflow has no such transition"
        case .sameState: "the task is already in that state"
        case .roleNotAllowed: "the transition is limited to other roles"
        case .memberNotAllowed: "the transition is limited to other members"
        case .actorRule(let rule): "only the task's \(rule.rawValue) may take this transition"
        }
    }
}

/// Every way a decision can refuse a command. Nothing was decided when one is thrown: a refused command
/// produces no events. `code` is stable, kebab-case, and what the API puts in a problem+json `type`.
public enum DomainError: Error, Hashable, Sendable, CustomStringConvertible {
    // MARK: Input

    /// A value is malformed or inconsistent (an empty title, a start date after the due date, …).
    case validationFailed(field: String, reason: String)
    /// A value or a collection is larger than its `Limits` maximum.
    case limitExceeded(field: String, limit: Int, actual: Int)
    /// The thing a command names does not exist (`kind` is `task`, `member`, `state`, …).
    case notFound(kind: String, id: String)
    /// A create command names something that exists already (an id, a project key, a member's email).
    case alreadyExists(kind: String, id: String)
    /// The command expected another version of the aggregate (optimistic concurrency, `If-Match`).
    case versionConflict(expected: UInt64, actual: UInt64)

    // MARK: Access

    /// The actor's roles grant no permission that the command needs.
    case missingPermission(Permission)
    /// Removing or demoting this member would leave the workspace without an active admin.
    case lastAdmin(MemberID)

    // MARK: Lifecycle

    /// The project is archived: it changes only by being restored.
    case projectArchived(ProjectID)
    /// The task is soft-deleted: it changes only by being restored.
    case taskDeleted(TaskID)
    /// The comment is soft-deleted: it changes only by being restored.
    case commentDeleted(CommentID)
    /// The task's current state is read-only: only moves and comments are allowed there.
    case stateReadOnly(StateID)
    /// The task is archived: it changes only by being unarchived.
    case taskArchived(TaskID)
    /// The document was removed: it changes no more (history keeps it).
    case documentRemoved(DocumentID)

    // MARK: Structure

    /// Making the task a child of this candidate would make it its own ancestor (a self-parent included).
    case parentCycle(TaskID)

    // MARK: Milestones and sprints

    /// The milestone or sprint is closed: it takes no more changes and no more tasks.
    case milestoneClosed(MilestoneID)
    /// Another sprint of the project is active; a project runs one sprint at a time.
    case sprintAlreadyActive(MilestoneID)
    /// The sprint has not started (closing it needs an active sprint).
    case sprintNotActive(MilestoneID)

    // MARK: Documents

    /// The file is larger than `Limits.documentBytesMax`. Its own code: clients show "file too large"
    /// before uploading again, which a generic limit does not tell them.
    case documentTooLarge(limit: Int64, actual: Int64)

    // MARK: Workflow migration

    /// A task of the project is in this state of the old version, and the mapping does not say where
    /// it goes in the new one.
    case stateNotMapped(StateID)
    /// The migration touches more tasks than one atomic append may (`Limits.tasksPerMigrationMax`).
    case migrationTooLarge(limit: Int, count: Int)

    // MARK: Moves

    /// The move is not allowed by the task's pinned workflow version.
    case transitionNotAllowed(from: StateID, to: StateID, reason: TransitionRefusal)
    /// The transition needs fields the task does not have.
    case requiredFieldMissing([TaskField])
    /// The target state has a hard WIP limit and is full.
    case wipLimitExceeded(state: StateID, limit: Int, count: Int)

    // MARK: Approvals

    /// The task has a pending approval: it cannot move, and no second approval can be requested.
    case approvalPending(ApprovalID)
    /// The approval exists but was already resolved (granted, rejected, cancelled or expired).
    case approvalNotPending(ApprovalID)
    /// The actor is not one of the policy's approvers.
    case notAnApprover(MemberID)
    /// The actor requested this approval, and the policy does not allow self-approval.
    case selfApprovalNotAllowed(MemberID)
    /// The actor has already decided on this approval: one decision per approver.
    case alreadyDecided(MemberID)
    /// The approval's expiry has passed; it can only be recorded as expired.
    case approvalExpired(ApprovalID)

    /// A stable, kebab-case identifier of the refusal.
    public var code: String {
        switch self {
        case .validationFailed: "validation-failed"
        case .limitExceeded: "limit-exceeded"
        case .notFound: "not-found"
        case .alreadyExists: "already-exists"
        case .versionConflict: "version-conflict"
        case .missingPermission: "missing-permission"
        case .lastAdmin: "last-admin"
        case .projectArchived: "project-archived"
        case .taskDeleted: "task-deleted"
        case .commentDeleted: "comment-deleted"
        case .stateReadOnly: "state-read-only"
        case .taskArchived: "task-archived"
        case .documentRemoved: "document-removed"
        case .parentCycle: "parent-cycle"
        case .milestoneClosed: "milestone-closed"
        case .sprintAlreadyActive: "sprint-already-active"
        case .sprintNotActive: "sprint-not-active"
        case .documentTooLarge: "document-too-large"
        case .stateNotMapped: "state-not-mapped"
        case .migrationTooLarge: "migration-too-large"
        case .transitionNotAllowed: "transition-not-allowed"
        case .requiredFieldMissing: "required-field-missing"
        case .wipLimitExceeded: "wip-limit-exceeded"
        case .approvalPending: "approval-pending"
        case .approvalNotPending: "approval-not-pending"
        case .notAnApprover: "not-an-approver"
        case .selfApprovalNotAllowed: "self-approval-not-allowed"
        case .alreadyDecided: "already-decided"
        case .approvalExpired: "approval-expired"
        }
    }

    public var description: String {
        switch self {
        case .validationFailed(let field, let reason):
            "\(field): \(reason)"
        case .limitExceeded(let field, let limit, let actual):
            "\(field): \(actual) is more than the limit of \(limit)"
        case .notFound(let kind, let id):
            "\(kind) \"\(id)\" does not exist"
        case .alreadyExists(let kind, let id):
            "\(kind) \"\(id)\" already exists"
        case .versionConflict(let expected, let actual):
            "expected version \(expected), but the current version is \(actual)"
        case .missingPermission(let permission):
            "missing permission \(permission.rawValue)"
        case .lastAdmin(let member):
            "member \"\(member)\" is the workspace's last active admin"
        case .projectArchived(let project):
            "project \"\(project)\" is archived; restore it first"
        case .taskDeleted(let task):
            "task \"\(task)\" is deleted; restore it first"
        case .commentDeleted(let comment):
            "comment \"\(comment)\" is deleted; restore it first"
        case .stateReadOnly(let state):
            "the task is in read-only state \"\(state)\": only moves and comments are allowed"
        case .taskArchived(let task):
            "task \"\(task)\" is archived; unarchive it first"
        case .documentRemoved(let document):
            "document \"\(document)\" was removed"
        case .parentCycle(let task):
            "task \"\(task)\" cannot be the parent: the task would become its own ancestor"
        case .milestoneClosed(let milestone):
            "milestone \"\(milestone)\" is closed"
        case .sprintAlreadyActive(let sprint):
            "sprint \"\(sprint)\" is active; close it first"
        case .sprintNotActive(let sprint):
            "sprint \"\(sprint)\" is not active"
        case .documentTooLarge(let limit, let actual):
            "the file has \(actual) bytes, more than the limit of \(limit)"
        case .stateNotMapped(let state):
            "tasks are in state \"\(state)\", which the mapping does not map"
        case .migrationTooLarge(let limit, let count):
            "the migration touches \(count) tasks, more than the limit of \(limit)"
        case .transitionNotAllowed(let from, let to, let reason):
            "cannot move from \"\(from)\" to \"\(to)\": \(reason)"
        case .requiredFieldMissing(let fields):
            "required fields missing: " + fields.map(\.rawValue).joined(separator: ", ")
        case .wipLimitExceeded(let state, let limit, let count):
            "state \"\(state)\" holds \(count) tasks, its WIP limit is \(limit)"
        case .approvalPending(let approval):
            "approval \"\(approval)\" is pending"
        case .approvalNotPending(let approval):
            "approval \"\(approval)\" is already resolved"
        case .notAnApprover(let member):
            "member \"\(member)\" is not an approver of this request"
        case .selfApprovalNotAllowed(let member):
            "member \"\(member)\" requested this approval and may not decide it"
        case .alreadyDecided(let member):
            "member \"\(member)\" has already decided on this approval"
        case .approvalExpired(let approval):
            "approval \"\(approval)\" has expired"
        }
    }
}
