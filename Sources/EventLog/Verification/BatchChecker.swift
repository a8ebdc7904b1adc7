/// What the verifier needs of one batch, found without building events: each event's stream and
/// version (for the in-order version check), its redaction attributes, and the payloads of
/// `EventsRedacted` records. The line digests and the content digest are checked here.
struct CheckedBatch: Sendable {
    var streams: [String] = []
    var versions: [UInt64] = []
    var redactions: [DecodedBatch.Redaction] = []
    /// (position, data) of each `EventsRedacted` record on stream `redaction`.
    var records: [(position: UInt64, data: [UInt8])] = []
    /// Whether the header's batch hash is the hash of its fields.
    var batchHashMatches = false
}

/// The verifier's decoder: decompresses into a buffer it reuses, scans each line's envelope fields
/// without parsing ids or making `RecordedEvent`s, and recomputes the line digests and the content
/// digest. One per thread. (`BatchDecoder` makes events for readers; this makes only what the checks need,
/// which is most of the difference between verifying at ~170k and at several hundred thousand events/s.)
final class BatchChecker {
    /// Without LZ4's XXH32: the frame CRC and the line digests below prove the content (see
    /// `LZ4FrameDecompressor.init(checksContent:)`).
    private let decompressor = LZ4FrameDecompressor(checksContent: false)
    private var raw: [UInt8] = []
    private var digests: [UInt8] = []
    private static let recordType = Array("\"\(RedactionRecord.eventType)\"".utf8)
    private static let recordStream = Array("\"\(RedactionRecord.stream)\"".utf8)

    func check(_ header: BatchHeader, frame: UnsafeRawBufferPointer) -> Result<CheckedBatch, BatchDecoder.Failure> {
        guard tl_crc32cCheck(frame, header.frameCRC) else { return .failure(.init(reason: "frame checksum mismatch", isFrameChecksum: true)) }
        if let failure = decompressor.decompress(frame, expectedBytes: Int(header.rawBytes), into: &raw) {
            return .failure(.init(reason: failure.reason))
        }
        var checked = CheckedBatch()
        // The batch hash depends on the header alone, so it is recomputed here, off the reading thread;
        // `ChainCheck` reports a mismatch in its place among the in-order checks.
        checked.batchHashMatches =
            BatchHeader.chainHash(
                previous: header.previousHash, firstPosition: header.firstPosition, eventCount: header.eventCount,
                committedAt: header.committedAt, contentDigest: header.contentDigest) == header.batchHash
        checked.streams.reserveCapacity(Int(header.eventCount))
        checked.versions.reserveCapacity(Int(header.eventCount))
        let failure = raw.withUnsafeBytes { bytes in
            BatchLines.scan(bytes, header: header, parseID: false, checkDigest: true, digests: &digests, redactions: &checked.redactions) {
                line, fields, position in
                let subject = fields.subject!
                checked.streams.append(JSONText.decodeString(bytes, subject) ?? "")
                checked.versions.append(fields.streamVersion!)
                let type = fields.type!
                if type.count == Self.recordType.count, subject.count == Self.recordStream.count,
                    bytes[type].elementsEqual(Self.recordType), bytes[subject].elementsEqual(Self.recordStream)
                {
                    checked.records.append((position, Array(bytes[fields.data!])))
                }
            }
        }
        if let failure { return .failure(.init(reason: failure)) }
        return .success(checked)
    }
}
