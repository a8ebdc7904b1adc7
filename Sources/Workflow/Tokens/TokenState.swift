/// Whether a token can authenticate.
public enum TokenStatus: String, Hashable, Sendable, Codable {
    case active, revoked
}

/// The API token aggregate (stream `token-ID`).
///
/// Each token has its own stream rather than living in the workspace's: authenticating a request loads
/// exactly one small stream (by the id the presented token carries), revocation appends to it without
/// contending with member changes, and no rule spans tokens (ids are unique per stream; the member's
/// status is checked against the workspace when the token is used).
///
/// The last-used time is not an event: it changes on every request, and the log is for decisions. The
/// service keeps it beside the state.
public struct TokenState: AggregateState {
    public var id: TokenID
    public var member: MemberID
    public var name: String
    /// Lower-case hex SHA-256 of the secret.
    public var secretHash: String
    public var issuedAt: Instant
    public var expiresAt: Instant?
    public var status: TokenStatus
    public var revokedAt: Instant?
    public var version: UInt64

    /// Whether the token authenticates at `now`: not revoked and not expired. (The service also checks
    /// that its member is still active.)
    public func isUsable(at now: Instant) -> Bool {
        guard status == .active else { return false }
        if let expiresAt, now >= expiresAt { return false }
        return true
    }

    public static func start(with event: DomainEvent) -> TokenState? {
        guard case .tokenIssued(let issued) = event.body else { return nil }
        return TokenState(
            id: issued.tokenID, member: issued.memberID, name: issued.name, secretHash: issued.secretHash, issuedAt: event.at,
            expiresAt: issued.expiresAt, status: .active, revokedAt: nil, version: 1)
    }

    public func evolve(_ event: DomainEvent) -> TokenState {
        var next = self
        next.version += 1
        if case .tokenRevoked = event.body, status == .active {
            next.status = .revoked
            next.revokedAt = event.at
        }
        return next
    }
}
