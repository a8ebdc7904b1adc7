/// A CloudEvents extension attribute value. CloudEvents allows strings, integers and booleans
/// (among others) as attribute values; these three are what Taskledger uses.
public enum ExtensionValue: Hashable, Sendable, CustomStringConvertible {
    case string(String)
    case integer(Int64)
    case boolean(Bool)

    public var description: String {
        switch self {
        case .string(let text): text
        case .integer(let number): String(number)
        case .boolean(let flag): String(flag)
        }
    }
}

/// An event to append: what the caller decides. The log adds the rest of the envelope (position,
/// stream version, time, source) when it commits.
public struct ProposedEvent: Sendable {
    /// The event's id; a retry with the same ids returns the first append's positions. Generated (UUIDv7) when nil.
    public var id: EventID?
    /// The stream (aggregate) the event belongs to, e.g. `task-OPS-12`. Stored as the CloudEvents `subject`.
    public var stream: String
    /// What happened, in the past tense, e.g. `TaskMoved`.
    public var type: String
    /// The payload: one JSON value, as UTF-8 bytes. White space between tokens is removed when stored.
    public var data: [UInt8]
    /// Extra CloudEvents attributes (lower-case alphanumeric names, at most 20 characters), e.g. `actor`.
    public var extensions: [(name: String, value: ExtensionValue)]

    /// Throws `invalidEventType` unless `type` is one the log can store (1 to `eventTypeBytesMax` bytes of
    /// letters, digits and `. _ : -`): a filter naming any other type can match nothing.
    public static func checkType(_ type: String, limits: EventLogLimits = EventLogLimits()) throws(EventLogError) {
        try EnvelopeCodec.validateType(type, limits: limits)
    }

    public init(
        id: EventID? = nil, stream: String, type: String, data: [UInt8],
        extensions: [(name: String, value: ExtensionValue)] = []
    ) {
        self.id = id
        self.stream = stream
        self.type = type
        self.data = data
        self.extensions = extensions
    }

    /// Convenience for a payload given as JSON text.
    public init(
        id: EventID? = nil, stream: String, type: String, json: String,
        extensions: [(name: String, value: ExtensionValue)] = []
    ) {
        self.init(id: id, stream: stream, type: type, data: Array(json.utf8), extensions: extensions)
    }
}

/// One atomic append: events for one or several streams, each stream with what it expects.
public struct AppendRequest: Sendable {
    public var events: [ProposedEvent]
    /// Expected version per stream, checked before anything is written. Streams not listed expect `.any`.
    public var expectations: [String: ExpectedVersion]
    /// Called with the events' positions once they are durable and before any reader can see them
    /// (before `head` moves past them), on the log's writer thread. A writer that keeps its own view of
    /// the log (the command service's workspace index) uses it to know, for every position a reader can
    /// see, whether the event is its own, without reading it back. Keep it short: the whole batch's
    /// acknowledgements wait for it. Not called for a refused append or a duplicate.
    public var onCommit: (@Sendable (_ positions: [UInt64]) -> Void)?

    public init(
        events: [ProposedEvent], expectations: [String: ExpectedVersion] = [:], onCommit: (@Sendable (_ positions: [UInt64]) -> Void)? = nil
    ) {
        self.events = events
        self.expectations = expectations
        self.onCommit = onCommit
    }

    /// All events on one stream with one expectation.
    public init(stream: String, expected: ExpectedVersion = .any, events: [ProposedEvent]) {
        self.events = events
        self.expectations = [stream: expected]
    }
}

/// What a successful append returns.
public struct AppendResult: Equatable, Sendable {
    /// Position of each event, in the order given.
    public var positions: [UInt64]
    /// Version of each event within its stream, in the order given.
    public var streamVersions: [UInt64]
    /// The event ids, in order (generated ones included).
    public var ids: [EventID]
    /// True when every id had been written before: this is the earlier append's answer, nothing new was written.
    public var wasDuplicate: Bool

    public var firstPosition: UInt64 { positions.first ?? 0 }
    public var lastPosition: UInt64 { positions.last ?? 0 }
}
