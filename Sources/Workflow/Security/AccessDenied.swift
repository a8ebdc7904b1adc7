/// A command was refused for a missing permission: the security audit's record of who tried what.
/// Stream `security` (see `StreamName.security`); the service appends it for every
/// `DomainError.missingPermission` refusal, in place of the events the command would have produced.
public struct AccessDenied: EventPayload {
    public static let type = "AccessDenied"
    public static let schemaVersion = 1
    /// Who tried.
    public var memberID: MemberID
    /// The token the request presented; nil for a session without one.
    public var tokenID: TokenID?
    /// The permission that was missing.
    public var permission: Permission
    /// The stream the command addressed, e.g. `task-t-1`.
    public var stream: String
    /// The command's name, e.g. `TaskCommand.move`.
    public var command: String
}

extension AccessDenied {
    public var eventBody: EventBody { .accessDenied(self) }

    /// The audit event for `error` if it is a missing-permission refusal, else nil (other refusals are
    /// the caller's input, not an access attempt).
    ///
    /// ```swift
    /// do { events = try TaskDecider.decide(task, command, actor: actor, context: context) }
    /// catch {
    ///     if let denied = AccessDenied.record(error, member: actor.member, token: tokenID,
    ///                                         stream: .task(command.task), command: "TaskCommand.move", at: now) {
    ///         try await append([denied])
    ///     }
    ///     throw error
    /// }
    /// ```
    public static func record(
        _ error: DomainError, member: MemberID, token: TokenID?, stream: StreamName, command: String, at now: Instant
    ) -> DomainEvent? {
        guard case .missingPermission(let permission) = error else { return nil }
        let payload = AccessDenied(memberID: member, tokenID: token, permission: permission, stream: stream.rawValue, command: command)
        return DomainEvent(stream: .security, at: now, payload)
    }
}
