/// How many approvers must agree.
public enum ApprovalMode: Hashable, Sendable, CustomStringConvertible {
    /// The first decision resolves the request, either way.
    case any
    /// Every named approver must approve; the first rejection rejects.
    case all
    /// `count` approvals grant; `count` rejections reject, and so does the moment `count` approvals
    /// can no longer be reached from the named approvers (when the policy names members only).
    case quorum(Int)

    public var description: String {
        switch self {
        case .any: "any"
        case .all: "all"
        case .quorum(let count): "quorum(\(count))"
        }
    }
}

/// Who approves a transition and what happens then. A request keeps a copy (snapshot) of its policy,
/// so later versions of the workflow do not change a request in flight.
public struct ApprovalPolicy: Hashable, Sendable, Codable {
    /// Project roles whose holders may decide (workspace admins count as holding every role).
    public var approverRoles: [ProjectRole]
    /// Members who may decide.
    public var approverMembers: [MemberID]
    public var mode: ApprovalMode
    /// Where a granted request moves the task; nil means the transition's target.
    public var stateOnApprove: StateID?
    /// Where a rejected request moves the task; nil leaves it where it is.
    public var stateOnReject: StateID?
    /// Whether the requester may decide their own request.
    public var selfApprovalAllowed: Bool
    /// Seconds after the request when it expires; nil for never.
    public var expiresAfterSeconds: Int64?

    public init(
        approverRoles: [ProjectRole] = [], approverMembers: [MemberID] = [], mode: ApprovalMode = .any,
        stateOnApprove: StateID? = nil, stateOnReject: StateID? = nil, selfApprovalAllowed: Bool = false,
        expiresAfterSeconds: Int64? = nil
    ) {
        self.approverRoles = approverRoles
        self.approverMembers = approverMembers
        self.mode = mode
        self.stateOnApprove = stateOnApprove
        self.stateOnReject = stateOnReject
        self.selfApprovalAllowed = selfApprovalAllowed
        self.expiresAfterSeconds = expiresAfterSeconds
    }

    private enum CodingKeys: String, CodingKey {
        case approverRoles, approverMembers, mode, quorum, stateOnApprove, stateOnReject, selfApprovalAllowed
        case expiresAfterSeconds
    }

    // JSON keeps the mode a plain string (`"any"`, `"all"`, `"quorum"` with `"quorum": N` beside it):
    // synthesized coding of an enum with a payload would write `{"quorum": {"_0": 2}}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        approverRoles = try container.decode([ProjectRole].self, forKey: .approverRoles)
        approverMembers = try container.decode([MemberID].self, forKey: .approverMembers)
        switch try container.decode(String.self, forKey: .mode) {
        case "any": mode = .any
        case "all": mode = .all
        case "quorum": mode = .quorum(try container.decode(Int.self, forKey: .quorum))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .mode, in: container, debugDescription: "unknown approval mode \(other)")
        }
        stateOnApprove = try container.decodeIfPresent(StateID.self, forKey: .stateOnApprove)
        stateOnReject = try container.decodeIfPresent(StateID.self, forKey: .stateOnReject)
        selfApprovalAllowed = try container.decode(Bool.self, forKey: .selfApprovalAllowed)
        expiresAfterSeconds = try container.decodeIfPresent(Int64.self, forKey: .expiresAfterSeconds)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(approverRoles, forKey: .approverRoles)
        try container.encode(approverMembers, forKey: .approverMembers)
        switch mode {
        case .any: try container.encode("any", forKey: .mode)
        case .all: try container.encode("all", forKey: .mode)
        case .quorum(let count):
            try container.encode("quorum", forKey: .mode)
            try container.encode(count, forKey: .quorum)
        }
        try container.encodeIfPresent(stateOnApprove, forKey: .stateOnApprove)
        try container.encodeIfPresent(stateOnReject, forKey: .stateOnReject)
        try container.encode(selfApprovalAllowed, forKey: .selfApprovalAllowed)
        try container.encodeIfPresent(expiresAfterSeconds, forKey: .expiresAfterSeconds)
    }
}
