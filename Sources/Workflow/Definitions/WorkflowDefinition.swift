/// What a state means for progress. Progress maths uses the category, never the state's name, so a
/// team can call its columns anything.
public enum StateCategory: String, CaseIterable, Hashable, Sendable, Codable {
    case backlog, unstarted, started, completed, canceled
}

/// One state (board column) of a workflow version.
public struct StateDefinition: Hashable, Sendable, Codable {
    public var id: StateID
    public var name: String
    public var category: StateCategory
    /// Column order on the board, left to right; unique within a version.
    public var position: Int
    /// New tasks start here; exactly one state per version has it.
    public var isInitial: Bool
    /// Tasks here accept only moves and comments (e.g. "In review", "Released").
    public var isReadOnly: Bool
    /// Most tasks the column should hold; nil for no limit. The project's `WIPEnforcement` says whether
    /// a full column refuses moves (hard) or only flags them (soft).
    public var wipLimit: Int?

    public init(
        id: StateID, name: String, category: StateCategory, position: Int, isInitial: Bool = false,
        isReadOnly: Bool = false, wipLimit: Int? = nil
    ) {
        self.id = id
        self.name = name
        self.category = category
        self.position = position
        self.isInitial = isInitial
        self.isReadOnly = isReadOnly
        self.wipLimit = wipLimit
    }
}

/// Where a transition starts: one state, or any state. JSON: the state id, or `"*"` for any (ids
/// cannot contain `*`).
public enum TransitionSource: Hashable, Sendable, Codable, CustomStringConvertible {
    case any
    case state(StateID)

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        self = text == "*" ? .any : .state(StateID(text))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public var description: String {
        switch self {
        case .any: "*"
        case .state(let id): id.rawValue
        }
    }
}

/// Who, relative to the task, may take a transition (on top of permissions and allowed roles).
public enum ActorRule: String, CaseIterable, Hashable, Sendable, Codable {
    /// Anyone who passes the other checks.
    case any
    /// Only one of the task's assignees.
    case assignee
    /// Only the task's author.
    case author
}

/// A move a workflow allows, and the conditions on it.
public struct TransitionDefinition: Hashable, Sendable, Codable {
    public var id: TransitionID
    public var from: TransitionSource
    public var to: StateID
    /// Project roles allowed to take the transition; with `allowedMembers`, empty both means anyone
    /// with the permission. An actor passes by holding one of the roles *or* being one of the members.
    public var allowedRoles: [ProjectRole]
    /// Members allowed to take the transition (see `allowedRoles`).
    public var allowedMembers: [MemberID]
    public var actorRule: ActorRule
    /// Fields the task must have before it may take the transition.
    public var requiredFields: [TaskField]
    /// When set, taking the transition records an approval request instead of moving; the move
    /// happens when the request is granted.
    public var approval: ApprovalPolicy?

    public init(
        id: TransitionID, from: TransitionSource, to: StateID, allowedRoles: [ProjectRole] = [],
        allowedMembers: [MemberID] = [], actorRule: ActorRule = .any, requiredFields: [TaskField] = [],
        approval: ApprovalPolicy? = nil
    ) {
        self.id = id
        self.from = from
        self.to = to
        self.allowedRoles = allowedRoles
        self.allowedMembers = allowedMembers
        self.actorRule = actorRule
        self.requiredFields = requiredFields
        self.approval = approval
    }
}

/// Whether a workflow allows moves it does not list.
public enum WorkflowMode: String, Hashable, Sendable, Codable {
    /// Any state to any state; listed transitions add conditions to their pair of states.
    case open
    /// Only the listed transitions.
    case enforced
}

/// One version of a workflow: its states, its transitions and its mode. A published version never
/// changes (`WorkflowState` only appends), so a task pinned to it always moves by the rules it was
/// created under until it is migrated explicitly.
public struct WorkflowDefinition: Hashable, Sendable, Codable {
    public var mode: WorkflowMode
    /// The states, ordered by `position` once validated.
    public var states: [StateDefinition]
    public var transitions: [TransitionDefinition]

    public init(mode: WorkflowMode, states: [StateDefinition], transitions: [TransitionDefinition] = []) {
        self.mode = mode
        self.states = states
        self.transitions = transitions
    }

    /// The state with `id`.
    public func state(_ id: StateID) -> StateDefinition? {
        states.first { $0.id == id }
    }

    /// The state new tasks start in. Validation guarantees exactly one.
    public var initialState: StateDefinition? {
        states.first(where: \.isInitial)
    }

    /// The route for a move from `from` to `to`: the transition listed for exactly that source, else
    /// one from any state; nil when none is listed. The more specific one wins, so a workflow can say
    /// "anyone may cancel from anywhere, but only the lead from In review".
    public func listedTransition(from: StateID, to: StateID) -> TransitionDefinition? {
        transitions.first { $0.to == to && $0.from == .state(from) }
            ?? transitions.first { $0.to == to && $0.from == .any }
    }

    /// The transition with `id`.
    public func transition(_ id: TransitionID) -> TransitionDefinition? {
        transitions.first { $0.id == id }
    }
}

// Lenient decoding: members with a natural default may be left out (an API client writing a definition
// by hand should not have to spell out `"isReadOnly": false` for every state). Stored events always
// carry every member, so reading history is unchanged.
extension StateDefinition {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try container.decode(StateID.self, forKey: .id), name: try container.decode(String.self, forKey: .name),
            category: try container.decode(StateCategory.self, forKey: .category), position: try container.decode(Int.self, forKey: .position),
            isInitial: try container.decodeIfPresent(Bool.self, forKey: .isInitial) ?? false,
            isReadOnly: try container.decodeIfPresent(Bool.self, forKey: .isReadOnly) ?? false,
            wipLimit: try container.decodeIfPresent(Int.self, forKey: .wipLimit))
    }
}

extension TransitionDefinition {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try container.decode(TransitionID.self, forKey: .id), from: try container.decode(TransitionSource.self, forKey: .from),
            to: try container.decode(StateID.self, forKey: .to),
            allowedRoles: try container.decodeIfPresent([ProjectRole].self, forKey: .allowedRoles) ?? [],
            allowedMembers: try container.decodeIfPresent([MemberID].self, forKey: .allowedMembers) ?? [],
            actorRule: try container.decodeIfPresent(ActorRule.self, forKey: .actorRule) ?? .any,
            requiredFields: try container.decodeIfPresent([TaskField].self, forKey: .requiredFields) ?? [],
            approval: try container.decodeIfPresent(ApprovalPolicy.self, forKey: .approval))
    }
}
