/// The state of one aggregate, rebuilt by folding `evolve` over its stream's events. `version` is the
/// number of events applied: the stream version an append expects.
public protocol AggregateState: Hashable, Sendable {
    /// The state after the stream's first event, or nil if that event does not create this aggregate.
    static func start(with event: DomainEvent) -> Self?
    /// The state after one more event of the stream. Events this aggregate does not know still count
    /// towards `version`: they are in its stream.
    func evolve(_ event: DomainEvent) -> Self
    /// Events applied so far.
    var version: UInt64 { get }
}

extension AggregateState {
    /// The state after applying `event` to `state` (nil: the stream is empty so far).
    public static func evolve(_ state: Self?, _ event: DomainEvent) -> Self? {
        if let state { return state.evolve(event) }
        return start(with: event)
    }

    /// The state rebuilt from a whole stream; nil for an empty stream.
    public static func fold(_ events: some Sequence<DomainEvent>) -> Self? {
        var state: Self?
        for event in events { state = evolve(state, event) }
        return state
    }
}

/// Checks an expected version given with a command (`If-Match`); nil expects nothing.
func checkVersion(expected: UInt64?, actual: UInt64) throws(DomainError) {
    if let expected, expected != actual { throw .versionConflict(expected: expected, actual: actual) }
}
