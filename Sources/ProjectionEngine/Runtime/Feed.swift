import EventLog
import Logging
import Synchronization

/// Reads the log once for a group of writers: catch-up from the lowest checkpoint with
/// `read(from:maxCount:)`, then live from `events(from:)` (woken by the log's writer, no polling). Each
/// batch is decoded once and handed to every writer, each skipping what it already has.
final class Feed: Sendable {
    private let log: EventLog
    private let writers: Mutex<[ProjectionWriter]>
    private let batchEventsMax: Int
    private let logger: Logger

    init(log: EventLog, writers: [ProjectionWriter], batchEventsMax: Int, logger: Logger) {
        self.log = log
        self.writers = Mutex(writers)
        self.batchEventsMax = max(1, batchEventsMax)
        self.logger = logger
    }

    /// Runs until the log closes, the task is cancelled, or no writer is left.
    func run() async {
        let active = activeWriters()
        guard !active.isEmpty else { return }
        var next = (active.map { $0.state.checkpoint }.min() ?? 0) + 1
        do {
            guard let live = try await catchUp(from: next) else { return }
            next = live
            try await follow(from: next)
        } catch {
            logger.error("projection feed stopped: \(error)")
        }
    }

    /// Returns where to follow from, or nil when no writer is left.
    private func catchUp(from start: UInt64) async throws(EventLogError) -> UInt64? {
        var next = start
        while !Task.isCancelled {
            let head = log.head.position
            guard next <= head else { break }
            let events = try log.read(from: next, maxCount: batchEventsMax)
            guard let last = events.last else { break }
            guard try await dispatch(events, through: last.position, atHead: last.position >= head) else { return nil }
            next = last.position + 1
        }
        // Tells writers already at the head (nothing to read) that they have caught up.
        guard try await dispatch([], through: next - 1, atHead: true) else { return nil }
        return next
    }

    private func follow(from start: UInt64) async throws(EventLogError) {
        var iterator = log.events(from: start).makeAsyncIterator()
        var pending: [RecordedEvent] = []
        pending.reserveCapacity(batchEventsMax)
        while let event = try await iterator.next() {
            pending.append(event)
            // Cut the batch when it is full or when nothing more is committed: the next `next()` would wait.
            let atHead = log.head.position <= event.position
            guard pending.count >= batchEventsMax || atHead else { continue }
            guard try await dispatch(pending, through: event.position, atHead: atHead) else { return }
            pending.removeAll(keepingCapacity: true)
        }
    }

    /// Hands a batch to every active writer; false when none is left.
    private func dispatch(_ events: [RecordedEvent], through: UInt64, atHead: Bool) async throws(EventLogError) -> Bool {
        let active = activeWriters()
        guard !active.isEmpty else { return false }
        let needs = active.reduce(into: DecodedEvent.Needs()) { $0.formUnion($1.needs) }
        let batch = FeedBatch(events: decode(events, needs: needs), throughPosition: through, atHead: atHead)
        for writer in active { await writer.enqueue(batch) }
        return true
    }

    private func activeWriters() -> [ProjectionWriter] {
        writers.withLock { writers in
            writers.removeAll { !$0.isActive }
            return writers
        }
    }
}
