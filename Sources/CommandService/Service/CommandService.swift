public import EventLog
public import Workflow

/// What a command did: the events it appended, where they landed, and each touched stream's new version.
public struct CommandOutcome: Equatable, Sendable {
    /// One appended event.
    public struct Committed: Equatable, Sendable {
        public var id: EventID
        public var position: UInt64
        public var stream: String
        public var streamVersion: UInt64
        public var type: String
    }

    /// In append order; empty when the command changed nothing (e.g. assigning someone already assigned).
    public var events: [Committed]
    /// The events as decided, in the same order.
    public var decided: [DomainEvent]
    /// The version of every stream the command appended to, after the append.
    public var streamVersions: [String: UInt64]
    /// How many times the command was decided (1 unless a version conflict made it decide again).
    public var attempts: Int
}

/// The command side's engine: loads the states a command needs, resolves the actor, decides with the
/// pure deciders of `Workflow`, and appends the events with the expected version of every stream they
/// touch; on a version conflict it reads again and decides again, a bounded number of times.
///
/// ```swift
/// let log = try EventLog.open(dataDirectory: "./taskledger-data", workspace: "acme")
/// let service = try CommandService(log: log)
/// let outcome = try await service.execute(
///     TaskCommand(task: "t-1", .move(to: "doing")), metadata: CommandMetadata(member: "m-1", requestID: "req-9"))
/// print(outcome.events.map(\.position))
/// ```
///
/// An actor rather than a `Sendable` class with locks: the service's mutable state (the aggregate cache,
/// the workspace index with its in-flight reservations, the per-stream write gates) is only touched
/// between suspension points, so each check-then-reserve is atomic without a lock to get wrong. Loading
/// and deciding are short and synchronous. Encoding the events and the durable append run off the actor
/// (on the other core), and while they do the actor serves other commands, so concurrent commands share
/// the log's group commits.
///
/// The service must be its log's only command writer: the workspace index (WIP counts, project keys,
/// task numbers) sees another writer's events only after they are committed. Stream versions are
/// still checked on every append, so another writer can never make a stream inconsistent.
///
/// Within one service, commands that append to the same stream take turns (a write gate per stream):
/// they would only conflict with each other. Commands on different streams run concurrently. Conflicts
/// still happen when something else appends to the log (another service instance, a tool), and those
/// are what the retry loop handles.
public actor CommandService {
    /// How often a command is decided again after a version conflict before giving up.
    public static let defaultMaxRetries = 5

    /// The service's settings.
    public struct Configuration: Sendable {
        /// The aggregate cache's limit, in approximate bytes. Default 64 MiB.
        public var cacheBytesMax: Int
        /// How often a command is decided again after a version conflict (after the first attempt). Default 5.
        public var maxRetries: Int
        /// The domain's size limits, passed to every decision.
        public var limits: Limits
        /// The decisions' `now`; injected so tests control time.
        public var clock: @Sendable () -> Instant
        /// Called after each decision, just before its append, with the attempt number (1 for the first).
        /// A seam for instrumentation and for tests that need another writer to append in between
        /// (the only deterministic way to make a version conflict happen). Nil by default.
        public var willAppend: (@Sendable (_ attempt: Int) async -> Void)?
        /// Commands per stream (per aggregate) over time, checked with `clock`. Default `.standard`.
        public var streamRateLimit: StreamRateLimit
        /// Makes the id of each event the service appends, given the decision's `now`, in append order.
        /// Nil (the default) lets the log make a UUIDv7 from the wall clock and a process-random counter.
        /// Injected, like `clock`, only where the log's bytes must be reproducible (the demo generator,
        /// which runs its commands one at a time so the calls come in a deterministic order).
        public var eventIDs: (@Sendable (_ decidedAt: Instant) -> EventID)?
        /// Makes the service a bulk loader (see `BulkLoad`): nil, the default, for everything but a
        /// single writer filling a log it has to itself.
        public var bulkLoad: BulkLoad?

        public init(
            cacheBytesMax: Int = 64 << 20, maxRetries: Int = CommandService.defaultMaxRetries, limits: Limits = .standard,
            clock: @escaping @Sendable () -> Instant = { Instant(unixMicros: Timestamp.now().unixMicros) },
            willAppend: (@Sendable (_ attempt: Int) async -> Void)? = nil, streamRateLimit: StreamRateLimit = .standard,
            eventIDs: (@Sendable (_ decidedAt: Instant) -> EventID)? = nil, bulkLoad: BulkLoad? = nil
        ) {
            self.cacheBytesMax = cacheBytesMax
            self.maxRetries = maxRetries
            self.limits = limits
            self.clock = clock
            self.willAppend = willAppend
            self.streamRateLimit = streamRateLimit
            self.eventIDs = eventIDs
            self.bulkLoad = bulkLoad
        }
    }

    /// The log the service appends to.
    public nonisolated let log: EventLog
    public nonisolated let configuration: Configuration
    var cache: AggregateCache<CachedAggregate>
    var index = WorkspaceIndex()
    /// This service's committed events, recorded by the log's writer before readers can see them, so
    /// that catching the index up never reads back (and decodes) the service's own events.
    nonisolated let ownCommits = OwnCommits()
    /// The workspace's state as last loaded, for `workspace()` off the actor.
    private nonisolated let workspaceSnapshot = WorkspaceSnapshot()
    private var rateLimiter: StreamRateLimiter
    private var busyStreams: Set<String> = []
    /// Bulk loading only: the decided commands not appended yet (see CommandService+BulkLoad.swift).
    var staging = BulkStaging()
    private var gateWaiters: [String: [CheckedContinuation<Void, Never>]] = [:]
    /// Pages read from the log at a time.
    private static let pageSize = 1_000

    /// A service over `log`. Reads the whole log once to build the workspace index (column counts and
    /// project keys); fails if an event the index needs does not decode.
    public init(log: EventLog, configuration: Configuration = Configuration()) throws(CommandError) {
        self.log = log
        self.configuration = configuration
        cache = AggregateCache(bytesMax: configuration.cacheBytesMax)
        rateLimiter = StreamRateLimiter(limit: configuration.streamRateLimit)
        var index = WorkspaceIndex()
        try Self.catchUp(&index, log: log, own: ownCommits)
        self.index = index
    }

    // MARK: Commands

    /// Executes a workspace command. Creating the workspace is the bootstrap: the actor must be the founder.
    @discardableResult
    public func execute(
        _ command: WorkspaceCommand, metadata: CommandMetadata, expectedVersion: UInt64? = nil
    ) async throws(CommandError) -> CommandOutcome {
        try await commit(gates: [StreamName.workspace.rawValue], metadata: metadata) { () throws(CommandError) -> Decision in
            let (workspace, version) = try load(WorkspaceState.self, .workspace)
            let actor: Actor
            var kind: CommandMetadata.ActorKind
            if case .create(let new) = command, workspace == nil {
                // Nobody holds a role in a workspace that does not exist; the decider checks the actor is the founder.
                actor = Actor(member: metadata.member, workspaceRole: .admin)
                kind = new.founder.kind == .service ? .service : .user
            } else {
                guard let workspace else { throw .domain(.notFound(kind: "workspace", id: "")) }
                actor = try resolve(metadata.member, workspace: workspace, project: nil)
                kind = actorKind(of: metadata.member, in: workspace)
            }
            if let forced = metadata.actorKind { kind = forced }
            let context = DecisionContext(now: configuration.clock(), expectedVersion: expectedVersion, limits: configuration.limits)
            let events = try domain { () throws(DomainError) in try WorkspaceDecider.decide(workspace, command, actor: actor, context: context) }
            return Decision(events: events, versions: [StreamName.workspace.rawValue: version], actorKind: kind, task: nil, project: nil)
        }
    }

    /// Executes a workflow command (workflows belong to the workspace: the actor has no project role).
    @discardableResult
    public func execute(
        _ command: WorkflowCommand, metadata: CommandMetadata, expectedVersion: UInt64? = nil
    ) async throws(CommandError) -> CommandOutcome {
        let stream = StreamName.workflow(command.workflow)
        return try await commit(gates: [stream.rawValue], metadata: metadata) { () throws(CommandError) -> Decision in
            let workspace = try requireWorkspace()
            let actor = try resolve(metadata.member, workspace: workspace, project: nil)
            let (workflow, version) = try load(WorkflowState.self, stream)
            let context = DecisionContext(now: configuration.clock(), expectedVersion: expectedVersion, limits: configuration.limits)
            let events = try domain { () throws(DomainError) in try WorkflowDecider.decide(workflow, command, actor: actor, context: context) }
            return Decision(
                events: events, versions: [stream.rawValue: version], actorKind: metadata.actorKind ?? actorKind(of: metadata.member, in: workspace),
                task: nil, project: nil)
        }
    }

    /// Executes a project command. Project keys are checked against every other project's, including
    /// projects whose creation is in flight.
    @discardableResult
    public func execute(
        _ command: ProjectCommand, metadata: CommandMetadata, expectedVersion: UInt64? = nil
    ) async throws(CommandError) -> CommandOutcome {
        if case .migrateTasks(let from, let to, let mapping) = command.action {
            // Appends to every migrated task's stream too: see CommandService+Catalogue.swift.
            return try await migrate(command.project, from: from, to: to, mapping: mapping, metadata: metadata, expectedVersion: expectedVersion)
        }
        let stream = StreamName.project(command.project)
        return try await commit(gates: [stream.rawValue], metadata: metadata) { () throws(CommandError) -> Decision in
            let workspace = try requireWorkspace()
            let (project, version) = try load(ProjectState.self, stream)
            let actor = try resolve(metadata.member, workspace: workspace, project: project)
            var workflowID: WorkflowID?
            switch command.action {
            case .create(let new): workflowID = new.workflow.workflow
            case .pinWorkflow(let pin): workflowID = pin.workflow
            default: workflowID = nil
            }
            let workflow = try workflowID.flatMap { (id) throws(CommandError) in try load(WorkflowState.self, .workflow(id)).state }
            let context = ProjectContext(
                now: configuration.clock(), workspace: workspace, workflow: workflow,
                projectKeysInUse: index.projectKeysInUse(except: command.project), expectedVersion: expectedVersion,
                limits: configuration.limits)
            let events = try domain { () throws(DomainError) in try ProjectDecider.decide(project, command, actor: actor, context: context) }
            return Decision(
                events: events, versions: [stream.rawValue: version], actorKind: metadata.actorKind ?? actorKind(of: metadata.member, in: workspace),
                task: nil, project: command.project)
        }
    }

    /// Executes a task command. `project` is required to create a task (the command does not name one);
    /// for other actions it is optional, and when given must be the task's project.
    ///
    /// A new task's number comes from the workspace index (one more than any committed or in flight in
    /// the project), so creations in one project append only to their own task streams and never wait
    /// for each other.
    @discardableResult
    public func execute(
        _ command: TaskCommand, project projectID: ProjectID? = nil, metadata: CommandMetadata, expectedVersion: UInt64? = nil
    ) async throws(CommandError) -> CommandOutcome {
        let taskStream = StreamName.task(command.task)
        if case .create = command.action, projectID == nil {
            throw .domain(.validationFailed(field: "project", reason: "creating a task needs the project it belongs to"))
        }
        let gates = try [taskStream.rawValue] + relatedGates(for: command)
        return try await commit(gates: gates, metadata: metadata) { () throws(CommandError) -> Decision in
            let (task, taskVersion) = try load(TaskState.self, taskStream)
            let project: ProjectID
            if let task {
                // Another project's id would load the wrong context: answer as if the task were not there.
                if let projectID, projectID != task.project { throw .domain(.notFound(kind: "task", id: command.task.rawValue)) }
                project = task.project
            } else if case .create = command.action, let projectID {
                project = projectID
            } else {
                throw .domain(.notFound(kind: "task", id: command.task.rawValue))
            }
            let workspace = try requireWorkspace()
            let projectStream = StreamName.project(project)
            let (projectState, projectVersion) = try load(ProjectState.self, projectStream)
            guard let projectState else { throw .domain(.notFound(kind: "project", id: project.rawValue)) }
            let workflowID = task?.workflow.workflow ?? projectState.workflow.workflow
            guard let workflow = try load(WorkflowState.self, .workflow(workflowID)).state else {
                throw .domain(.notFound(kind: "workflow", id: workflowID.rawValue))
            }
            let actor = try resolve(metadata.member, workspace: workspace, project: projectState)
            let related = try relatedStates(for: command.action)
            let context = TaskContext(
                now: configuration.clock(), workspace: workspace, project: projectState, workflow: workflow,
                columnCounts: index.columnCounts(of: project), nextTaskNumber: index.nextTaskNumber(of: project), milestone: related.milestone,
                parentCandidate: related.parent, expectedVersion: expectedVersion, limits: configuration.limits)
            let events = try domain { () throws(DomainError) in try TaskDecider.decide(task, command, actor: actor, context: context) }
            return Decision(
                events: events, versions: [taskStream.rawValue: taskVersion, projectStream.rawValue: projectVersion],
                actorKind: metadata.actorKind ?? actorKind(of: metadata.member, in: workspace), task: task, project: project)
        }
    }

    /// Executes a reminder-rule command. `project` gives the actor their role in that project (for a rule
    /// scoped to it); without one only workspace-wide grants apply.
    @discardableResult
    public func execute(
        _ command: ReminderCommand, project projectID: ProjectID? = nil, metadata: CommandMetadata, expectedVersion: UInt64? = nil
    ) async throws(CommandError) -> CommandOutcome {
        let stream = StreamName.reminder(command.rule)
        return try await commit(gates: [stream.rawValue], metadata: metadata) { () throws(CommandError) -> Decision in
            let workspace = try requireWorkspace()
            var project: ProjectState?
            if let projectID {
                project = try load(ProjectState.self, .project(projectID)).state
                guard project != nil else { throw .domain(.notFound(kind: "project", id: projectID.rawValue)) }
            }
            let actor = try resolve(metadata.member, workspace: workspace, project: project)
            let (rule, version) = try load(ReminderRuleState.self, stream)
            let context = DecisionContext(now: configuration.clock(), expectedVersion: expectedVersion, limits: configuration.limits)
            let events = try domain { () throws(DomainError) in try ReminderDecider.decide(rule, command, actor: actor, context: context) }
            return Decision(
                events: events, versions: [stream.rawValue: version],
                actorKind: metadata.actorKind ?? actorKind(of: metadata.member, in: workspace), task: nil, project: nil)
        }
    }

    // MARK: Reading states

    /// The workspace's current state (nil before it is created). Answered without the actor while the
    /// workspace stream keeps the version the service last loaded (see `WorkspaceSnapshot`).
    public nonisolated func workspace() async throws(CommandError) -> WorkspaceState? {
        if let recorded = currentWorkspace() { return recorded }
        return try await loadWorkspace()
    }

    /// The workspace's current state if the service has it in memory at the stream's current version,
    /// without suspending; nil when `workspace()` would have to load it.
    public nonisolated func currentWorkspace() -> WorkspaceState? {
        guard configuration.bulkLoad == nil else { return nil }
        return workspaceSnapshot.state(ifAt: log.version(of: StreamName.workspace.rawValue))
    }

    /// The workspace's current state, loaded on the actor.
    func loadWorkspace() throws(CommandError) -> WorkspaceState? { try load(WorkspaceState.self, .workspace).state }
    /// A project's current state.
    public func project(_ id: ProjectID) throws(CommandError) -> ProjectState? { try load(ProjectState.self, .project(id)).state }
    /// A workflow's current state.
    public func workflow(_ id: WorkflowID) throws(CommandError) -> WorkflowState? { try load(WorkflowState.self, .workflow(id)).state }
    /// A task's current state.
    public func task(_ id: TaskID) throws(CommandError) -> TaskState? { try load(TaskState.self, .task(id)).state }

    /// A reminder rule's current state.
    public func reminderRule(_ id: ReminderRuleID) throws(CommandError) -> ReminderRuleState? {
        try load(ReminderRuleState.self, .reminder(id)).state
    }

    /// Live tasks per state in `project`, as of the log's head (committed events only).
    public func columnCounts(of project: ProjectID) throws(CommandError) -> [StateID: Int] {
        try Self.catchUp(&index, log: log, own: ownCommits)
        return index.committedCounts(of: project)
    }

    /// Project key → project, as of the log's head.
    public func projectKeys() throws(CommandError) -> [String: ProjectID] {
        try Self.catchUp(&index, log: log, own: ownCommits)
        return index.projectKeys
    }

    /// The aggregate cache's entry count, approximate bytes and evictions so far.
    public var cacheStatistics: (count: Int, bytes: Int, evictions: Int) { (cache.count, cache.bytes, cache.evictions) }

    /// The aggregate cache's limit in approximate bytes (`Configuration.cacheBytesMax`); nonisolated, so
    /// that reading it does not queue behind commands on the actor.
    public nonisolated var cacheBytesMax: Int { configuration.cacheBytesMax }

    // MARK: The decide-append loop

    /// A decision: the events, the version each loaded stream was decided on, and what the index needs
    /// to reserve while the append is in flight.
    struct Decision {
        var events: [DomainEvent]
        var versions: [String: UInt64]
        var actorKind: CommandMetadata.ActorKind
        var task: TaskState?
        var project: ProjectID?

        /// What the append expects of each stream an event goes to: the version it was decided on (no
        /// stream at 0). Every such stream was loaded, and its gate is held (`gates`).
        func expectations(holding gates: [String]) -> [String: ExpectedVersion] {
            var expectations: [String: ExpectedVersion] = [:]
            for event in events {
                let stream = event.stream.rawValue
                guard let version = versions[stream] else {
                    preconditionFailure("decided an event for \(stream), which the command did not load")
                }
                precondition(gates.contains(stream), "decided an event for \(stream) without holding its gate")
                expectations[stream] = version == 0 ? .noStream : .exactly(version)
            }
            return expectations
        }
    }

    /// Waits for the write gates of `gates`, then decides and appends, deciding again on a version
    /// conflict up to `maxRetries` times.
    func commit(
        gates: [String], metadata: CommandMetadata, _ decide: () throws(CommandError) -> Decision
    ) async throws(CommandError) -> CommandOutcome {
        // Before waiting for the gates: a stream being hammered must not queue up commands behind them.
        // Only aggregates' streams are limited: not the internal turn-taking gates (`gate:…`), and not
        // the security audit, which must record every refusal (floods are the API's per-token limit's job).
        let limited = gates.filter { !$0.hasPrefix("gate:") && $0 != StreamName.security.rawValue }
        if let (stream, retryAfter) = rateLimiter.admit(limited, now: configuration.clock()) {
            throw .rateLimited(stream: stream, retryAfter: retryAfter)
        }
        if configuration.bulkLoad != nil {
            // One command at a time, flushes included: each decision sees every earlier one's staged state.
            let gates = gates + [Self.bulkLoadGate]
            await enter(gates)
            defer { leave(gates) }
            return try await stage(gates: gates, metadata: metadata, decide)
        }
        await enter(gates)
        defer { leave(gates) }
        var attempts = 0
        while true {
            attempts += 1
            try Self.catchUp(&index, log: log, own: ownCommits)
            let decision = try decide()
            guard !decision.events.isEmpty else {
                return CommandOutcome(events: [], decided: [], streamVersions: [:], attempts: attempts)
            }
            let expectations = decision.expectations(holding: gates)
            // Reserved before the first suspension point, so no other decision can run without seeing it.
            var reservation = WorkspaceIndex.reservation(for: decision.events, task: decision.task, project: decision.project)
            reservation.after = log.head.position
            index.reserve(reservation)
            if let willAppend = configuration.willAppend { await willAppend(attempts) }
            let result: AppendResult
            do throws(CommandError) {
                result = try await Self.append(
                    decision.events, expectations: expectations, metadata: metadata, actorKind: decision.actorKind, log: log,
                    own: ownCommits, eventIDs: configuration.eventIDs)
            } catch {
                index.release(reservation)
                guard case .log(.wrongExpectedVersion(let stream, _, let actual)) = error else { throw error }
                guard attempts <= configuration.maxRetries else { throw .versionConflict(stream: stream, attempts: attempts) }
                await waitUntilReadable(stream, version: actual)
                continue
            }
            return committed(decision, result: result, reservation: reservation, attempts: attempts)
        }
    }

    /// Encodes `events` and appends them. Nonisolated, so it runs off the actor: JSON encoding is the
    /// costliest step of a command, and the actor decides other commands meanwhile.
    private nonisolated static func append(
        _ events: [DomainEvent], expectations: [String: ExpectedVersion], metadata: CommandMetadata, actorKind: CommandMetadata.ActorKind,
        log: EventLog, own: OwnCommits, eventIDs: (@Sendable (Instant) -> EventID)?
    ) async throws(CommandError) -> AppendResult {
        var proposed: [ProposedEvent] = []
        proposed.reserveCapacity(events.count)
        for event in events {
            do {
                proposed.append(try EventEnvelopeMapping.proposedEvent(event, metadata: metadata, actorKind: actorKind, id: eventIDs?(event.at)))
            } catch {
                throw .unencodableEvent(error)
            }
        }
        let relevant = events.map { WorkspaceIndex.relevantTypes.contains($0.type) ? $0 : nil }
        let request = AppendRequest(events: proposed, expectations: expectations) { positions in own.record(relevant, at: positions) }
        do throws(EventLogError) {
            return try await log.append(request)
        } catch {
            throw .log(error)
        }
    }

    /// Folds a successful append into the index and the cache, and describes it.
    private func committed(
        _ decision: Decision, result: AppendResult, reservation: WorkspaceIndex.Reservation, attempts: Int
    ) -> CommandOutcome {
        // Our events were recorded in `ownCommits` before the log's head moved past them, so this
        // catch-up folds them in without reading the log (it reads only other writers' events). Only
        // then is the reservation released: no decision ever runs seeing neither. If the catch-up
        // fails, the next decision's catch-up reports it before deciding anything.
        try? Self.catchUp(&index, log: log, own: ownCommits)
        index.release(reservation)

        var events: [CommandOutcome.Committed] = []
        var versions: [String: UInt64] = [:]
        for (offset, event) in decision.events.enumerated() {
            let stream = event.stream.rawValue
            events.append(
                CommandOutcome.Committed(
                    id: result.ids[offset], position: result.positions[offset], stream: stream,
                    streamVersion: result.streamVersions[offset], type: event.type))
            versions[stream] = max(versions[stream] ?? 0, result.streamVersions[offset])
        }
        // The gates held and `.exactly` succeeded, so each stream's new events are exactly ours: the
        // cached state advanced by them (or, for a stream the command created, made from them) is the
        // stream's state at its new version.
        for (stream, version) in versions {
            let events = decision.events.filter { $0.stream.rawValue == stream }
            let next: CachedAggregate?
            if decision.versions[stream] == 0, let first = events.first {
                next = CachedAggregate.started(by: events, in: first.stream)
            } else if let loaded = cache.get(stream), loaded.version == decision.versions[stream] {
                next = loaded.value.evolved(by: events)
            } else {
                next = nil
            }
            if let next { cache.put(stream, next, version: version, bytes: next.approximateBytes) }
        }
        return CommandOutcome(events: events, decided: decision.events, streamVersions: versions, attempts: attempts)
    }

    /// The log's writer refuses a conflicting append as soon as it sees the conflict, which can be before
    /// the batch that caused it is durable and readable; deciding again before then would read the same
    /// old version and waste an attempt. Waits (boundedly: the other batch may fail) until it is readable.
    private func waitUntilReadable(_ stream: String, version: UInt64) async {
        var waited = 0
        while log.version(of: stream) < version, waited < 200 {
            try? await Task.sleep(for: .microseconds(500))
            waited += 1
        }
    }

    // MARK: Write gates

    /// Waits until none of `streams` is being written by another command of this service, then claims
    /// them all at once (all or nothing, so two commands can never hold one gate each and wait forever).
    func enter(_ streams: [String]) async {
        while let busy = streams.first(where: { busyStreams.contains($0) }) {
            await withCheckedContinuation { gateWaiters[busy, default: []].append($0) }
        }
        busyStreams.formUnion(streams)
    }

    func leave(_ streams: [String]) {
        busyStreams.subtract(streams)
        for stream in streams {
            for waiter in gateWaiters.removeValue(forKey: stream) ?? [] { waiter.resume() }
        }
    }

    // MARK: Loading

    /// The state of `stream`: the cached one brought up to date (the log may have been appended by another
    /// path), else rebuilt from the whole stream. Returns the stream version it reflects.
    func load<State: CacheableState>(_ type: State.Type, _ stream: StreamName) throws(CommandError) -> (
        state: State?, version: UInt64
    ) {
        let name = stream.rawValue
        if configuration.bulkLoad != nil, let staged = staged(State.self, name) { return staged }
        var state: State?
        var version: UInt64 = 0
        if let entry = cache.get(name), let cached = State.unwrap(entry.value) {
            state = cached
            version = entry.version
            // A bulk loader is the log's only writer: what it cached is the stream's head (another
            // writer's event would fail its next flush on the expected version), so no read is needed.
            if configuration.bulkLoad != nil {
                staging.loaded[name] = entry
                return (state, version)
            }
        }
        let loadedVersion = version
        while true {
            let page: [RecordedEvent]
            do {
                page = try log.readStream(name, fromVersion: version + 1, maxCount: Self.pageSize)
            } catch {
                throw .log(error)
            }
            for recorded in page {
                do {
                    state = State.evolve(state, try EventEnvelopeMapping.domainEvent(recorded))
                } catch {
                    throw .undecodableEvent(stream: name, position: recorded.position, error)
                }
                version = recorded.streamVersion
            }
            if page.count < Self.pageSize { break }
        }
        if version != loadedVersion, let state {
            let wrapped = state.wrapped
            cache.put(name, wrapped, version: version, bytes: wrapped.approximateBytes)
        }
        if configuration.bulkLoad != nil, let state { staging.loaded[name] = .init(value: state.wrapped, version: version) }
        // A bulk loader's states run ahead of the log (staged, not appended), so it keeps no snapshot.
        // (The type is compared first so that other aggregates' loads skip the dynamic cast.)
        if State.self == WorkspaceState.self, configuration.bulkLoad == nil, let workspace = state as? WorkspaceState {
            workspaceSnapshot.record(workspace)
        }
        return (state, version)
    }

    func requireWorkspace() throws(CommandError) -> WorkspaceState {
        guard let workspace = try load(WorkspaceState.self, .workspace).state else {
            throw .domain(.notFound(kind: "workspace", id: ""))
        }
        return workspace
    }

    /// The actor for `member`; one who is not an active member may do nothing (`missing-permission`).
    func resolve(_ member: MemberID, workspace: WorkspaceState, project: ProjectState?) throws(CommandError) -> Actor {
        do {
            return try Actor.resolve(member: member, workspace: workspace, project: project)
        } catch {
            throw .unknownActor(member)
        }
    }

    func actorKind(of member: MemberID, in workspace: WorkspaceState) -> CommandMetadata.ActorKind {
        workspace.members[member]?.kind == .service ? .service : .user
    }

    func domain(_ decide: () throws(DomainError) -> [DomainEvent]) throws(CommandError) -> [DomainEvent] {
        do {
            return try decide()
        } catch {
            throw .domain(error)
        }
    }

    /// Folds every event after `index.appliedThrough` up to the log's head into `index`: the service's
    /// own from `own`, other writers' read from the log, decoding only the types the index reads.
    static func catchUp(_ index: inout WorkspaceIndex, log: EventLog, own: OwnCommits) throws(CommandError) {
        while index.appliedThrough < log.head.position {
            if let mine = own.take(index.appliedThrough + 1) {
                index.fold(mine, at: index.appliedThrough + 1)
                continue
            }
            let page: [RecordedEvent]
            do {
                page = try log.read(from: index.appliedThrough + 1, maxCount: pageSize)
            } catch {
                throw .log(error)
            }
            guard !page.isEmpty else { return }
            for recorded in page {
                if let mine = own.take(recorded.position) {
                    index.fold(mine, at: recorded.position)
                    continue
                }
                guard WorkspaceIndex.relevantTypes.contains(where: { recorded.hasType($0) }) else {
                    index.skip(recorded.position)
                    continue
                }
                let event: DomainEvent
                do {
                    event = try EventEnvelopeMapping.domainEvent(recorded)
                } catch {
                    throw .undecodableEvent(stream: recorded.stream, position: recorded.position, error)
                }
                index.apply(event, at: recorded.position)
            }
        }
    }
}
