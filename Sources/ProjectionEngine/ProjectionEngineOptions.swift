public import Logging

/// How a `ProjectionEngine` behaves; one value passed to its initialiser.
public struct ProjectionEngineOptions: Sendable {
    /// Events applied per transaction at most (fewer when fewer are available: live, a batch ends at the
    /// head). 5,000 rather than 1,000 cut a full rebuild's CPU by ~12 % (fewer commits writing the same
    /// hot index pages again); 20,000 gained nothing more.
    public var batchEventsMax = 5_000
    /// A snapshot of each projection database is taken each time its checkpoint crosses a multiple of
    /// this many events (0: never), unless its file says otherwise (`-- snapshots: every N`). Closer
    /// snapshots make "as of" queries replay less.
    public var snapshotEveryEvents: UInt64 = 100_000
    /// Snapshots kept per projection version at most; beyond it they are thinned (see docs/projections.md).
    public var snapshotsMax = 128
    /// Disk taken by one projection version's snapshots at most; beyond it they are thinned.
    public var snapshotBytesMax: Int64 = 1 << 30
    /// A served database commits at most once per this many seconds (0: as soon as each batch comes).
    /// A batch that comes sooner waits for the rest of the interval, and every batch that arrives
    /// meanwhile shares its transaction. An idle database commits a lone event at once; under load the
    /// commits, each rewriting the same hot pages into the WAL and flushing the full-text index's
    /// segment, are capped at 1/interval a second, so their cost per event falls as the load rises.
    public var liveCommitSpacing: Double = 0.01
    /// A query (its page, and its total when asked) runs at most this many seconds; then SQLite stops it
    /// and the caller gets `queryTimeout`. It bounds what one analyst's query, or a total over a large
    /// table, can hold of a reader connection and a core.
    public var queryTimeSecondsMax: Double = 10
    public var logger = Logger(label: "taskledger.projections")

    public init() {}
}
