/// The limits a log enforces. Each has a stated maximum and a clear error when exceeded
/// (see `EventLogError`). The defaults suit a project-workflow server; tests shrink them.
public struct EventLogLimits: Sendable, Equatable {
    /// Largest `data` payload of one event, after whitespace is removed. Default 1 MiB.
    public var eventDataBytesMax: Int = 1 << 20
    /// Most events in one append. Default 1,000.
    public var eventsPerAppendMax: Int = 1_000
    /// Most encoded bytes (JSON lines) in one append. Default 4 MiB.
    public var appendBytesMax: Int = 4 << 20
    /// Most encoded bytes (before compression) in one batch; appends are grouped up to this. Default 8 MiB.
    public var batchBytesMax: Int = 8 << 20
    /// Most events in one batch. Default 16,384.
    public var batchEventsMax: Int = 16_384
    /// Largest segment file; a batch that would pass it starts a new segment. Default 64 MiB.
    public var segmentBytesMax: Int = 64 << 20
    /// Longest stream id, in UTF-8 bytes. Default 200.
    public var streamIDBytesMax: Int = 200
    /// Longest event type, in bytes. Default 128.
    public var eventTypeBytesMax: Int = 128
    /// Most extension attributes on one event. Default 32.
    public var extensionsPerEventMax: Int = 32
    /// Longest extension attribute value, in UTF-8 bytes. Default 1,024.
    public var extensionValueBytesMax: Int = 1_024
    /// Deepest nesting of a `data` payload. Default 64.
    public var jsonDepthMax: Int = 64

    public init() {}

    /// Checks that the limits fit together: an append must always fit into a batch, and a batch into a segment.
    public func validated() throws(EventLogError) -> EventLogLimits {
        func fail(_ why: String) -> EventLogError { .index("limits: " + why) }
        guard eventDataBytesMax > 0, eventsPerAppendMax > 0, appendBytesMax > 0 else { throw fail("must be positive") }
        guard appendBytesMax <= batchBytesMax else { throw fail("appendBytesMax must not exceed batchBytesMax") }
        guard eventsPerAppendMax <= batchEventsMax else { throw fail("eventsPerAppendMax must not exceed batchEventsMax") }
        // A batch compresses to at most its LZ4 bound plus headers; leave room for two of them.
        guard batchBytesMax + batchBytesMax / 128 + 4096 <= segmentBytesMax else {
            throw fail("segmentBytesMax must hold at least one full batch")
        }
        guard segmentBytesMax <= Int(UInt32.max) else { throw fail("segmentBytesMax must be below 4 GiB") }
        return self
    }
}
