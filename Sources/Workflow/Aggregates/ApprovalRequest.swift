/// Where an approval request stands. Every status but `pending` is final: a request resolves once.
public enum ApprovalStatus: String, Hashable, Sendable, Codable {
    case pending, approved, rejected, cancelled, expired
}

/// One approver's decision.
public struct ApprovalDecision: Hashable, Sendable {
    public var approver: MemberID
    public var verdict: ApprovalVerdict
    public var comment: String?
    public var at: Instant
}

/// An approval request on a task (kept in the task's stream, see `StreamName`).
public struct ApprovalRequestState: Hashable, Sendable {
    public var id: ApprovalID
    public var transition: TransitionID
    public var from: StateID
    /// Where a grant moves the task.
    public var to: StateID
    /// The policy as it was when requested.
    public var policy: ApprovalPolicy
    public var requester: MemberID
    public var reason: String?
    public var requestedAt: Instant
    public var expiresAt: Instant?
    public var status: ApprovalStatus
    /// Decisions in the order they were recorded.
    public var decisions: [ApprovalDecision]

    /// Whether the request is pending and past its expiry at `now`.
    public func isExpired(at now: Instant) -> Bool {
        guard status == .pending, let expiresAt else { return false }
        return now >= expiresAt
    }
}

/// How the decisions so far resolve a request.
public enum ApprovalOutcome: Hashable, Sendable {
    case pending, granted, rejected
}

extension ApprovalPolicy {
    /// The named members who may decide a request by `requester`: all of them, less the requester when
    /// self-approval is not allowed.
    public func eligibleMembers(requester: MemberID) -> Set<MemberID> {
        var members = Set(approverMembers)
        if !selfApprovalAllowed { members.remove(requester) }
        return members
    }

    /// Whether a request by `requester` can be resolved at all: a policy of named members only must leave
    /// enough of them once the requester is set aside.
    public func isSatisfiable(requester: MemberID) -> Bool {
        guard approverRoles.isEmpty else { return true }
        let eligible = eligibleMembers(requester: requester).count
        switch mode {
        case .any, .all: return eligible >= 1
        case .quorum(let count): return eligible >= count
        }
    }

    /// The outcome of `decisions` (in the order recorded) on a request by `requester`. A pure function
    /// of the policy snapshot and the decisions, so every replay resolves the same way:
    /// - `any`: the first decision decides;
    /// - `all`: the first rejection rejects; approvals from every eligible named member grant;
    /// - `quorum(N)`: N approvals grant; N rejections reject, and so does the moment N approvals can no
    ///   longer be reached when the approvers are a fixed list of members.
    public func outcome(of decisions: [ApprovalDecision], requester: MemberID) -> ApprovalOutcome {
        let approvers = Set(decisions.filter { $0.verdict == .approve }.map(\.approver))
        let rejecters = Set(decisions.filter { $0.verdict == .reject }.map(\.approver))
        switch mode {
        case .any:
            guard let first = decisions.first else { return .pending }
            return first.verdict == .approve ? .granted : .rejected
        case .all:
            if !rejecters.isEmpty { return .rejected }
            return eligibleMembers(requester: requester).isSubset(of: approvers) ? .granted : .pending
        case .quorum(let count):
            if approvers.count >= count { return .granted }
            if rejecters.count >= count { return .rejected }
            if approverRoles.isEmpty {
                let undecided = eligibleMembers(requester: requester).subtracting(approvers).subtracting(rejecters).count
                if approvers.count + undecided < count { return .rejected }
            }
            return .pending
        }
    }
}
