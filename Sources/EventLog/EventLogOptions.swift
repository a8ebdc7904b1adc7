public import Logging

/// How a log behaves; one value passed to `EventLog.open`.
public struct EventLogOptions: Sendable {
    /// Whether an append waits for its batch to be on stable storage.
    public enum Durability: String, Sendable {
        /// `fdatasync` before acknowledging: an acknowledged event survives `kill -9` and power loss.
        case fsync
        /// Acknowledge after `pwrite`: survives a process crash, *not* power loss. For tests and bulk loads only.
        case unsafeNoSync = "unsafe-no-sync"
    }

    public var limits = EventLogLimits()
    public var durability: Durability = .fsync
    /// LZ4 level for new batches: 0 is LZ4's fast mode, 3-12 are HC levels (smaller, slower to write).
    public var compressionLevel: Int32 = 0
    /// How long the writer waits for more appends before a flush, in microseconds. 0 flushes at once.
    public var lingerMicros = 0
    /// Segment space written ahead of the data (as zeros, covered by an LZ4 skippable frame), so that a
    /// flush does not have to grow the file. Each step stalls the writer once (zeros written and flushed
    /// with the next batch): 1 MiB keeps that under a few milliseconds. 0 grows the file with each batch.
    public var preallocationBytes = 1 << 20
    /// Decoded batches kept in memory for readers.
    public var batchCacheBytesMax = 32 << 20
    /// Segment files kept open for reading, per log.
    public var readHandlesMax = 16
    /// Whether `open` creates a workspace log that does not exist yet.
    public var createIfMissing = true
    public var logger = Logger(label: "taskledger.eventlog")
    /// The clock a batch's commit time (every event's `time`) is read from. The wall clock by default;
    /// injected only where the log's bytes must be reproducible (the demo generator writes a simulated
    /// history whose times must follow its simulated clock, and the same seed must give the same bytes).
    /// The writer never lets commit times go backwards, whatever the clock says.
    public var clock: @Sendable () -> Timestamp = { Timestamp.now() }

    public init() {}
}
