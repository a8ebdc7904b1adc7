/// An approver's answer.
public enum ApprovalVerdict: String, CaseIterable, Hashable, Sendable, Codable {
    case approve, reject
}

/// A move that needs approval was requested; the task stays where it is until the request resolves.
public struct ApprovalRequested: EventPayload {
    public static let type = "ApprovalRequested"
    public static let schemaVersion = 1
    public var taskID: TaskID
    public var approvalID: ApprovalID
    public var transitionID: TransitionID
    public var from: StateID
    /// Where a grant moves the task (the policy's state on approve, else the transition's target).
    public var to: StateID
    /// The policy as it was when requested: later workflow versions do not change a request in flight.
    public var policy: ApprovalPolicy
    public var requester: MemberID
    public var reason: String?
    public var expiresAt: Instant?
}

/// An approver decided. When the decision resolves the request, `ApprovalGranted` or `ApprovalRejected`
/// follows in the same append (and then the `TaskMoved` it causes).
public struct ApprovalDecisionRecorded: EventPayload {
    public static let type = "ApprovalDecisionRecorded"
    public static let schemaVersion = 1
    public var taskID: TaskID
    public var approvalID: ApprovalID
    public var approver: MemberID
    public var decision: ApprovalVerdict
    public var comment: String?
}

/// The request was granted; the task's `TaskMoved` follows in the same append.
public struct ApprovalGranted: EventPayload {
    public static let type = "ApprovalGranted"
    public static let schemaVersion = 1
    public var taskID: TaskID
    public var approvalID: ApprovalID
}

/// The request was rejected; a `TaskMoved` follows if the policy names a state on reject.
public struct ApprovalRejected: EventPayload {
    public static let type = "ApprovalRejected"
    public static let schemaVersion = 1
    public var taskID: TaskID
    public var approvalID: ApprovalID
}

/// The request was withdrawn (by its requester, a decider, or because the task was deleted).
public struct ApprovalCancelled: EventPayload {
    public static let type = "ApprovalCancelled"
    public static let schemaVersion = 1
    public var taskID: TaskID
    public var approvalID: ApprovalID
    public var reason: String?
}

/// The request passed its expiry undecided.
public struct ApprovalExpired: EventPayload {
    public static let type = "ApprovalExpired"
    public static let schemaVersion = 1
    public var taskID: TaskID
    public var approvalID: ApprovalID
}
