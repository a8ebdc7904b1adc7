import EventLog
public import Workflow

extension CommandService {
    /// Who a valid API token speaks for.
    public struct Authenticated: Equatable, Sendable {
        public var member: MemberID
        public var token: TokenID
        /// The token stream's and the workspace stream's versions when this was checked: while both are
        /// unchanged (revocations and member changes append to them), the answer still holds, which is
        /// what lets a server cache it per token.
        public var tokenVersion: UInt64
        public var workspaceVersion: UInt64
        /// When the token stops authenticating (nil: until revoked).
        public var expiresAt: Instant?
    }

    /// The member and token a presented `tl_<workspace>.<token id>.<secret>` authenticates, or nil when
    /// it does not: unknown token, wrong secret (compared in constant time), revoked, expired, or its
    /// member no longer active. The caller checks the workspace part against the log it asked.
    public func authenticate(_ presented: String) throws(CommandError) -> Authenticated? {
        guard let (_, tokenName) = TokenSecret.route(presented) else { return nil }
        let stream = StreamName.token(TokenID(rawValue: tokenName))
        var token: TokenState?
        do {
            for recorded in try log.readStream(stream.rawValue) {
                token = TokenState.evolve(token, try EventEnvelopeMapping.domainEvent(recorded))
            }
        } catch let error as EventLogError {
            throw .log(error)
        } catch let error as EventMappingError {
            throw .undecodableEvent(stream: stream.rawValue, position: 0, error)
        } catch {
            return nil
        }
        guard let token, TokenSecret.matches(presented, hexHash: token.secretHash), token.isUsable(at: configuration.clock()) else {
            return nil
        }
        guard let workspace = try loadWorkspace(), workspace.members[token.member]?.status == .active else { return nil }
        return Authenticated(
            member: token.member, token: token.id, tokenVersion: token.version, workspaceVersion: workspace.version,
            expiresAt: token.expiresAt)
    }
}
