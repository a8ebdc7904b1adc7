import Dispatch
import Foundation
import Synchronization

/// Checks a workspace's log end to end, offline, from the segment files alone (no index, no server):
/// every header and frame checksum, the LZ4 content checksums, every event line's digest, the hash
/// chain from the genesis hash to the head, gap-free positions, commit times that never go back, and
/// stream versions that grow by one.
///
/// ```swift
/// let report = try LogVerifier(dataDirectory: "./taskledger-data", workspace: "acme").verify()
/// if let problem = report.problem { print("first bad batch at position \(problem.position)") }
/// ```
public struct LogVerifier: Sendable {
    public let workspace: String
    let paths: LogPaths

    public init(dataDirectory: String, workspace: String) throws(EventLogError) {
        try EventLog.validateWorkspaceName(workspace)
        self.workspace = workspace
        paths = LogPaths(dataDirectory: dataDirectory, workspace: workspace)
    }

    /// A verifier of the segments in `logDirectory` (a backup's `log/`, say), which belong to `workspace`:
    /// the genesis hash depends on the workspace's name.
    public init(logDirectory: String, workspace: String) throws(EventLogError) {
        try EventLog.validateWorkspaceName(workspace)
        self.workspace = workspace
        paths = LogPaths(directory: logDirectory)
    }

    /// The log directory this verifier reads.
    public var directory: String { paths.directory }

    /// Walks the whole log. A damaged log is a *result* (`report.problem`), not a thrown error; only
    /// failing to read at all (missing workspace, I/O error) throws.
    ///
    /// Batches are read in order and checked in chunks: decompression, envelope decoding and the line
    /// digests of a chunk's batches run on all cores at once (they are independent); the chain, positions,
    /// commit times and stream versions are then checked in order, so the first bad batch is the one named.
    ///
    /// - Parameters:
    ///   - resuming: where an earlier verification stopped (`report.resumeState`): only the batches after it
    ///     are read, after checking that the batch it ended with is still there, unchanged. Nil: from genesis.
    ///   - watching: positions whose chain hash to report (`report.hashes`) when a batch ends there: how a
    ///     signed checkpoint is compared with the log.
    public func verify(
        resuming: VerificationState? = nil, watching: Set<UInt64> = [], progress: ((VerificationReport) -> Void)? = nil
    ) throws(EventLogError) -> VerificationReport {
        var checksumFailure: ScannedBatch?
        var report = try scan(resuming: resuming, watching: watching, progress: progress, checksumFailure: &checksumFailure)
        // A frame whose CRC fails is damage, unless it is the torn tail of the last segment (an unfinished
        // write, never acknowledged): the same distinction the reading cursor makes where it checks CRCs.
        if let batch = checksumFailure, let problem = report.problem {
            let segments = try SegmentName.list(in: paths.directory)
            let cursor = try SegmentCursor(file: try FileHandle.open(paths.segment(batch.segment), writable: false))
            if try cursor.isTornTail(
                at: batch.offset, header: batch.header, inLastSegment: batch.segment == segments.last,
                writeBytesMax: SegmentCursor.writeBytesMax(EventLogLimits()))
            {
                report.problem = nil
                report.tornTail = problem
            }
        }
        return report
    }

    private func scan(
        resuming: VerificationState?, watching: Set<UInt64>, progress: ((VerificationReport) -> Void)?, checksumFailure: inout ScannedBatch?
    ) throws(EventLogError) -> VerificationReport {
        var chain = ChainCheck()
        var report = VerificationReport(head: LogHead(position: 0, batchHash: BatchHeader.genesisHash(workspace: workspace), committedAt: nil))
        var startSegment: UInt64 = 0
        var startOffset: Int64 = 0
        if let resuming {
            guard resuming.workspace == workspace else {
                throw .invalidInput(reason: "the saved verification state is of workspace \(quoted(resuming.workspace))")
            }
            chain.streams = resuming.streams
            chain.redacted = Set(resuming.redactedPositions)
            report.resume(from: resuming)
            startSegment = resuming.segment
            startOffset = resuming.offset
        }
        var chunk: [ScannedBatch] = []
        // The chunk's frames, back to back: one buffer instead of an array per batch.
        var frames: [UInt8] = []
        frames.reserveCapacity(ScannedBatch.chunkBytesMax + (1 << 20))
        // A pipeline: while the cores check one chunk's frames, this thread reads the next chunk and runs
        // the in-order checks of the previous one.
        var inFlight: ChunkCheck?
        var spare: [UInt8] = []

        /// Starts checking the gathered chunk in the background; then finishes the chunk before it.
        /// Returns false (with `report.problem` set) at the first bad batch.
        func submit() -> Bool {
            guard !chunk.isEmpty else { return drain() }
            let started = ChunkCheck(batches: chunk, frames: frames)
            chunk = []
            frames = []
            let ok = drain()
            // Gather into the buffer the finished chunk gave back: two buffers in turn, not a fresh one per
            // chunk (fresh megabytes cost page faults: ~10 % of a verification).
            frames = spare
            spare = []
            frames.removeAll(keepingCapacity: true)
            frames.reserveCapacity(ScannedBatch.chunkBytesMax + (1 << 20))
            inFlight = started
            return ok
        }

        /// Waits for the chunk in flight and runs the in-order checks on it.
        func drain() -> Bool {
            guard let job = inFlight else { return true }
            inFlight = nil
            let results = job.wait()
            spare = job.takeFrames()
            for (batch, result) in zip(job.batches, results) {
                let reason: String?
                switch result {
                case .failure(let failure):
                    reason = failure.reason
                    if failure.isFrameChecksum { checksumFailure = batch }
                case .success(let checked): reason = chain.accept(batch, checked, head: report.head)
                }
                if let reason {
                    report.problem = BadBatch(
                        position: batch.header.firstPosition, segment: SegmentName.fileName(base: batch.segment), offset: batch.offset,
                        reason: reason)
                    return false
                }
                report.record(batch.header)
                report.end = (batch.segment, batch.offset + Int64(batch.header.storedBytes))
                if watching.contains(batch.header.lastPosition) { report.hashes[batch.header.lastPosition] = batch.header.batchHash }
                report.streams = chain.streams.count
                if report.batches % 1_024 == 0 { progress?(report) }
            }
            return true
        }

        /// Checks everything gathered so far, in order.
        func flushAll() -> Bool {
            guard submit() else {
                _ = inFlight?.wait()
                return false
            }
            return drain()
        }

        guard Directory.isDirectory(paths.directory) else { throw .workspaceNotFound(workspace) }
        let segments = try SegmentName.list(in: paths.directory)
        report.segments = segments.count
        if let resuming, let problem = try checkResumePoint(resuming, segments: segments) {
            report.problem = problem
            return report
        }
        for (number, base) in segments.enumerated() where base >= startSegment {
            let file = try FileHandle.open(paths.segment(base), writable: false)
            var cursor = try SegmentCursor(file: file, startingAt: base == startSegment ? startOffset : 0)
            cursor.checksFrames = false
            var submitFailed = false
            let walked = try cursor.walk(
                inLastSegment: number == segments.count - 1
            ) { (header, offset, frame) throws(EventLogError) -> BatchVisit in
                chunk.append(ScannedBatch(header: header, frameStart: frames.count, segment: base, offset: offset))
                frames.append(contentsOf: frame)
                guard frames.count < ScannedBatch.chunkBytesMax || submit() else {
                    submitFailed = true
                    return .stop
                }
                return .next
            }
            if submitFailed {
                _ = inFlight?.wait()
                return report
            }
            switch walked {
            case .complete, .stopped: continue
            case .tornTail(let damage), .damaged(let damage):
                guard flushAll() else { return report }
                let location = BadBatch(
                    position: damage.header?.firstPosition ?? report.head.position + 1, segment: SegmentName.fileName(base: base),
                    offset: damage.offset, reason: damage.reason)
                if case .tornTail = walked { report.tornTail = location } else { report.problem = location }
                return report
            }
        }
        guard flushAll() else { return report }
        if let (record, positions) = chain.awaiting.min(by: { $0.key < $1.key }) {
            // Redacted lines name a record the log does not hold (it would have been checked on the way).
            report.problem = BadBatch(
                position: positions.min() ?? 0, segment: "", offset: -1,
                reason: "event \(positions.min() ?? 0) is redacted by record \(record), which is not an EventsRedacted record of the log")
            return report
        }
        report.redactedPositions = chain.redacted.sorted()
        report.redactionRecords += chain.records
        report.pendingRedactions = chain.pending.sorted()
        report.streamVersions = chain.streams
        return report
    }

    /// Nil when the batch a saved state ended with is still where it was, with the same chain hash.
    private func checkResumePoint(_ state: VerificationState, segments: [UInt64]) throws(EventLogError) -> BadBatch? {
        guard state.headPosition > 0 else { return nil }
        let where_ = SegmentName.fileName(base: state.segment)
        guard segments.contains(state.segment) else {
            return BadBatch(position: state.headPosition, segment: where_, offset: state.offset, reason: "the segment verified last time is gone")
        }
        let file = try FileHandle.open(paths.segment(state.segment), writable: false)
        let headerOffset = state.offset - Int64(state.lastBatchBytes)
        guard headerOffset >= 0, try file.size() >= state.offset else {
            return BadBatch(
                position: state.headPosition, segment: where_, offset: state.offset, reason: "the segment is shorter than when it was verified")
        }
        let bytes = try file.read(count: BatchHeader.encodedSize, at: headerOffset)
        let decoded = bytes.withUnsafeBytes { BatchHeader.decode($0) }
        guard case .header(let header) = decoded, header.lastPosition == state.headPosition, header.batchHash.description == state.headHash,
            header.storedBytes == state.lastBatchBytes
        else {
            return BadBatch(
                position: state.headPosition, segment: where_, offset: headerOffset,
                reason: "the batch verified last time at this offset has changed (run a full verify)")
        }
        return nil
    }

    /// Reads every batch header (and frame checksum) without decompressing: for `dump` and `stats`.
    public func inspect(_ body: (BatchSummary) -> Void) throws(EventLogError) -> VerificationReport {
        var report = VerificationReport(head: LogHead(position: 0, batchHash: BatchHeader.genesisHash(workspace: workspace), committedAt: nil))
        try walk(into: &report) { (header, _, segment, offset, _) throws(EventLogError) -> String? in
            body(
                BatchSummary(
                    segment: SegmentName.fileName(base: segment), offset: offset, firstPosition: header.firstPosition,
                    eventCount: Int(header.eventCount), rawBytes: Int(header.rawBytes), storedBytes: header.storedBytes,
                    committedAt: header.committedAt, previousHash: header.previousHash, contentDigest: header.contentDigest,
                    batchHash: header.batchHash))
            return nil
        }
        return report
    }

    /// Walks every batch of every segment in order; `check` returns a reason when a batch is bad.
    private func walk(
        into report: inout VerificationReport,
        _ check: (BatchHeader, UnsafeRawBufferPointer, UInt64, Int64, inout VerificationReport) throws(EventLogError) -> String?
    ) throws(EventLogError) {
        guard Directory.isDirectory(paths.directory) else { throw .workspaceNotFound(workspace) }
        let segments = try SegmentName.list(in: paths.directory)
        report.segments = segments.count
        for (number, base) in segments.enumerated() {
            let file = try FileHandle.open(paths.segment(base), writable: false)
            var cursor = try SegmentCursor(file: file)
            let walked = try cursor.walk(
                inLastSegment: number == segments.count - 1
            ) { (header, offset, frame) throws(EventLogError) -> BatchVisit in
                if let reason = try check(header, frame, base, offset, &report) { return .reject(reason: reason) }
                report.record(header)
                return .next
            }
            switch walked {
            case .complete, .stopped: continue
            case .tornTail(let damage), .damaged(let damage):
                let location = BadBatch(
                    position: damage.header?.firstPosition ?? report.head.position + 1, segment: SegmentName.fileName(base: base),
                    offset: damage.offset, reason: damage.reason)
                if case .tornTail = walked { report.tornTail = location } else { report.problem = location }
                return
            }
        }
    }
}

/// What `LogVerifier` found.
public struct VerificationReport: Sendable {
    public var events: UInt64 = 0
    public var batches = 0
    public var segments = 0
    public var streams = 0
    /// Bytes of the event lines before compression.
    public var rawBytes: UInt64 = 0
    /// Bytes in the segments (headers and frames; pre-allocated space excluded).
    public var storedBytes: UInt64 = 0
    /// The last good batch.
    public var head: LogHead
    /// The first damaged batch: the log is corrupt from here on.
    public var problem: BadBatch?
    /// An unfinished final write (never acknowledged); the next open cuts it off.
    public var tornTail: BadBatch?
    /// The chain hash at each watched position where a batch ends.
    public var hashes: [UInt64: Digest32] = [:]
    /// Events whose payload was redacted (each backed by an `EventsRedacted` record of the log).
    public var redactedPositions: [UInt64] = []
    /// `EventsRedacted` records read.
    public var redactionRecords = 0
    /// Positions an `EventsRedacted` record lists whose events are not redacted yet (an interrupted
    /// `taskledger redact`; `taskledger redact --resume` finishes it).
    public var pendingRedactions: [UInt64] = []
    /// The segment and the offset just after the last good batch (for `resumeState`).
    var end: (segment: UInt64, offset: Int64) = (0, 0)
    var lastBatchBytes = 0
    var streamVersions: [String: UInt64] = [:]

    public var isIntact: Bool { problem == nil }
    /// Stored bytes per raw JSON byte.
    public var storedPerRawByte: Double { rawBytes == 0 ? 0 : Double(storedBytes) / Double(rawBytes) }
}

/// Where a log is damaged, and how.
public struct BadBatch: Sendable, Equatable, CustomStringConvertible {
    public var position: UInt64
    public var segment: String
    public var offset: Int64
    public var reason: String

    public var description: String { "batch at position \(position) (\(segment), offset \(offset)): \(reason)" }
}

/// One batch's header, as `taskledger log dump` prints it.
public struct BatchSummary: Sendable {
    public var segment: String
    public var offset: Int64
    public var firstPosition: UInt64
    public var eventCount: Int
    public var rawBytes: Int
    public var storedBytes: Int
    public var committedAt: Timestamp
    public var previousHash: Digest32
    public var contentDigest: Digest32
    public var batchHash: Digest32

    public var lastPosition: UInt64 { firstPosition + UInt64(eventCount) - 1 }
}

extension VerificationReport {
    /// Counts a good batch and moves the head to it.
    mutating func record(_ header: BatchHeader) {
        lastBatchBytes = header.storedBytes
        batches += 1
        events += UInt64(header.eventCount)
        rawBytes += UInt64(header.rawBytes)
        storedBytes += UInt64(header.storedBytes)
        head = LogHead(position: header.lastPosition, batchHash: header.batchHash, committedAt: header.committedAt)
    }
}

/// A batch read by the verifier: its header, and where its frame is in the chunk's buffer.
struct ScannedBatch: Sendable {
    let header: BatchHeader
    let frameStart: Int
    let segment: UInt64
    let offset: Int64

    /// How many frame bytes the verifier gathers before checking them in parallel (bounds its memory).
    static let chunkBytesMax = 8 << 20

    /// Decompresses and checks the line and content digests of every batch, on all cores; each worker
    /// takes every n-th batch and fills its own slots of the result.
    static func checkInParallel(_ batches: [ScannedBatch], frames: [UInt8]) -> [Result<CheckedBatch, BatchDecoder.Failure>] {
        let slots = ResultSlots(count: batches.count)
        let workers = max(1, min(batches.count, ProcessInfo.processInfo.activeProcessorCount))
        frames.withUnsafeBytes { bytes in
            let frameBytes = UncheckedSendable(bytes)
            let work: @Sendable (Int) -> Void = { worker in
                let checker = BatchChecker()
                for index in stride(from: worker, to: batches.count, by: workers) {
                    let batch = batches[index]
                    let frame = UnsafeRawBufferPointer(
                        rebasing: frameBytes.value[batch.frameStart..<(batch.frameStart + Int(batch.header.frameBytes))])
                    slots.set(index, checker.check(batch.header, frame: frame))
                }
            }
            // Threads of its own, not `concurrentPerform`: called from a dispatch worker while the pool's
            // other threads were busy, it ran every iteration on the calling thread (one core of two did
            // 82 % of a verification).
            let done = DispatchGroup()
            for worker in 1..<workers {
                done.enter()
                Thread {
                    work(worker)
                    done.leave()
                }.start()
            }
            work(0)
            done.wait()
        }
        return slots.take()
    }
}

/// One chunk being checked on a background thread (which spreads it over all cores).
private final class ChunkCheck: @unchecked Sendable {
    let batches: [ScannedBatch]
    private let done = DispatchSemaphore(value: 0)
    // Read by the background thread until `done` is signalled; taken back for reuse after `wait`.
    private var frames: [UInt8]
    // Written once by the background thread before `done` is signalled, read after `wait`.
    private var results: [Result<CheckedBatch, BatchDecoder.Failure>] = []

    init(batches: [ScannedBatch], frames: [UInt8]) {
        self.batches = batches
        self.frames = frames
        DispatchQueue.global().async { [self] in
            results = ScannedBatch.checkInParallel(batches, frames: self.frames)
            done.signal()
        }
    }

    /// The results, once the check is done (call once).
    func wait() -> [Result<CheckedBatch, BatchDecoder.Failure>] {
        done.wait()
        return results
    }

    /// The frames buffer, for the next chunk (after `wait`).
    func takeFrames() -> [UInt8] {
        defer { frames = [] }
        return frames
    }
}

/// Result slots that parallel workers fill, each a slot of its own (no lock: no two write the same).
private final class ResultSlots: @unchecked Sendable {
    private let pointer: UnsafeMutablePointer<Result<CheckedBatch, BatchDecoder.Failure>?>
    private let count: Int

    init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: count)
        pointer.initialize(repeating: nil, count: count)
    }

    func set(_ index: Int, _ value: Result<CheckedBatch, BatchDecoder.Failure>) { pointer[index] = value }

    func take() -> [Result<CheckedBatch, BatchDecoder.Failure>] { (0..<count).map { pointer[$0]! } }

    deinit {
        pointer.deinitialize(count: count)
        pointer.deallocate()
    }
}

/// A value handed to parallel workers that only read it while the caller keeps it alive.
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// The checks that need batches in order: positions, segment names, the hash chain, commit times,
/// stream versions that grow by one, and that every redacted event is backed by a later
/// `EventsRedacted` record listing it.
struct ChainCheck {
    var streams: [String: UInt64] = [:]
    /// Positions of redacted events seen.
    var redacted: Set<UInt64> = []
    /// Record position → the redacted events that name it and are waiting for it.
    var awaiting: [UInt64: Set<UInt64>] = [:]
    /// `EventsRedacted` records seen, and the positions they list whose events are not redacted.
    var records = 0
    var pending: Set<UInt64> = []

    /// Nil when `batch` continues the chain that ends at `head`; otherwise why not.
    mutating func accept(_ batch: ScannedBatch, _ checked: CheckedBatch, head: LogHead) -> String? {
        let header = batch.header
        guard header.firstPosition == head.position + 1 else {
            return "batch starts at position \(header.firstPosition), expected \(head.position + 1)"
        }
        guard batch.offset > 0 || header.firstPosition == batch.segment else { return "segment name does not match its first position" }
        guard header.previousHash == head.batchHash else {
            return "previous-batch hash \(header.previousHash) does not match the chain (\(head.batchHash))"
        }
        if let last = head.committedAt, header.committedAt < last { return "commit time goes backwards" }
        guard checked.batchHashMatches else { return "batch hash does not match its contents" }
        // Versions are written into the map as they are checked: a failure ends the verification, so no
        // batch's half-applied versions are ever used.
        for (index, stream) in checked.streams.enumerated() {
            let version = checked.versions[index]
            let ok = streams.withValue(for: stream) { current in
                guard version == current + 1 else { return false }
                current = version
                return true
            }
            guard ok else {
                return
                    "event \(header.firstPosition + UInt64(index)): stream \(quoted(stream)) goes from version \(streams[stream] ?? 0) to \(version)"
            }
        }
        for redaction in checked.redactions {
            redacted.insert(redaction.position)
            awaiting[redaction.record, default: []].insert(redaction.position)
        }
        for (position, data) in checked.records {
            guard let record = RedactionRecord(json: data) else {
                return "event \(position): an EventsRedacted record whose data does not list positions"
            }
            if let waiting = awaiting.removeValue(forKey: position), !waiting.isSubset(of: Set(record.positions)) {
                return
                    "event \(position): redacted events \(waiting.subtracting(record.positions).sorted()) name this record, which does not list them"
            }
            records += 1
            pending.formUnion(record.positions.filter { !redacted.contains($0) })
        }
        if !awaiting.isEmpty, let waiting = awaiting.first(where: { $0.key <= header.lastPosition }) {
            return "event \(waiting.value.min() ?? 0) is redacted by record \(waiting.key), which is not an EventsRedacted record"
        }
        return nil
    }
}

extension Dictionary where Value == UInt64 {
    /// Runs `body` on the value for `key` (0 when absent) in place, storing what it leaves; one hash lookup.
    fileprivate mutating func withValue(for key: Key, _ body: (inout UInt64) -> Bool) -> Bool {
        body(&self[key, default: 0])
    }
}
