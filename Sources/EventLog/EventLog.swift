import Logging
import Synchronization

/// The append-only, compressed, hash-chained event log of one workspace.
///
/// ```swift
/// let log = try EventLog.open(dataDirectory: "./taskledger-data", workspace: "acme")
/// let result = try await log.append(AppendRequest(
///     stream: "task-OPS-1", expected: .noStream,
///     events: [ProposedEvent(stream: "task-OPS-1", type: "TaskCreated", json: #"{"title":"Ship it"}"#)]))
/// for event in try log.read(from: 1, maxCount: 100) { print(event.position, event.type) }
/// await log.close()
/// ```
///
/// Appends from any number of tasks are grouped into batches by one writer thread; `append` returns
/// once its batch is durable. Positions are gap-free and assigned in commit order. Readers never block
/// the writer. Layout and guarantees: docs/log-format.md.
public final class EventLog: Sendable {
    public let workspace: String
    public let options: EventLogOptions
    let paths: LogPaths
    private let source: [UInt8]
    private let table: BatchTable
    private let streamIndex: StreamIndex
    private let headSignal: PositionSignal
    private let writer: GroupCommitWriter
    private let indexer: Indexer
    private let reader: BatchReader
    private let closed = Mutex(false)
    /// Held until the log is deallocated: no other process may append meanwhile.
    private let lock: DirectoryLock

    /// Opens the log of `workspace` under `dataDirectory` (creating it if `options.createIfMissing`),
    /// recovering from a crash if needed. Throws `.corrupted` when the log is damaged anywhere but in a
    /// torn final batch.
    public static func open(dataDirectory: String, workspace: String, options: EventLogOptions = EventLogOptions()) throws(EventLogError) -> EventLog
    {
        try validateWorkspaceName(workspace)
        var options = options
        options.limits = try options.limits.validated()
        let paths = LogPaths(dataDirectory: dataDirectory, workspace: workspace)
        let opened = try LogRecovery(paths: paths, workspace: workspace, options: options).open()
        return EventLog(workspace: workspace, options: options, paths: paths, opened: opened)
    }

    private init(workspace: String, options: EventLogOptions, paths: LogPaths, opened: LogRecovery.Opened) {
        self.workspace = workspace
        self.options = options
        self.paths = paths
        var source: [UInt8] = []
        JSONText.appendString("/workspaces/" + workspace, to: &source)
        self.source = source
        lock = opened.lock
        let head = opened.start.head
        table = BatchTable(batches: opened.batches, head: head)
        streamIndex = opened.streamIndex
        headSignal = PositionSignal(head.position)
        indexer = Indexer(index: opened.index, logger: options.logger)
        reader = BatchReader(paths: paths, cacheBytesMax: options.batchCacheBytesMax, handlesMax: options.readHandlesMax)
        let indexer = self.indexer
        writer = GroupCommitWriter(
            start: opened.start, options: options, paths: paths, table: table, streamIndex: streamIndex, headSignal: headSignal,
            onCommit: { indexer.enqueue($0) })
        indexer.start()
        writer.start()
    }

    /// Workspace names are directory names: 1-64 of `[a-z0-9_-]`, starting with a letter or digit.
    public static func validateWorkspaceName(_ name: String) throws(EventLogError) {
        let bytes = Array(name.utf8)
        guard (1...64).contains(bytes.count),
            bytes.allSatisfy({ ($0 >= 97 && $0 <= 122) || isDigit($0) || $0 == 45 || $0 == 95 }),
            bytes[0] != 45, bytes[0] != 95
        else { throw .invalidWorkspaceName(name) }
    }

    // MARK: Appending

    /// Appends the request's events atomically, after checking every stream's expected version.
    /// Returns once they are durable (with `.fsync`). A retry with the same event ids returns the first
    /// append's result with `wasDuplicate` set, and writes nothing.
    public func append(_ request: AppendRequest) async throws(EventLogError) -> AppendResult {
        let (prepared, bytes) = try prepare(request)
        if closed.withLock({ $0 }) { throw .closed }
        let outcome: GroupCommitWriter.Outcome
        do {
            outcome = try await withUnsafeThrowingContinuation { continuation in
                writer.submit(
                    .init(
                        events: prepared, expectations: request.expectations, bytes: bytes, onCommit: request.onCommit,
                        completion: .single(continuation)))
            }
        } catch let error as EventLogError {
            throw error
        } catch {
            throw .logFailed("\(error)")
        }
        return try result(of: outcome)
    }

    /// Appends several requests handed over together, for a single writer that has many appends ready
    /// at once (a bulk load). Each request is still its own atomic append, checked (expected versions,
    /// event ids) as if appended alone after the ones before it, so a refused request leaves the others
    /// untouched — but a later request that expects the refused one's versions is refused in turn.
    ///
    /// The writer finds them in its queue together: they go into its next batch in order (several
    /// batches where the batch limits say), so with no other appender the batch boundaries are the same
    /// on every run, and the requests cost one hand-over to the writer thread instead of one each.
    /// Returns one result per request, in order; throws only when the log is closed.
    ///
    /// `committedAt` is the commit time of the group's batches (raised to the head's if earlier: commit
    /// times never go backwards) instead of the clock's when the writer takes them: for a caller that
    /// reads `options.clock` when it decides to append and encodes and appends later, off its own
    /// thread, while its clock moves on (a bulk loader with a simulated clock). Nil by default.
    ///
    /// ```swift
    /// let results = try await log.append(contentsOf: [first, second])
    /// for case .failure(let error) in results { print(error.code) }
    /// ```
    public func append(
        contentsOf requests: [AppendRequest], committedAt: Timestamp? = nil
    ) async throws(EventLogError) -> [Result<AppendResult, EventLogError>] {
        var results = [Result<AppendResult, EventLogError>?](repeating: nil, count: requests.count)
        var submitted: [(index: Int, request: AppendRequest, prepared: [PreparedEvent], bytes: Int)] = []
        submitted.reserveCapacity(requests.count)
        for (index, request) in requests.enumerated() {
            do throws(EventLogError) {
                let (prepared, bytes) = try prepare(request)
                submitted.append((index, request, prepared, bytes))
            } catch {
                results[index] = .failure(error)
            }
        }
        if closed.withLock({ $0 }) { throw .closed }
        if !submitted.isEmpty {
            let outcomes = await withUnsafeContinuation { continuation in
                let group = GroupCompletion(count: submitted.count, continuation: continuation)
                writer.submit(
                    contentsOf: submitted.enumerated().map { member, item in
                        GroupCommitWriter.Pending(
                            events: item.prepared, expectations: item.request.expectations, bytes: item.bytes, onCommit: item.request.onCommit,
                            completion: .member(group, index: member), committedAt: committedAt)
                    })
            }
            for (item, outcome) in zip(submitted, outcomes) {
                results[item.index] = outcome.flatMap { (outcome) -> Result<AppendResult, EventLogError> in
                    do throws(EventLogError) {
                        return .success(try result(of: outcome))
                    } catch {
                        return .failure(error)
                    }
                }
            }
        }
        return results.map { $0! }
    }

    /// Checks a request against the limits and encodes its events; returns them and their approximate size.
    private func prepare(_ request: AppendRequest) throws(EventLogError) -> (events: [PreparedEvent], bytes: Int) {
        let limits = options.limits
        guard !request.events.isEmpty else { throw .emptyAppend }
        guard request.events.count <= limits.eventsPerAppendMax else {
            throw .tooManyEvents(count: request.events.count, limit: limits.eventsPerAppendMax)
        }
        var prepared: [PreparedEvent] = []
        prepared.reserveCapacity(request.events.count)
        var bytes = 0
        for (index, event) in request.events.enumerated() {
            let encoded = try EnvelopeCodec.prepare(event, index: index, source: source, limits: limits)
            bytes += encoded.approximateBytes
            prepared.append(encoded)
        }
        if prepared.count > 1 {
            var ids = Set<EventID>(minimumCapacity: prepared.count)
            for event in prepared where !ids.insert(event.id).inserted { throw .duplicateEventIDInAppend(event.id) }
        }
        guard bytes <= limits.appendBytesMax else { throw .appendTooLarge(bytes: bytes, limit: limits.appendBytesMax) }
        for stream in request.expectations.keys {
            try EnvelopeCodec.validateStream(stream, limits: limits)
        }
        return (prepared, bytes)
    }

    /// What the writer's outcome means for the caller (a duplicate's stream versions are read back).
    private func result(of outcome: GroupCommitWriter.Outcome) throws(EventLogError) -> AppendResult {
        switch outcome {
        case .written(let positions, let versions, let ids):
            return AppendResult(positions: positions, streamVersions: versions, ids: ids, wasDuplicate: false)
        case .duplicate(let positions, let ids):
            let versions = try positions.map { (position) throws(EventLogError) in try event(at: position).streamVersion }
            return AppendResult(positions: positions, streamVersions: versions, ids: ids, wasDuplicate: true)
        }
    }

    // MARK: Reading

    /// Batches, events and bytes written since the log was opened, with histograms of batch sizes and
    /// flush (`fdatasync`) times.
    public var writerStatistics: WriterStatistics { writer.statistics.value.withLock { $0 } }

    /// The cache of decoded batches (`EventLogOptions.batchCacheBytesMax`): approximate bytes held, and the limit.
    public var batchCacheBytes: (used: Int, limit: Int) { reader.cacheBytes }

    /// Whether `close()` has begun: no append is taken any more.
    public var isClosed: Bool { closed.withLock { $0 } }

    /// The durable head: last position and last batch hash.
    public var head: LogHead { table.head }

    /// How far behind the head a read counts as live (its batches are cached for the other readers).
    static let liveWindowEvents: UInt64 = 4_096

    /// Up to `maxCount` events from `position` on, in order. Returns fewer at the head; never skips one.
    public func read(from position: UInt64, maxCount: Int) throws(EventLogError) -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        var next = max(position, 1)
        let head = table.head.position
        while events.count < maxCount, next <= head {
            guard let location = table.locate(next) else { throw .positionOutOfRange(requested: next, head: head) }
            // Batches near the head are what every live reader (each SSE subscriber, each projection)
            // reads next: cached, one decode serves them all. A scan of older history is not, so it
            // cannot push the stream reads' batches out of the cache.
            let nearHead = head - location.firstPosition < Self.liveWindowEvents
            let batch = try reader.batch(at: location, cached: nearHead)
            let skip = Int(next - location.firstPosition)
            let take = min(batch.events.count - skip, maxCount - events.count)
            events.append(contentsOf: batch.events[skip..<(skip + take)])
            next += UInt64(take)
        }
        return events
    }

    /// The event at `position`.
    public func event(at position: UInt64) throws(EventLogError) -> RecordedEvent {
        let head = table.head.position
        guard let location = table.locate(position) else { throw .positionOutOfRange(requested: position, head: head) }
        return try reader.batch(at: location, cached: true).events[Int(position - location.firstPosition)]
    }

    /// Up to `maxCount` events of `stream` from version `fromVersion` on. Sees every event committed
    /// before the call.
    public func readStream(_ stream: String, fromVersion: UInt64 = 1, maxCount: Int = 1_000) throws(EventLogError) -> [RecordedEvent] {
        let positions = streamIndex.positions(of: stream, fromVersion: fromVersion, limit: maxCount)
        var events: [RecordedEvent] = []
        events.reserveCapacity(positions.count)
        for position in positions { events.append(try event(at: position)) }
        return events
    }

    /// The current version of `stream` (0 when it has no events).
    public func version(of stream: String) -> UInt64 {
        streamIndex.version(of: stream)
    }

    /// The last position committed at or before `time`: how "as of time T" becomes "as of position P".
    public func lastPosition(atOrBefore time: Timestamp) -> UInt64 { table.lastPosition(atOrBefore: time) }

    /// Waits until the head passes `position`. Returns false if the log closed or the task was cancelled.
    public func waitForHead(beyond position: UInt64) async -> Bool {
        await headSignal.wait(beyond: position)
    }

    /// A reusable wait for the head that another task can interrupt: for a live reader that must also
    /// wake for a heartbeat or a shutdown. One waiter per reader, made once; each wait then costs one
    /// continuation, instead of a task group racing the head against a timer on every wait.
    public func headWaiter() -> HeadWaiter { HeadWaiter(signal: headSignal) }

    /// Every event from `position` on: the stored events first, then new ones as they commit, woken by
    /// the writer (no polling). A slow consumer reads from the log at its own pace; nothing is buffered
    /// for it. Ends when the log closes or the task is cancelled.
    public func events(from position: UInt64) -> LiveEvents { LiveEvents(log: self, from: max(position, 1)) }

    /// Where every batch is; for tools that walk the log (dump, stats).
    var batchLocations: [BatchLocation] { table.snapshot() }

    // MARK: Closing

    /// Writes what is queued, flushes the index, wakes live readers, and closes files. Idempotent.
    public func close() async {
        let wasClosed = closed.withLock { closed in
            defer { closed = true }
            return closed
        }
        guard !wasClosed else { return }
        await writer.stop()
        await indexer.stop()
        headSignal.close()
        reader.close()
        lock.release()
    }
}

/// Waits for a log's head, interruptibly (see `EventLog.headWaiter()`).
///
/// ```swift
/// let waiter = log.headWaiter()
/// // elsewhere, e.g. a heartbeat timer: waiter.interrupt()
/// if await waiter.wait(beyond: next - 1) { /* read from next */ } else { /* interrupted or closed */ }
/// ```
public final class HeadWaiter: Sendable {
    private let signal: PositionSignal
    private let ticket: UInt64

    init(signal: PositionSignal) {
        self.signal = signal
        ticket = signal.makeTicket()
    }

    deinit { signal.discard(ticket) }

    /// True once the head passes `position`; false when interrupted, when the log closed, or when the
    /// task was cancelled. Not for two concurrent waits on the same waiter.
    public func wait(beyond position: UInt64) async -> Bool { await signal.wait(beyond: position, ticket: ticket) }

    /// Ends the current wait with false, or the next one when none is in progress.
    public func interrupt() { signal.interrupt(ticket) }
}

/// An `AsyncSequence` of a log's events from a position on, catching up from the segments and then
/// following the head. See `EventLog.events(from:)`.
public struct LiveEvents: AsyncSequence, Sendable {
    public typealias Element = RecordedEvent
    public typealias Failure = EventLogError
    let log: EventLog
    let from: UInt64

    public func makeAsyncIterator() -> Iterator { Iterator(log: log, next: from) }

    public struct Iterator: AsyncIteratorProtocol {
        public typealias Failure = EventLogError
        let log: EventLog
        var next: UInt64
        var buffered: [RecordedEvent] = []
        var index = 0
        static let pageSize = 4_096

        public mutating func next() async throws(EventLogError) -> RecordedEvent? {
            while index == buffered.count {
                if Task.isCancelled { return nil }
                buffered = try log.read(from: next, maxCount: Self.pageSize)
                index = 0
                if buffered.isEmpty {
                    guard await log.waitForHead(beyond: next - 1) else { return nil }
                }
            }
            let event = buffered[index]
            index += 1
            next = event.position + 1
            return event
        }
    }
}
