import Workflow

/// A state as the cache holds it: one cache for every kind of aggregate.
/// Indirect: the states are large structs (a task holds a dozen strings and its comments), and the service
/// stores and hands them around far more often than it reads them; boxed, a copy is one retain.
indirect enum CachedAggregate: Sendable {
    case workspace(WorkspaceState)
    case project(ProjectState)
    case workflow(WorkflowState)
    case task(TaskState)
    case reminder(ReminderRuleState)
    case milestone(MilestoneState)
    case document(DocumentState)
    case token(TokenState)

    var approximateBytes: Int {
        switch self {
        case .workspace(let state): state.approximateBytes
        case .project(let state): state.approximateBytes
        case .workflow(let state): state.approximateBytes
        case .task(let state): state.approximateBytes
        case .reminder(let state): state.approximateBytes
        case .milestone(let state): state.approximateBytes
        case .document(let state): state.approximateBytes
        case .token(let state): state.approximateBytes
        }
    }

    /// The state a new stream has after its first `events`, or nil if they do not create one.
    static func started(by events: [DomainEvent], in stream: StreamName) -> CachedAggregate? {
        switch stream.kind {
        case .workspace: events.reduce(nil) { WorkspaceState.evolve($0, $1) }?.wrapped
        case .project: events.reduce(nil) { ProjectState.evolve($0, $1) }?.wrapped
        case .workflow: events.reduce(nil) { WorkflowState.evolve($0, $1) }?.wrapped
        case .task: events.reduce(nil) { TaskState.evolve($0, $1) }?.wrapped
        case .reminder: events.reduce(nil) { ReminderRuleState.evolve($0, $1) }?.wrapped
        case .milestone: events.reduce(nil) { MilestoneState.evolve($0, $1) }?.wrapped
        case .document: events.reduce(nil) { DocumentState.evolve($0, $1) }?.wrapped
        case .token: events.reduce(nil) { TokenState.evolve($0, $1) }?.wrapped
        // The security audit has no aggregate; foreign streams are not the domain's.
        case .security, nil: nil
        }
    }

    /// The state after `events`, or nil if one of them would make it not exist (never, for these states).
    func evolved(by events: [DomainEvent]) -> CachedAggregate? {
        switch self {
        case .workspace(let state): events.reduce(state) { $0.evolve($1) }.wrapped
        case .project(let state): events.reduce(state) { $0.evolve($1) }.wrapped
        case .workflow(let state): events.reduce(state) { $0.evolve($1) }.wrapped
        case .task(let state): events.reduce(state) { $0.evolve($1) }.wrapped
        case .reminder(let state): events.reduce(state) { $0.evolve($1) }.wrapped
        case .milestone(let state): events.reduce(state) { $0.evolve($1) }.wrapped
        case .document(let state): events.reduce(state) { $0.evolve($1) }.wrapped
        case .token(let state): events.reduce(state) { $0.evolve($1) }.wrapped
        }
    }
}

/// An aggregate state the service can cache.
protocol CacheableState: AggregateState {
    static func unwrap(_ cached: CachedAggregate) -> Self?
    var wrapped: CachedAggregate { get }
}

extension WorkspaceState: CacheableState {
    static func unwrap(_ cached: CachedAggregate) -> WorkspaceState? {
        if case .workspace(let state) = cached { return state }
        return nil
    }
    var wrapped: CachedAggregate { .workspace(self) }
}

extension ProjectState: CacheableState {
    static func unwrap(_ cached: CachedAggregate) -> ProjectState? {
        if case .project(let state) = cached { return state }
        return nil
    }
    var wrapped: CachedAggregate { .project(self) }
}

extension WorkflowState: CacheableState {
    static func unwrap(_ cached: CachedAggregate) -> WorkflowState? {
        if case .workflow(let state) = cached { return state }
        return nil
    }
    var wrapped: CachedAggregate { .workflow(self) }
}

extension TaskState: CacheableState {
    static func unwrap(_ cached: CachedAggregate) -> TaskState? {
        if case .task(let state) = cached { return state }
        return nil
    }
    var wrapped: CachedAggregate { .task(self) }
}

extension ReminderRuleState: CacheableState {
    static func unwrap(_ cached: CachedAggregate) -> ReminderRuleState? {
        if case .reminder(let state) = cached { return state }
        return nil
    }
    var wrapped: CachedAggregate { .reminder(self) }
}

extension MilestoneState: CacheableState {
    static func unwrap(_ cached: CachedAggregate) -> MilestoneState? {
        if case .milestone(let state) = cached { return state }
        return nil
    }
    var wrapped: CachedAggregate { .milestone(self) }
}

extension DocumentState: CacheableState {
    static func unwrap(_ cached: CachedAggregate) -> DocumentState? {
        if case .document(let state) = cached { return state }
        return nil
    }
    var wrapped: CachedAggregate { .document(self) }
}

extension TokenState: CacheableState {
    static func unwrap(_ cached: CachedAggregate) -> TokenState? {
        if case .token(let state) = cached { return state }
        return nil
    }
    var wrapped: CachedAggregate { .token(self) }
}
