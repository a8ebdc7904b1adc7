/// What is needed to issue a token. The service draws the secret (`TokenSecret.issue()`), gives it to
/// the caller once, and passes only its hash here.
public struct NewToken: Equatable, Sendable {
    /// The member the token acts as.
    public var member: MemberID
    public var name: String
    /// Hex SHA-256 of the secret.
    public var secretHash: String
    public var expiresAt: Instant?

    public init(member: MemberID, name: String, secretHash: String, expiresAt: Instant? = nil) {
        self.member = member
        self.name = name
        self.secretHash = secretHash
        self.expiresAt = expiresAt
    }
}

/// A command on a token aggregate (stream `token-ID`). Tokens act without a project role: the actor is
/// resolved in the workspace.
public struct TokenCommand: Equatable, Sendable {
    public enum Action: Equatable, Sendable {
        /// Needs `token.manage`.
        case issue(NewToken)
        /// Needs `token.manage`, or being the token's member: whoever holds a credential must be able to
        /// kill it. Auditors are the exception (they change nothing): an admin revokes their tokens.
        case revoke(reason: String? = nil)
    }

    public var token: TokenID
    public var action: Action

    public init(token: TokenID, _ action: Action) {
        self.token = token
        self.action = action
    }
}

/// Decides token commands, pure. The domain records hashes and lifecycles; the service verifies
/// presented secrets against `TokenState.secretHash`.
public enum TokenDecider {
    /// The events `command` produces on `state` (nil before the token exists), or the refusal.
    public static func decide(
        _ state: TokenState?, _ command: TokenCommand, actor: Actor, workspace: WorkspaceState, context: DecisionContext
    ) throws(DomainError) -> [DomainEvent] {
        try checkVersion(expected: context.expectedVersion, actual: state?.version ?? 0)
        let limits = context.limits
        let stream = StreamName.token(command.token)
        func event(_ payload: some EventPayload) -> DomainEvent { DomainEvent(stream: stream, at: context.now, payload) }

        switch command.action {
        case .issue(let new):
            try actor.require(.tokenManage)
            if state != nil { throw .alreadyExists(kind: "token", id: command.token.rawValue) }
            try command.token.validated(limits: limits)
            let member = try WorkspaceDecider.activeMember(new.member, in: workspace)
            let name = try Text.singleLine(new.name, field: "name", bytesMax: limits.nameBytesMax)
            let hash = try validSHA256(new.secretHash, field: "secretHash")
            if let expiresAt = new.expiresAt {
                guard expiresAt > context.now else { throw .validationFailed(field: "expiresAt", reason: "must be in the future") }
                guard expiresAt <= context.now.adding(seconds: limits.tokenLifetimeSecondsMax) else {
                    throw .validationFailed(field: "expiresAt", reason: "at most \(limits.tokenLifetimeSecondsMax) seconds from now")
                }
            }
            return [
                event(
                    TokenIssued(
                        tokenID: command.token, memberID: member.id, memberName: member.displayName, name: name, secretHash: hash,
                        expiresAt: new.expiresAt))
            ]

        case .revoke(let reason):
            guard let state else { throw .notFound(kind: "token", id: command.token.rawValue) }
            precondition(state.id == command.token, "the command service loaded the wrong token")
            // Auditors excepted from "own": DOMAIN.md's auditor changes nothing; an admin revokes theirs.
            let isOwn = state.member == actor.member && actor.workspaceRole != .auditor
            guard actor.has(.tokenManage) || isOwn else { throw .missingPermission(.tokenManage) }
            let reason = try reason.map { (text) throws(DomainError) in
                try Text.singleLine(text, field: "reason", bytesMax: limits.reasonBytesMax)
            }
            guard state.status == .active else { return [] }
            return [event(TokenRevoked(tokenID: state.id, memberID: state.member, reason: reason))]
        }
    }
}
