public import Workflow

/// Who issued a command and why: recorded on every event the command produces, as CloudEvents
/// extension attributes (see `EventEnvelopeMapping`), so history and the audit trail can say which
/// member, through which token, in answer to which request, did what.
///
/// ```swift
/// let metadata = CommandMetadata(member: "m-1", tokenID: "tok-7", requestID: "req-42", origin: .api)
/// try await service.execute(TaskCommand(task: "t-1", .move(to: "doing")), metadata: metadata)
/// ```
public struct CommandMetadata: Hashable, Sendable {
    /// Where a command came from (`origin` attribute).
    public enum Origin: String, Hashable, Sendable, CaseIterable {
        /// An API call by a member or a token.
        case api
        /// An import of existing work.
        case `import`
        /// An automation rule reacting to events.
        case rule
        /// The scheduler (reminders, approval expiry).
        case scheduler
    }

    /// What kind of actor acted (`actorkind` attribute).
    public enum ActorKind: String, Hashable, Sendable, CaseIterable {
        case user, service, system
    }

    /// The member the command acts as; their roles decide what is allowed.
    public var member: MemberID
    /// Forces the recorded actor kind. Nil records the member's kind (user or service) from the workspace;
    /// `system` is for work the server does on its own behalf (the scheduler, migrations).
    public var actorKind: ActorKind?
    /// The API token that authenticated the request; nil for the CLI and internal callers.
    public var tokenID: String?
    /// The id of the request that carried the command (e.g. an HTTP `X-Request-ID`).
    public var requestID: String?
    /// Ties together everything done for one user intent across requests and rules.
    public var correlationID: String?
    /// The event (or command) that caused this command, e.g. the event a rule reacted to.
    public var causationID: String?
    public var origin: Origin

    public init(
        member: MemberID, actorKind: ActorKind? = nil, tokenID: String? = nil, requestID: String? = nil,
        correlationID: String? = nil, causationID: String? = nil, origin: Origin = .api
    ) {
        self.member = member
        self.actorKind = actorKind
        self.tokenID = tokenID
        self.requestID = requestID
        self.correlationID = correlationID
        self.causationID = causationID
        self.origin = origin
    }
}
