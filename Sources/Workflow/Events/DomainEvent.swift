/// The payload of one event type: a Codable struct with a stable type name (past tense) and a schema
/// version. The version grows when the payload's shape changes; stored events are never rewritten, so
/// older versions are upcast when read (`EventBody.decode`).
public protocol EventPayload: Codable, Hashable, Sendable {
    /// The event type, e.g. `TaskMoved`: the envelope's `type`.
    static var type: String { get }
    /// The version of this payload's shape that the code writes.
    static var schemaVersion: Int { get }
    /// The payload as the catalogue enum, for exhaustive `switch`es in `evolve`.
    var eventBody: EventBody { get }
}

/// The name of an aggregate's stream: `workspace`, `project-ID`, `workflow-ID`, `task-ID`, `reminder-ID`,
/// `milestone-ID`, `document-ID`, `token-ID`, or `security` (the security audit).
/// Comments and approval requests live in their task's stream: a move and its approval are decided
/// together, against one version, and appended atomically.
public struct StreamName: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// What kind of aggregate a stream holds.
    public enum Kind: String, Sendable, CaseIterable {
        case workspace, project, workflow, task, reminder, milestone, document, token, security
    }

    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    /// The workspace's own stream (settings and members). Each workspace has its own log.
    public static let workspace = StreamName(rawValue: "workspace")
    public static func project(_ id: ProjectID) -> StreamName { StreamName(rawValue: "project-" + id.rawValue) }
    public static func workflow(_ id: WorkflowID) -> StreamName { StreamName(rawValue: "workflow-" + id.rawValue) }
    public static func task(_ id: TaskID) -> StreamName { StreamName(rawValue: "task-" + id.rawValue) }
    public static func reminder(_ id: ReminderRuleID) -> StreamName { StreamName(rawValue: "reminder-" + id.rawValue) }
    public static func milestone(_ id: MilestoneID) -> StreamName { StreamName(rawValue: "milestone-" + id.rawValue) }
    public static func document(_ id: DocumentID) -> StreamName { StreamName(rawValue: "document-" + id.rawValue) }
    public static func token(_ id: TokenID) -> StreamName { StreamName(rawValue: "token-" + id.rawValue) }
    /// The security audit (`AccessDenied`): one stream per workspace, written only by the service, read by
    /// auditors. Kept apart from `workspace` so that a burst of refused requests never contends with (or
    /// lengthens the replay of) the stream that every command loads.
    public static let security = StreamName(rawValue: "security")

    /// The aggregate kind, from the name's prefix; nil for a stream the domain does not own.
    public var kind: Kind? {
        if rawValue == "workspace" { return .workspace }
        if rawValue == "security" { return .security }
        for kind in [Kind.project, .workflow, .task, .reminder, .milestone, .document, .token] where rawValue.hasPrefix(kind.rawValue + "-") {
            return kind
        }
        return nil
    }

    public var description: String { rawValue }

    public static func < (lhs: StreamName, rhs: StreamName) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// What `decide` returns and `evolve` consumes: a payload, the stream it belongs to, and when it was
/// decided. The command service adds the rest of the envelope (id, position, stream version, actor,
/// token, correlation ids) and must give `at` back when it reads the event, so that rebuilt state
/// equals the state decided on (e.g. a task's `updatedAt`).
public struct DomainEvent: Hashable, Sendable {
    public let stream: StreamName
    /// The decision's `now`.
    public let at: Instant
    public let body: EventBody

    public init(stream: StreamName, at: Instant, body: EventBody) {
        self.stream = stream
        self.at = at
        self.body = body
    }

    public init(stream: StreamName, at: Instant, _ payload: some EventPayload) {
        self.init(stream: stream, at: at, body: payload.eventBody)
    }

    /// The event type, e.g. `TaskMoved`.
    public var type: String { body.type }
}
