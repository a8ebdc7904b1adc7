/// What an append expects of a stream before it writes: the optimistic-concurrency check.
///
/// Versions count a stream's events: a stream with no events is at version 0, its first event has
/// version 1, and each next event adds one.
public enum ExpectedVersion: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// Write whatever the stream's version.
    case any
    /// The stream must have no events yet (version 0).
    case noStream
    /// The stream must have at least one event.
    case streamExists
    /// The stream must be exactly at this version (0 is the same as `noStream`).
    case exactly(UInt64)

    /// Whether a stream currently at `version` satisfies this expectation.
    public func isSatisfied(byCurrentVersion version: UInt64) -> Bool {
        switch self {
        case .any: true
        case .noStream: version == 0
        case .streamExists: version > 0
        case .exactly(let expected): version == expected
        }
    }

    public var description: String {
        switch self {
        case .any: "any"
        case .noStream: "no stream"
        case .streamExists: "stream exists"
        case .exactly(let version): "version \(version)"
        }
    }
}
