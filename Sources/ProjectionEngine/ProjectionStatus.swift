/// Where a projection stands, for `status`, the CLI and `/metrics`.
public struct ProjectionStatus: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        /// Applying events toward the head (a first build, or after a restart or a burst).
        case catchingUp
        /// At the head, following new events as they commit.
        case live
        /// A new database (a changed definition, or `rebuild`) is being built while the current one serves.
        case rebuilding
        /// Stopped on a failing statement at `position`; the checkpoint is `position - 1`.
        case failed(position: UInt64, message: String)
    }

    public let name: String
    public let state: State
    /// The definition version being served (nil when no database has finished its first catch-up).
    public let servingVersion: String?
    /// The version the definition file has now.
    public let definitionVersion: String
    /// The served database's checkpoint (or the build's, when nothing is served yet).
    public let checkpoint: UInt64
    /// The checkpoint of the database being built, during a rebuild.
    public let buildCheckpoint: UInt64?
    public let head: UInt64
    /// Events applied per second recently, by the writer doing the most work (the build, if any).
    public let eventsPerSecond: Double

    /// `head - checkpoint`.
    public var lag: UInt64 { head > checkpoint ? head - checkpoint : 0 }
}
