import Workflow

/// A state as the cache holds it: one cache for every kind of aggregate.
enum CachedAggregate: Sendable {
    case workspace(WorkspaceState)
    case project(ProjectState)
    case workflow(WorkflowState)
    case task(TaskState)
    case reminder(ReminderRuleState)

    var approximateBytes: Int {
        switch self {
        case .workspace(let state): state.approximateBytes
        case .project(let state): state.approximateBytes
        case .workflow(let state): state.approximateBytes
        case .task(let state): state.approximateBytes
        case .reminder(let state): state.approximateBytes
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
        // Kinds the service does not cache (yet): loaded from their streams when needed.
        case .milestone, .document, .token, .security, nil: nil
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
