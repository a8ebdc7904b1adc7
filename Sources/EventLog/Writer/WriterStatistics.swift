import Synchronization

/// What the writer has done since the log was opened: batches, events, bytes, and histograms of batch
/// sizes and of the time each durable flush took. For `/metrics`; updated once per batch, so the cost is
/// one uncontended lock per group commit.
public struct WriterStatistics: Sendable, Equatable {
    /// Upper bounds of the flush-time buckets, in seconds.
    public static let flushBuckets: [Double] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]
    /// Upper bounds of the batch-size buckets, in events.
    public static let batchBuckets: [Double] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 1_024, 4_096, 16_384]

    public var batches: UInt64 = 0
    public var events: UInt64 = 0
    public var storedBytes: UInt64 = 0
    /// Cumulative counts per bucket of `flushBuckets` (Prometheus `le` semantics).
    public var flushSeconds: [UInt64] = Array(repeating: 0, count: flushBuckets.count)
    public var flushSecondsSum: Double = 0
    /// Cumulative counts per bucket of `batchBuckets`.
    public var batchEvents: [UInt64] = Array(repeating: 0, count: batchBuckets.count)

    mutating func record(events count: UInt32, bytes: Int, flushSeconds seconds: Double) {
        batches += 1
        events += UInt64(count)
        storedBytes += UInt64(bytes)
        flushSecondsSum += seconds
        for (index, bound) in Self.flushBuckets.enumerated() where seconds <= bound { flushSeconds[index] += 1 }
        for (index, bound) in Self.batchBuckets.enumerated() where Double(count) <= bound { batchEvents[index] += 1 }
    }
}

/// The writer's statistics, shared with readers of `EventLog.writerStatistics`.
final class WriterStatisticsBox: Sendable {
    let value = Mutex(WriterStatistics())
}
