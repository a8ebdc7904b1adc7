/// An API token was issued to a member. Only the SHA-256 of its secret is recorded: the secret is
/// shown to its holder once, by the service, and is nowhere in the log.
public struct TokenIssued: EventPayload {
    public static let type = "TokenIssued"
    public static let schemaVersion = 1
    public var tokenID: TokenID
    public var memberID: MemberID
    public var memberName: String
    /// What the holder calls it, e.g. `CI deploys`.
    public var name: String
    /// Lower-case hex SHA-256 of the secret.
    public var secretHash: String
    /// Nil: valid until revoked.
    public var expiresAt: Instant?
}

/// An API token was revoked: requests presenting it are refused from now on.
public struct TokenRevoked: EventPayload {
    public static let type = "TokenRevoked"
    public static let schemaVersion = 1
    public var tokenID: TokenID
    public var memberID: MemberID
    public var reason: String?
}

extension TokenIssued {
    public var eventBody: EventBody { .tokenIssued(self) }
}

extension TokenRevoked {
    public var eventBody: EventBody { .tokenRevoked(self) }
}
