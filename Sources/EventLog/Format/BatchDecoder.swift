/// The events of one batch, decoded.
struct DecodedBatch: Sendable {
    let header: BatchHeader
    let events: [RecordedEvent]
    let raw: SharedBytes
    /// The redacted events of the batch: their positions and the positions of the records that
    /// ordered their redaction (docs/auditing.md).
    var redactions: [Redaction] = []

    struct Redaction: Sendable, Equatable {
        let position: UInt64
        let record: UInt64

        /// What a stored line says of its redaction.
        enum OfLine {
            case notRedacted
            /// Redacted, keeping the digest of the line as first written: it stands in the batch's content
            /// digest, so the chain still verifies (docs/auditing.md).
            case redacted(Redaction, keptDigest: Digest32)
            /// Its `redacteddigest` or `redactedby` is malformed.
            case malformed
        }

        /// The redaction attributes of the line at `position` whose envelope fields are `fields`.
        static func of(_ fields: EnvelopeCodec.Fields, in bytes: UnsafeRawBufferPointer, at position: UInt64) -> OfLine {
            guard let kept = fields.redactedDigest else { return .notRedacted }
            guard kept.count == 66,
                let digest = Digest32(
                    hex: String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(kept.lowerBound + 1)..<(kept.upperBound - 1)]), as: UTF8.self)),
                let record = fields.redactedBy, record > position
            else { return .malformed }
            return .redacted(Redaction(position: position, record: record), keptDigest: digest)
        }
    }
}

/// Turns a batch's LZ4 frame into events and checks that they are the events its header promises.
/// Holds a decompression context: one per thread or reader.
/// Sendable so a pool can hand it between threads; it is used by one thread at a time.
final class BatchDecoder: @unchecked Sendable {
    private let decompressor = LZ4FrameDecompressor()
    /// Scratch space for the line digests, reused from batch to batch.
    private var digests: [UInt8] = []

    /// Why a batch did not decode.
    struct Failure: Error {
        let reason: String
        /// The frame's CRC did not match: the bytes are not what was written (or the write was torn; the
        /// verifier tells which from what follows).
        var isFrameChecksum = false
    }

    /// Decompresses and decodes; checks the line count and that positions run on from the header's.
    /// With `checkDigest`, also recomputes the content digest and compares it with the header's.
    func decode(_ header: BatchHeader, frame: UnsafeRawBufferPointer, checkDigest: Bool) -> Result<DecodedBatch, Failure> {
        let raw: [UInt8]
        switch decompressor.decompress(frame, expectedBytes: Int(header.rawBytes)) {
        case .success(let bytes): raw = bytes
        case .failure(let failure): return .failure(Failure(reason: failure.reason))
        }
        let storage = SharedBytes(raw)
        var events: [RecordedEvent] = []
        events.reserveCapacity(Int(header.eventCount))
        var redactions: [DecodedBatch.Redaction] = []
        let failure = raw.withUnsafeBytes { bytes in
            BatchLines.scan(bytes, header: header, parseID: true, checkDigest: checkDigest, digests: &digests, redactions: &redactions) {
                line, fields, position in
                events.append(
                    RecordedEvent(
                        position: position, streamVersion: fields.streamVersion!, id: fields.id!, time: header.committedAt,
                        storage: storage, lineRange: line, typeRange: fields.type!, streamRange: fields.subject!, dataRange: fields.data!))
            }
        }
        if let failure { return .failure(Failure(reason: failure)) }
        return .success(DecodedBatch(header: header, events: events, raw: storage, redactions: redactions))
    }
}

@inline(__always)
func firstNewline(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
    guard start < bytes.count else { return nil }
    guard let found = memchr(bytes.baseAddress! + start, 0x0A, bytes.count - start) else { return nil }
    return bytes.baseAddress!.distance(to: UnsafeRawPointer(found))
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
