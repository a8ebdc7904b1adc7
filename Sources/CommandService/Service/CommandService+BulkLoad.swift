import EventLog
import Workflow

/// How a bulk-loading command service groups its commands' appends (`Configuration.bulkLoad`).
///
/// A bulk loader decides every command exactly as the service always does — loads the states, resolves
/// the actor, lets the domain decide or refuse, checks every stream's expected version — but does not
/// wait for each command's append: it stages the command's events, folds them into its state (the
/// aggregate states, the workspace index) as if they were committed, answers the command at once with
/// the positions and ids they will get, and appends the staged commands together when `commandsMax`
/// are staged or when `CommandService.flush()` is called. Each command is still its own atomic append
/// with its own expected versions; they only share the log's batches, as concurrent commands share a
/// server's group commit. The batch boundaries depend only on the commands (and the log's batch
/// limits), so a deterministic sequence of commands gives the same log bytes on every run.
///
/// A group is encoded and appended off the service's actor while the next one is decided (one group
/// in flight at a time): on two cores, deciding and writing overlap.
///
/// For one writer that has the log to itself (the demo generator, benchmark datasets, imports):
/// - commands run one at a time (a concurrent caller waits its turn);
/// - the answers name positions no reader can see yet: only `flush()` makes them durable and readable,
///   and a caller must call it before closing the log (what is still staged then is lost);
/// - a failed append — another writer appended meanwhile, which breaks the predicted positions, or the
///   log failed — is reported by the next flush (automatic or explicit) as `.log`, and the service then
///   refuses every later command: its state is ahead of the log, which holds the groups before the
///   failed one.
public struct BulkLoad: Sendable, Equatable {
    /// Staged commands that make the service append them. Default 256.
    public var commandsMax: Int

    public init(commandsMax: Int = 256) {
        self.commandsMax = max(1, commandsMax)
    }
}

/// One command decided by a bulk loader and not appended yet: what its append needs, encoded later.
struct StagedCommand: Sendable {
    var events: [DomainEvent]
    var ids: [EventID]
    var metadata: CommandMetadata
    var actorKind: CommandMetadata.ActorKind
    var expectations: [String: ExpectedVersion]
    /// The position its first event will get.
    var firstPosition: UInt64
}

/// A group of staged commands being encoded and appended off the actor.
struct FlushInFlight {
    /// Nil once appended where predicted; else why not.
    var task: Task<CommandError?, Never>
    /// The version each stream of the group reaches.
    var versions: [String: UInt64]
}

/// A bulk loader's commands decided but not appended yet, and what they changed.
struct BulkStaging {
    var commands: [StagedCommand] = []
    /// The version each stream of `commands` reaches.
    var groupVersions: [String: UInt64] = [:]
    var inFlight: FlushInFlight?
    /// The state and version of every aggregate stream a staged or in-flight command appended to: what
    /// the log will hold once they are appended.
    var states: [String: AggregateCache<CachedAggregate>.Entry] = [:]
    /// The version of every stream a staged or in-flight command appended to (the security audit's included).
    var versions: [String: UInt64] = [:]
    /// The states the current decision was made on, by stream (filled by `load`): the staged state of
    /// each stream a command appends to evolves from exactly these, never from the cache, whose evictions
    /// depend on hash order and must not decide anything.
    var loaded: [String: AggregateCache<CachedAggregate>.Entry] = [:]
    /// Set when an append failed: the service's state is ahead of the log, so it refuses everything after.
    var failure: CommandError?
}

extension CommandService {
    /// The turn every bulk-loading command takes (a write gate no stream has).
    static let bulkLoadGate = "gate:bulk-load"

    /// Appends every staged command (bulk loading; nothing to do otherwise) and returns once they are
    /// committed and readable. Throws what the log answered if an append failed; the service then
    /// refuses every later command (see `BulkLoad`).
    public func flush() async throws(CommandError) {
        guard configuration.bulkLoad != nil else { return }
        await enter([Self.bulkLoadGate])
        defer { leave([Self.bulkLoadGate]) }
        if let failure = staging.failure { throw failure }
        try await flushStaged(wait: true)
    }

    /// Hands the staged commands to the log as a group (bulk loading; nothing to do otherwise) without
    /// waiting for them to be appended: the group is committed at the log clock's time now, and the
    /// next hand-over or `flush()` waits for it (and reports its failure). For a caller that ends
    /// groups itself — the demo generator ends one before its simulated clock moves past a window — and
    /// must not wait for the writer on every one.
    public func handOver() async throws(CommandError) {
        guard configuration.bulkLoad != nil else { return }
        await enter([Self.bulkLoadGate])
        defer { leave([Self.bulkLoadGate]) }
        if let failure = staging.failure { throw failure }
        try await flushStaged(wait: false)
    }

    /// Commands decided but not handed to the log yet (always 0 unless bulk loading).
    public var stagedCommands: Int { staging.commands.count }

    /// The position of the last event decided: the log's head, or past it by the staged events when
    /// bulk loading.
    public var decidedHead: UInt64 { max(log.head.position, index.appliedThrough) }

    /// The stream's version, counting staged events.
    func streamVersion(of stream: String) -> UInt64 {
        staging.versions[stream] ?? log.version(of: stream)
    }

    /// The staged state of `name`, if a staged command appended to it; recorded as loaded for the decision.
    func staged<State: CacheableState>(_ type: State.Type, _ name: String) -> (state: State?, version: UInt64)? {
        guard let entry = staging.states[name] else { return nil }
        staging.loaded[name] = entry
        return (State.unwrap(entry.value), entry.version)
    }

    /// Decides like `commit` and stages the events instead of appending them, then hands the group to
    /// the log when it is full. Called with the gates held, the bulk-load gate among them.
    func stage(
        gates: [String], metadata: CommandMetadata, _ decide: () throws(CommandError) -> Decision
    ) async throws(CommandError) -> CommandOutcome {
        if let failure = staging.failure { throw failure }
        guard let bulkLoad = configuration.bulkLoad else { preconditionFailure("staging without bulk loading") }
        // Other writers' events (there should be none): the index must have folded the log's head
        // before the staged positions that follow it are predicted.
        try Self.catchUp(&index, log: log, own: ownCommits)
        staging.loaded.removeAll(keepingCapacity: true)
        let decision = try decide()
        guard !decision.events.isEmpty else {
            return CommandOutcome(events: [], decided: [], streamVersions: [:], attempts: 1)
        }
        let expectations = decision.expectations(holding: gates)

        // The events' ids (made here, in decision order, so injected ones stay reproducible), positions
        // and versions: the log assigns the same, in this order, as nothing else appends.
        let first = index.appliedThrough + 1
        var versions = decision.versions
        var ids: [EventID] = []
        var committed: [CommandOutcome.Committed] = []
        ids.reserveCapacity(decision.events.count)
        committed.reserveCapacity(decision.events.count)
        for (offset, event) in decision.events.enumerated() {
            let stream = event.stream.rawValue
            let version = (versions[stream] ?? 0) + 1
            versions[stream] = version
            let position = first + UInt64(offset)
            let id = configuration.eventIDs?(event.at) ?? EventID.generate()
            ids.append(id)
            committed.append(CommandOutcome.Committed(id: id, position: position, stream: stream, streamVersion: version, type: event.type))
            index.fold(WorkspaceIndex.relevantTypes.contains(event.type) ? event : nil, at: position)
        }
        var streamVersions: [String: UInt64] = [:]
        var needsFlush = false
        for (stream, decided) in decision.versions {
            guard let version = versions[stream], version != decided else { continue }
            streamVersions[stream] = version
            staging.versions[stream] = version
            staging.groupVersions[stream] = version
            let events = decision.events.filter { $0.stream.rawValue == stream }
            let next: CachedAggregate?
            if decided == 0, let first = events.first {
                next = CachedAggregate.started(by: events, in: first.stream)
            } else if let loaded = staging.loaded.removeValue(forKey: stream), loaded.version == decided {
                next = loaded.value.evolved(by: events)
            } else {
                next = nil
            }
            if let next {
                staging.states[stream] = .init(value: next, version: version)
            } else {
                staging.states[stream] = nil
                // An aggregate whose new state is unknown here (the decision did not load it through
                // `load`): append now, so that the next load reads it from the log.
                if StreamName(rawValue: stream).kind != .security { needsFlush = true }
            }
        }
        staging.commands.append(
            StagedCommand(
                events: decision.events, ids: ids, metadata: metadata, actorKind: decision.actorKind, expectations: expectations,
                firstPosition: first))
        let outcome = CommandOutcome(events: committed, decided: decision.events, streamVersions: streamVersions, attempts: 1)
        if needsFlush {
            try await flushStaged(wait: true)
        } else if staging.commands.count >= bulkLoad.commandsMax {
            try await flushStaged(wait: false)
        }
        return outcome
    }

    /// Hands the staged commands to the log as one group, after the group in flight (if any) has been
    /// appended: encoding and appending run off the actor, so the next group is decided meanwhile.
    /// `wait` returns only once this group is appended too. Called with the bulk-load gate held.
    func flushStaged(wait: Bool) async throws(CommandError) {
        if let previous = staging.inFlight {
            staging.inFlight = nil
            try await settle(previous)
        }
        guard !staging.commands.isEmpty else { return }
        let commands = staging.commands
        let log = self.log
        // Committed at the time it is handed over, not whenever the writer gets to it: the caller's
        // clock (a simulated one) moves on while the group is encoded and written.
        let committedAt = log.options.clock()
        let inFlight = FlushInFlight(
            task: Task.detached { await Self.append(commands, to: log, committedAt: committedAt) }, versions: staging.groupVersions)
        staging.commands.removeAll(keepingCapacity: true)
        staging.groupVersions.removeAll(keepingCapacity: true)
        if wait {
            try await settle(inFlight)
        } else {
            staging.inFlight = inFlight
        }
    }

    /// Waits for a group's append; then what the log holds now moves from the staged states to the
    /// cache (a stream a later group appends to again stays staged).
    private func settle(_ group: FlushInFlight) async throws(CommandError) {
        if let failure = await group.task.value {
            staging.failure = failure
            throw failure
        }
        for (stream, version) in group.versions.sorted(by: { $0.key < $1.key }) where staging.versions[stream] == version {
            staging.versions[stream] = nil
            if let entry = staging.states.removeValue(forKey: stream) {
                cache.put(stream, entry.value, version: entry.version, bytes: entry.value.approximateBytes)
            }
        }
    }

    /// Encodes a group's events and appends them, one request per command, in one
    /// `append(contentsOf:)`; nil when each landed where it was predicted.
    private nonisolated static func append(_ commands: [StagedCommand], to log: EventLog, committedAt: Timestamp) async -> CommandError? {
        var requests: [AppendRequest] = []
        requests.reserveCapacity(commands.count)
        for command in commands {
            var proposed: [ProposedEvent] = []
            proposed.reserveCapacity(command.events.count)
            for (event, id) in zip(command.events, command.ids) {
                do {
                    proposed.append(try EventEnvelopeMapping.proposedEvent(event, metadata: command.metadata, actorKind: command.actorKind, id: id))
                } catch {
                    return .unencodableEvent(error)
                }
            }
            requests.append(AppendRequest(events: proposed, expectations: command.expectations))
        }
        let results: [Result<AppendResult, EventLogError>]
        do throws(EventLogError) {
            results = try await log.append(contentsOf: requests, committedAt: committedAt)
        } catch {
            return .log(error)
        }
        for (command, result) in zip(commands, results) {
            switch result {
            case .success(let appended) where !appended.wasDuplicate && appended.firstPosition == command.firstPosition:
                continue
            case .success(let appended):
                return .log(
                    .logFailed(
                        "bulk load: a staged command's events landed at position \(appended.firstPosition), not \(command.firstPosition): "
                            + "another writer appended to the log"))
            case .failure(let error):
                return .log(error)
            }
        }
        return nil
    }
}
