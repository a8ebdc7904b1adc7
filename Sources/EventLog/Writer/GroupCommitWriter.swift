import CSupport
import Foundation
import Logging
import Synchronization

/// The single writer of one workspace log: it takes every append that is waiting, checks expected
/// versions and event ids, assigns positions, and writes them as one batch with one `pwrite` and one
/// `fdatasync` (group commit). Appenders wait on continuations that it resumes, in one sweep, only once
/// the batch is durable.
///
/// Why a dedicated thread and not an actor: `fdatasync` blocks for 0.2-1 ms; inside an actor it would
/// hold one of the cooperative pool's threads (this machine has two). While it runs, new appends pile
/// up in `queue` and all go into the next batch, so exactly one flush is ever in flight.
final class GroupCommitWriter: @unchecked Sendable {
    /// What an accepted append resolves to before the facade fills in the details.
    enum Outcome: Sendable {
        case written(positions: [UInt64], versions: [UInt64], ids: [EventID])
        /// Every id had been written before, at these positions.
        case duplicate(positions: [UInt64], ids: [EventID])
    }

    struct Pending {
        let events: [PreparedEvent]
        let expectations: [String: ExpectedVersion]
        let bytes: Int
        let onCommit: (@Sendable ([UInt64]) -> Void)?
        /// Who waits for the outcome; resumed exactly once (every path below ends in one resume).
        let completion: Completion
        /// The commit time its caller chose (`append(contentsOf:committedAt:)`); nil for the clock's.
        var committedAt: Timestamp? = nil

        func resume(returning outcome: Outcome) { completion.resume(.success(outcome)) }
        func resume(throwing error: EventLogError) { completion.resume(.failure(error)) }
    }

    /// Who waits for an append: its own task, or a group of appends handed over together
    /// (`EventLog.append(contentsOf:)`) whose task waits for all of them at once.
    enum Completion {
        /// Unsafe rather than checked: resumed exactly once, and the checked variant's bookkeeping
        /// showed up per append.
        case single(UnsafeContinuation<Outcome, any Error>)
        case member(GroupCompletion, index: Int)

        func resume(_ result: Result<Outcome, EventLogError>) {
            switch self {
            case .single(let continuation): continuation.resume(with: result.mapError { $0 as any Error })
            case .member(let group, let index): group.complete(index, result)
            }
        }
    }

    /// The writer's view of the log at open.
    struct Start {
        var segment: ActiveSegment
        var head: LogHead
        var streamVersions: [String: UInt64]
        var eventIDs: EventIDTable
    }

    // Guarded by `lock`.
    private let lock = ConditionLock()
    private var queue: [Pending] = []
    private var stopping = false
    private var failure: EventLogError?

    // Owned by the writer thread.
    private var segment: ActiveSegment
    private var head: LogHead
    private var streamVersions: [String: UInt64]
    private var eventIDs: EventIDTable
    private let compressor: LZ4FrameCompressor
    private var scratch: [UInt8] = []
    private var lines: [UInt8] = []
    private var digests: [UInt8] = []

    private let options: EventLogOptions
    private let paths: LogPaths
    private let table: BatchTable
    private let streamIndex: StreamIndex
    private let headSignal: PositionSignal
    private let onCommit: @Sendable (IndexEntry) -> Void
    private let finished = ThreadCompletion()
    /// Batches, events, bytes and flush times, for monitoring.
    let statistics = WriterStatisticsBox()

    init(
        start: Start, options: EventLogOptions, paths: LogPaths, table: BatchTable, streamIndex: StreamIndex, headSignal: PositionSignal,
        onCommit: @escaping @Sendable (IndexEntry) -> Void
    ) {
        segment = start.segment
        head = start.head
        streamVersions = start.streamVersions
        eventIDs = start.eventIDs
        compressor = LZ4FrameCompressor(level: options.compressionLevel)
        self.options = options
        self.paths = paths
        self.table = table
        self.streamIndex = streamIndex
        self.headSignal = headSignal
        self.onCommit = onCommit
    }

    func start() {
        let thread = Thread { [self] in
            // Named from the thread itself (Foundation on Linux names only the current thread); at most
            // 15 bytes, or Linux refuses the name.
            Thread.current.name = "tl-log-writer"
            run()
        }
        thread.start()
    }

    /// Queues an append; the continuation is resumed when it is durable or refused.
    func submit(_ pending: Pending) { submit(contentsOf: CollectionOfOne(pending)) }

    /// Queues several appends at once, in order: the writer finds them all in its queue together, so
    /// they share its next batch (split only where the batch limits say) whatever the threads' timing.
    func submit(contentsOf group: some Collection<Pending>) {
        guard !group.isEmpty else { return }
        lock.lock()
        if let failure {
            lock.unlock()
            for pending in group { pending.resume(throwing: .logFailed(failure.description)) }
            return
        }
        if stopping {
            lock.unlock()
            for pending in group { pending.resume(throwing: .closed) }
            return
        }
        // The writer only sleeps on an empty queue; later appends join the batch it will take.
        if queue.isEmpty { lock.signal() }
        queue.append(contentsOf: group)
        lock.unlock()
    }

    /// Stops taking appends, writes what is queued, and returns when the thread has ended.
    func stop() async {
        lock.withLock {
            stopping = true
            lock.signal()
        }
        await finished.wait()
    }

    // MARK: The writer thread

    private func run() {
        while let batch = nextBatch() {
            process(batch)
        }
        finished.finish()
    }

    /// Waits for appends and takes as many as fit in one batch; nil when stopping with nothing left.
    private func nextBatch() -> [Pending]? {
        lock.lock()
        defer { lock.unlock() }
        while queue.isEmpty && !stopping { lock.wait() }
        if queue.isEmpty { return nil }
        if options.lingerMicros > 0 && !stopping {
            lock.wait(micros: options.lingerMicros)
        }
        let limits = options.limits
        var events = 0
        var bytes = 0
        var taken = 0
        for pending in queue {
            if taken > 0 && (events + pending.events.count > limits.batchEventsMax || bytes + pending.bytes > limits.batchBytesMax) {
                break
            }
            events += pending.events.count
            bytes += pending.bytes
            taken += 1
        }
        let batch = Array(queue[0..<taken])
        queue.removeFirst(taken)
        return batch
    }

    private struct Accepted {
        let pending: Pending
        let positions: [UInt64]
        let versions: [UInt64]
    }

    private func process(_ batch: [Pending]) {
        // The clock's time, unless the batch's first append brings its own (a group handed over earlier).
        let committedAt = max(batch.first?.committedAt ?? options.clock(), head.committedAt ?? Timestamp(unixMicros: 0))
        var time: [UInt8] = []
        committedAt.appendRFC3339(to: &time)
        // Versions and ids go straight into the writer's maps: if the batch's write fails, the log refuses
        // every later append (see `fail`), so nothing ever reads them.
        var accepted: [Accepted] = []
        var duplicates: [(Pending, [UInt64])] = []
        var next = head.position + 1
        lines.removeAll(keepingCapacity: true)
        digests.removeAll(keepingCapacity: true)
        var batchStreams: [String] = []
        var indexIDs: [EventID] = []

        for pending in batch {
            // A retry first: if every id is known, answer with the first append's positions.
            var known: [UInt64] = []
            for event in pending.events {
                guard let position = eventIDs[event.id] else { break }
                known.append(position)
            }
            if known.count == pending.events.count {
                duplicates.append((pending, known))
                continue
            }
            if let already = pending.events.first(where: { eventIDs[$0.id] != nil }) {
                let position = eventIDs[already.id] ?? 0
                pending.resume(throwing: .partialDuplicate(eventID: already.id, position: position))
                continue
            }
            var refusal: EventLogError?
            for (stream, expected) in pending.expectations {
                let current = streamVersions[stream] ?? 0
                if !expected.isSatisfied(byCurrentVersion: current) {
                    refusal = .wrongExpectedVersion(stream: stream, expected: expected, actual: current)
                    break
                }
            }
            if let refusal {
                pending.resume(throwing: refusal)
                continue
            }
            var positions: [UInt64] = []
            var versions: [UInt64] = []
            positions.reserveCapacity(pending.events.count)
            versions.reserveCapacity(pending.events.count)
            for event in pending.events {
                let version = streamVersions[event.stream, default: 0] + 1
                streamVersions[event.stream] = version
                eventIDs.insert(event.id, at: next)
                let lineStart = lines.count
                event.encoded.withUnsafeBufferPointer { encoded in
                    lines.append(contentsOf: encoded[0..<event.split])
                    lines.append(contentsOf: time)
                    lines.append(contentsOf: #"","position":"#.utf8)
                    JSONText.appendInteger(next, to: &lines)
                    lines.append(contentsOf: #","streamversion":"#.utf8)
                    JSONText.appendInteger(version, to: &lines)
                    lines.append(contentsOf: encoded[event.split...])
                }
                lines.withUnsafeBytes { raw in
                    Digest32.sha256(UnsafeRawBufferPointer(rebasing: raw[lineStart...])).append(to: &digests)
                }
                lines.append(0x0A)
                positions.append(next)
                versions.append(version)
                batchStreams.append(event.stream)
                indexIDs.append(event.id)
                next += 1
            }
            accepted.append(Accepted(pending: pending, positions: positions, versions: versions))
        }

        if !accepted.isEmpty {
            let count = UInt32(next - head.position - 1)
            do throws(EventLogError) {
                let location = try writeBatch(firstPosition: head.position + 1, count: count, committedAt: committedAt)
                head = LogHead(position: location.lastPosition, batchHash: location.batchHash, committedAt: committedAt)
                for item in accepted { item.pending.onCommit?(item.positions) }
                table.append(location, head: head)
                let (numbers, newStreams) = streamIndex.record(firstPosition: location.firstPosition, streams: batchStreams)
                onCommit(IndexEntry(location: location, ids: indexIDs, streamNumbers: numbers, newStreams: newStreams))
                headSignal.advance(to: head.position)
            } catch {
                fail(error, accepted: accepted)
                for (pending, _) in duplicates { pending.resume(throwing: .logFailed(error.description)) }
                return
            }
        }
        for item in accepted {
            item.pending.resume(
                returning: .written(positions: item.positions, versions: item.versions, ids: item.pending.events.map(\.id)))
        }
        for (pending, positions) in duplicates {
            pending.resume(returning: .duplicate(positions: positions, ids: pending.events.map(\.id)))
        }
    }

    /// Compresses, hashes and writes the batch in `lines`; returns where it went once durable.
    private func writeBatch(firstPosition: UInt64, count: UInt32, committedAt: Timestamp) throws(EventLogError) -> BatchLocation {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: repeatElement(0, count: BatchHeader.encodedSize))
        let frameBytes = lines.withUnsafeBytes { compressor.compress($0, appendingTo: &scratch) }
        let frameCRC = scratch.withUnsafeBytes { raw in
            tl_crc32cValue(UnsafeRawBufferPointer(rebasing: raw[BatchHeader.encodedSize...]))
        }
        let contentDigest = digests.withUnsafeBytes { Digest32.sha256($0) }
        let batchHash = BatchHeader.chainHash(
            previous: head.batchHash, firstPosition: firstPosition, eventCount: count, committedAt: committedAt,
            contentDigest: contentDigest)
        let header = BatchHeader(
            firstPosition: firstPosition, eventCount: count, rawBytes: UInt32(lines.count), frameBytes: UInt32(frameBytes),
            frameCRC: frameCRC, committedAt: committedAt, previousHash: head.batchHash, contentDigest: contentDigest,
            batchHash: batchHash)
        var encodedHeader: [UInt8] = []
        encodedHeader.reserveCapacity(BatchHeader.encodedSize)
        header.encode(into: &encodedHeader)
        scratch.replaceSubrange(0..<BatchHeader.encodedSize, with: encodedHeader)

        let limits = options.limits
        if !segment.fits(scratch.count, segmentBytesMax: limits.segmentBytesMax) {
            try segment.seal()
            segment = try ActiveSegment.create(
                paths: paths, base: firstPosition, preallocationBytes: options.preallocationBytes,
                segmentBytesMax: limits.segmentBytesMax)
            options.logger.info("started segment", metadata: ["segment": "\(SegmentName.fileName(base: firstPosition))"])
        }
        let offset = segment.dataEnd
        try segment.write(batch: &scratch, preallocationBytes: options.preallocationBytes, segmentBytesMax: limits.segmentBytesMax)
        let flushStarted = ContinuousClock.now
        if options.durability == .fsync { try segment.file.syncData() }
        let flushed = ContinuousClock.now - flushStarted
        statistics.value.withLock {
            $0.record(
                events: count, bytes: scratch.count,
                flushSeconds: Double(flushed.components.seconds) + Double(flushed.components.attoseconds) / 1e18)
        }
        return BatchLocation(
            firstPosition: firstPosition, eventCount: count, segment: segment.base, offset: offset,
            storedBytes: Int32(scratch.count), committedAt: committedAt, batchHash: batchHash)
    }

    /// After a failed write the file's state is unknown: refuse everything until the log is reopened
    /// (and recovery decides what is on disk), as databases do after an fsync error.
    private func fail(_ error: EventLogError, accepted: [Accepted]) {
        options.logger.critical("log write failed; refusing appends until reopened", metadata: ["error": "\(error)"])
        let queued = lock.withLock { () -> [Pending] in
            failure = error
            let queued = queue
            queue = []
            return queued
        }
        for item in accepted { item.pending.resume(throwing: error) }
        for pending in queued { pending.resume(throwing: .logFailed(error.description)) }
    }
}

/// Collects the outcomes of a group of appends handed to the writer together and resumes their one
/// waiting task when the last is known: one wake-up for the group instead of one per append.
final class GroupCompletion: Sendable {
    private struct State {
        var results: [Result<GroupCommitWriter.Outcome, EventLogError>?]
        var remaining: Int
    }

    private let state: Mutex<State>
    private let continuation: UnsafeContinuation<[Result<GroupCommitWriter.Outcome, EventLogError>], Never>

    init(count: Int, continuation: UnsafeContinuation<[Result<GroupCommitWriter.Outcome, EventLogError>], Never>) {
        state = Mutex(State(results: Array(repeating: nil, count: count), remaining: count))
        self.continuation = continuation
    }

    func complete(_ index: Int, _ result: Result<GroupCommitWriter.Outcome, EventLogError>) {
        let finished = state.withLock { state -> [Result<GroupCommitWriter.Outcome, EventLogError>]? in
            precondition(state.results[index] == nil, "append \(index) of a group completed twice")
            state.results[index] = result
            state.remaining -= 1
            return state.remaining == 0 ? state.results.map { $0! } : nil
        }
        if let finished { continuation.resume(returning: finished) }
    }
}

@inline(__always)
func tl_crc32cValue(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
    tl_crc32c(0, bytes.baseAddress, bytes.count)
}
