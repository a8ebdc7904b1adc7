/// The checks every reader of a batch's decompressed lines makes, in one place: each line ends with a
/// newline and is a stored envelope, positions run on from the header's, redaction attributes are well
/// formed, the line count is the header's, and (when asked) the content digest — each line's SHA-256,
/// or the digest a redacted line kept — is the header's. `BatchDecoder` makes events of the lines and
/// `BatchChecker` only what the verifier needs; both read them through this.
enum BatchLines {
    /// Calls `each` with every line's range, fields and position, in order; returns why the lines are not
    /// the ones `header` promises, or nil. `digests` is scratch space, reused between calls.
    @inline(__always)
    static func scan(
        _ bytes: UnsafeRawBufferPointer, header: BatchHeader, parseID: Bool, checkDigest: Bool, digests: inout [UInt8],
        redactions: inout [DecodedBatch.Redaction],
        _ each: (_ line: Range<Int>, _ fields: EnvelopeCodec.Fields, _ position: UInt64) -> Void
    ) -> String? {
        digests.removeAll(keepingCapacity: true)
        if checkDigest { digests.reserveCapacity(32 * Int(header.eventCount)) }
        var start = 0
        var position = header.firstPosition
        var count = 0
        while start < bytes.count {
            guard let newline = firstNewline(bytes, from: start) else { return "the last line has no newline" }
            let line = start..<newline
            count += 1
            guard let fields = EnvelopeCodec.decodeFields(bytes, line: line, parseID: parseID) else {
                return "line \(count) is not a stored event envelope"
            }
            guard fields.position == position else { return "line \(count) has position \(fields.position ?? 0), expected \(position)" }
            switch DecodedBatch.Redaction.of(fields, in: bytes, at: position) {
            case .malformed: return "line \(count) is a redacted event without a valid redacteddigest and redactedby"
            case .redacted(let redaction, let kept):
                redactions.append(redaction)
                if checkDigest { kept.append(to: &digests) }
            case .notRedacted:
                if checkDigest { Digest32.sha256(UnsafeRawBufferPointer(rebasing: bytes[line])).append(to: &digests) }
            }
            each(line, fields, position)
            position += 1
            start = newline + 1
        }
        guard count == Int(header.eventCount) else { return "batch holds \(count) events, header says \(header.eventCount)" }
        if checkDigest {
            let digest = digests.withUnsafeBytes { Digest32.sha256($0) }
            guard digest == header.contentDigest else { return "content digest mismatch" }
        }
        return nil
    }
}
