import CSupport

/// Removes personal data from stored events while the hash chain still verifies (docs/auditing.md).
///
/// A redacted event line keeps its envelope (id, type, stream, time, position, version, extensions)
/// and its payload's shape; the strings at the given JSON Pointers become `"[redacted]"`, and two
/// extension attributes are added: `redacteddigest`, the SHA-256 of the line as first written (which the
/// batch's content digest was computed from, so the chain is unchanged), and `redactedby`, the position
/// of the `EventsRedacted` record that ordered it. Only the LZ4 frame and the header's size and checksum
/// fields of the batches concerned change.
///
/// It works offline: it takes the log's lock, so the server must not have the workspace open.
///
/// ```swift
/// let redactor = try LogRedactor(dataDirectory: data, workspace: "acme")
/// let record = try await redactor.record(RedactionRecord(positions: [12], fields: ["12": ["/email"]], reason: "erasure", orderedBy: "m_1"))
/// let result = try redactor.apply(record)
/// ```
public struct LogRedactor: Sendable {
    public let workspace: String
    let dataDirectory: String
    let paths: LogPaths
    let options: EventLogOptions

    public init(dataDirectory: String, workspace: String, options: EventLogOptions = EventLogOptions()) throws(EventLogError) {
        try EventLog.validateWorkspaceName(workspace)
        self.workspace = workspace
        self.dataDirectory = dataDirectory
        self.options = options
        paths = LogPaths(dataDirectory: dataDirectory, workspace: workspace)
    }

    /// What `apply` changed.
    public struct Result: Sendable, Equatable {
        /// The record's position.
        public var record: UInt64
        /// Events rewritten now (fewer than the record lists when some were redacted already).
        public var eventsRedacted: Int
        public var batchesRewritten: Int
        public var segmentsRewritten: Int
    }

    /// Checks that every pointer of `record` names a string of an existing event (nothing is written when
    /// one does not), then appends the record, durably, as event `EventsRedacted` on stream `redaction`
    /// with the `actor` extension set to `orderedBy`. Returns the record with its position.
    public func record(_ record: RedactionRecord) async throws(EventLogError) -> (position: UInt64, record: RedactionRecord) {
        guard !record.positions.isEmpty else { throw .invalidInput(reason: "a redaction names at least one event") }
        let log = try EventLog.open(dataDirectory: dataDirectory, workspace: workspace, options: options)
        do throws(EventLogError) {
            for position in record.positions {
                guard position >= 1, position <= log.head.position else {
                    throw .invalidInput(reason: "there is no event at position \(position)")
                }
                guard let event = try log.read(from: position, maxCount: 1).first else {
                    throw .invalidInput(reason: "there is no event at position \(position)")
                }
                if event.isInStream(RedactionRecord.stream) { throw .invalidInput(reason: "event \(position) is a redaction record") }
                let pointers = record.fields[String(position)] ?? []
                guard !pointers.isEmpty else { throw .invalidInput(reason: "no fields given for event \(position)") }
                do {
                    _ = try JSONPointerEdit.replacingStrings(in: Array(event.data), at: pointers, with: RedactionRecord.placeholder)
                } catch {
                    throw .invalidInput(reason: "event \(position): \(error.reason)")
                }
            }
            let result = try await log.append(
                AppendRequest(
                    stream: RedactionRecord.stream,
                    events: [
                        ProposedEvent(
                            stream: RedactionRecord.stream, type: RedactionRecord.eventType, data: record.encoded(),
                            extensions: [("actor", .string(record.orderedBy))])
                    ]))
            await log.close()
            return (result.firstPosition, record)
        } catch {
            await log.close()
            throw error
        }
    }

    /// Every `EventsRedacted` record of the log whose events are not all redacted yet: what a redaction
    /// interrupted between its record and its rewrite left to do.
    public func pending() throws(EventLogError) -> [(position: UInt64, record: RedactionRecord)] {
        var records: [(UInt64, RedactionRecord)] = []
        var redacted: Set<UInt64> = []
        try OfflineLogReader(logDirectory: paths.directory, workspace: workspace).forEachBatch { batch in
            for redaction in batch.redactions { redacted.insert(redaction.position) }
            for event in batch.events where event.hasType(RedactionRecord.eventType) && event.isInStream(RedactionRecord.stream) {
                if let record = RedactionRecord(json: event.data) { records.append((event.position, record)) }
            }
            return true
        }
        return records.filter { !Set($0.1.positions).isSubset(of: redacted) }
    }

    /// Rewrites the events `record` lists (the record must already be in the log at `position`), under
    /// the log's lock; removes the derived index so the next open rebuilds it from the segments.
    /// Idempotent: running it again rewrites the same bytes.
    public func apply(recordAt position: UInt64, _ record: RedactionRecord) throws(EventLogError) -> Result {
        let lock = try DirectoryLock(directory: paths.directory)
        defer { lock.release() }
        var result = Result(record: position, eventsRedacted: 0, batchesRewritten: 0, segmentsRewritten: 0)
        let wanted = Set(record.positions)
        let segments = try SegmentName.list(in: paths.directory)
        for (number, base) in segments.enumerated() {
            let next = number + 1 < segments.count ? segments[number + 1] : UInt64.max
            guard wanted.contains(where: { $0 >= base && $0 < next }) else { continue }
            let rewrite = try rewriteSegment(base, wanted: wanted, record: record, recordPosition: position)
            guard rewrite.batches > 0 else { continue }
            result.eventsRedacted += rewrite.events
            result.batchesRewritten += rewrite.batches
            result.segmentsRewritten += 1
        }
        if result.batchesRewritten > 0 {
            // The index records every batch's offset; the rewritten frames have other sizes. It is derived:
            // the next open rebuilds it from the segments.
            for suffix in ["", "-wal", "-shm"] { try Directory.remove(paths.index + suffix) }
            try Directory.sync(paths.directory)
        }
        return result
    }

    private func rewriteSegment(
        _ base: UInt64, wanted: Set<UInt64>, record: RedactionRecord, recordPosition: UInt64
    ) throws(EventLogError) -> (events: Int, batches: Int) {
        let path = paths.segment(base)
        let file = try FileHandle.open(path, writable: false)
        var cursor = try SegmentCursor(file: file)
        var out: [UInt8] = []
        var counts = (events: 0, batches: 0)
        let decoder = BatchDecoder()
        let compressor = LZ4FrameCompressor(level: 0)
        // Redaction runs on a log that recovery has opened: any damage here is corruption, never a torn tail.
        let walked = try cursor.walk(inLastSegment: false) {
            (header, offset, frame) throws(EventLogError) -> BatchVisit in
            let targets = wanted.filter { $0 >= header.firstPosition && $0 <= header.lastPosition }
            guard !targets.isEmpty else {
                header.encode(into: &out)
                out.append(contentsOf: frame)
                return .next
            }
            let decoded: DecodedBatch
            switch decoder.decode(header, frame: frame, checkDigest: true) {
            case .success(let batch): decoded = batch
            case .failure(let failure):
                throw .corrupted(
                    position: header.firstPosition, segment: SegmentName.fileName(base: base), offset: offset, reason: failure.reason)
            }
            var raw: [UInt8] = []
            raw.reserveCapacity(Int(header.rawBytes) + 256 * targets.count)
            var changed = 0
            for event in decoded.events {
                let line = Array(event.line)
                if targets.contains(event.position) {
                    let pointers = record.fields[String(event.position)] ?? []
                    let rewritten = try Self.redactedLine(line, pointers: pointers, recordPosition: recordPosition, position: event.position)
                    if rewritten != line { changed += 1 }
                    raw.append(contentsOf: rewritten)
                } else {
                    raw.append(contentsOf: line)
                }
                raw.append(UInt8(ascii: "\n"))
            }
            guard changed > 0 else {
                header.encode(into: &out)
                out.append(contentsOf: frame)
                return .next
            }
            var newFrame: [UInt8] = []
            _ = raw.withUnsafeBytes { compressor.compress($0, appendingTo: &newFrame) }
            var newHeader = header
            newHeader.rawBytes = UInt32(raw.count)
            newHeader.frameBytes = UInt32(newFrame.count)
            newHeader.frameCRC = newFrame.withUnsafeBytes { tl_crc32c(0, $0.baseAddress!, $0.count) }
            // Check before writing: the new batch must decode and carry the content digest it had.
            guard case .success = newFrame.withUnsafeBytes({ decoder.decode(newHeader, frame: $0, checkDigest: true) }) else {
                throw .invalidInput(reason: "the redacted batch at position \(header.firstPosition) does not verify; nothing was written")
            }
            newHeader.encode(into: &out)
            out.append(contentsOf: newFrame)
            counts.events += changed
            counts.batches += 1
            return .next
        }
        switch walked {
        case .complete, .stopped: break
        case .tornTail(let damage), .damaged(let damage):
            throw .corrupted(
                position: damage.header?.firstPosition ?? 0, segment: SegmentName.fileName(base: base), offset: damage.offset, reason: damage.reason)
        }
        guard counts.batches > 0 else { return counts }
        try DurableFile.replace(path, with: out)
        return counts
    }

    /// The line with the strings at `pointers` replaced and the redaction attributes set. A line redacted
    /// before keeps its first digest, and names the newer record.
    static func redactedLine(_ line: [UInt8], pointers: [String], recordPosition: UInt64, position: UInt64) throws(EventLogError) -> [UInt8] {
        let fields = line.withUnsafeBytes { EnvelopeCodec.decodeFields($0, line: 0..<line.count) }
        guard let fields, let time = fields.time, let data = fields.data else {
            throw .invalidInput(reason: "event \(position) is not a stored envelope")
        }
        var base = line
        var digestHex: String
        var dataRange = data
        var timeRange = time
        if let kept = fields.redactedDigest {
            // Written by us as `,"redacteddigest":"…","redactedby":N` right before `,"time"`: cut it out.
            digestHex = String(decoding: line[(kept.lowerBound + 1)..<(kept.upperBound - 1)], as: UTF8.self)
            let cutStart = kept.lowerBound - Self.digestKey.count
            let cutEnd = time.lowerBound - Self.timeKey.count
            guard cutStart >= 0, cutEnd > cutStart else { throw .invalidInput(reason: "event \(position): unexpected redaction attributes") }
            base.removeSubrange(cutStart..<cutEnd)
            dataRange = (data.lowerBound - (cutEnd - cutStart))..<(data.upperBound - (cutEnd - cutStart))
            timeRange = (time.lowerBound - (cutEnd - cutStart))..<(time.upperBound - (cutEnd - cutStart))
        } else {
            digestHex = line.withUnsafeBytes { Digest32.sha256($0) }.description
        }
        let newData: [UInt8]
        do {
            newData = try JSONPointerEdit.replacingStrings(in: Array(base[dataRange]), at: pointers, with: RedactionRecord.placeholder)
        } catch {
            throw .invalidInput(reason: "event \(position): \(error.reason)")
        }
        let insertAt = timeRange.lowerBound - Self.timeKey.count
        guard insertAt > 0, Array(base[insertAt..<timeRange.lowerBound]) == Self.timeKey else {
            throw .invalidInput(reason: "event \(position) is not a stored envelope")
        }
        var out: [UInt8] = []
        out.reserveCapacity(base.count + 128)
        out.append(contentsOf: base[..<insertAt])
        out.append(contentsOf: Self.digestKey)
        out.append(contentsOf: "\"\(digestHex)\",\"redactedby\":\(recordPosition)".utf8)
        out.append(contentsOf: base[insertAt..<dataRange.lowerBound])
        out.append(contentsOf: newData)
        out.append(contentsOf: base[dataRange.upperBound...])
        return out
    }

    private static let timeKey = Array(#","time":"#.utf8)
    private static let digestKey = Array(#","redacteddigest":"#.utf8)
}
