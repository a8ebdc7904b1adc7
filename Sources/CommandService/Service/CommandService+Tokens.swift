public import Workflow

extension CommandService {
    /// Executes an API-token command (the actor acts workspace-wide, without a project role). Issue the
    /// secret with `TokenSecret.issue()`, hand it to the caller once, and pass only its hash.
    ///
    /// ```swift
    /// let issued = TokenSecret.issue()
    /// try await service.execute(
    ///     TokenCommand(token: "k-1", .issue(NewToken(member: "m-1", name: "CI", secretHash: issued.hash.description))), metadata: metadata)
    /// ```
    @discardableResult
    public func execute(
        _ command: TokenCommand, metadata: CommandMetadata, expectedVersion: UInt64? = nil
    ) async throws(CommandError) -> CommandOutcome {
        let stream = StreamName.token(command.token)
        return try await commit(gates: [stream.rawValue], metadata: metadata) { () throws(CommandError) -> Decision in
            let workspace = try requireWorkspace()
            let actor = try resolve(metadata.member, workspace: workspace, project: nil)
            let (token, version) = try load(TokenState.self, stream)
            let context = DecisionContext(now: configuration.clock(), expectedVersion: expectedVersion, limits: configuration.limits)
            let events = try domain { () throws(DomainError) in
                try TokenDecider.decide(token, command, actor: actor, workspace: workspace, context: context)
            }
            return Decision(
                events: events, versions: [stream.rawValue: version],
                actorKind: metadata.actorKind ?? actorKind(of: metadata.member, in: workspace), task: nil, project: nil)
        }
    }

    /// A token's current state.
    public func token(_ id: TokenID) throws(CommandError) -> TokenState? {
        try load(TokenState.self, .token(id)).state
    }

    /// Records a refused command in the security audit: when `error` is a missing-permission refusal,
    /// appends `AccessDenied` (who, with which token, which permission, on which stream, which command)
    /// to the `security` stream and returns what was appended; returns nil for any other error.
    ///
    /// The caller (the API) calls it on its error path, so every path that refuses for a permission is
    /// audited the same way, whichever `execute` refused.
    ///
    /// ```swift
    /// do { try await service.execute(command, metadata: metadata) } catch {
    ///     try await service.recordAccessDenied(error, command: "TaskCommand.move", stream: .task(command.task), metadata: metadata)
    ///     throw error
    /// }
    /// ```
    @discardableResult
    public func recordAccessDenied(
        _ error: CommandError, command: String, stream: StreamName, metadata: CommandMetadata
    ) async throws(CommandError) -> CommandOutcome? {
        guard case .domain(let refusal) = error, case .missingPermission = refusal else { return nil }
        let security = StreamName.security.rawValue
        return try await commit(gates: [security], metadata: metadata) { () throws(CommandError) -> Decision in
            let token = metadata.tokenID.map { TokenID(rawValue: $0) }
            guard
                let denied = AccessDenied.record(
                    refusal, member: metadata.member, token: token, stream: stream, command: command, at: configuration.clock())
            else { preconditionFailure("a missing-permission refusal always makes an AccessDenied") }
            // The audit stream has no aggregate to load: its version is all the append needs.
            let kind = (try? requireWorkspace()).map { actorKind(of: metadata.member, in: $0) } ?? .user
            return Decision(
                events: [denied], versions: [security: streamVersion(of: security)], actorKind: metadata.actorKind ?? kind, task: nil, project: nil)
        }
    }
}
