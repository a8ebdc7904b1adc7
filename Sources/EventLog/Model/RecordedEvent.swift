/// An immutable byte buffer shared by the events decoded from one batch.
final class SharedBytes: Sendable {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
}

/// An event as stored: a CloudEvents 1.0 JSON object on one line.
///
/// Decoding keeps the line's bytes and the ranges of its fields; strings are made only when asked
/// for, so reading the log costs no allocation per event. `line` is exactly what `lz4 -dc` prints and
/// what subscribers receive.
public struct RecordedEvent: Sendable {
    /// Gap-free, workspace-wide order, starting at 1.
    public let position: UInt64
    /// Order within the stream, starting at 1.
    public let streamVersion: UInt64
    public let id: EventID
    /// When the event's batch was committed.
    public let time: Timestamp
    let storage: SharedBytes
    let lineRange: Range<Int>
    let typeRange: Range<Int>
    let streamRange: Range<Int>
    let dataRange: Range<Int>

    /// The event type (CloudEvents `type`).
    public var type: String { decodeString(typeRange) }
    /// The stream id (CloudEvents `subject`).
    public var stream: String { decodeString(streamRange) }

    /// The payload's JSON bytes.
    public var data: ArraySlice<UInt8> { storage.bytes[dataRange] }
    /// The whole stored JSON line, without its newline.
    public var line: ArraySlice<UInt8> { storage.bytes[lineRange] }
    /// The stored JSON line as text.
    public var json: String { String(decoding: line, as: UTF8.self) }

    /// Whether the type equals `name`, without making a string.
    public func hasType(_ name: String) -> Bool { rangeEquals(typeRange, quoted: name) }
    /// Whether the stream equals `name`, without making a string.
    public func isInStream(_ name: String) -> Bool { rangeEquals(streamRange, quoted: name) }

    /// The extension attributes: every top-level member that is not a CloudEvents core attribute or one
    /// the log assigns (`position`, `streamversion`).
    public var extensions: [String: ExtensionValue] {
        storage.bytes.withUnsafeBytes { bytes in
            EnvelopeCodec.extensions(in: bytes, line: lineRange, storedLine: true)
        }
    }

    /// One extension attribute by name (nil when absent), without building the whole dictionary.
    public func extensionValue(_ name: String) -> ExtensionValue? {
        storage.bytes.withUnsafeBytes { bytes in
            EnvelopeCodec.extensionValue(named: name, in: bytes, line: lineRange)
        }
    }

    private func decodeString(_ range: Range<Int>) -> String {
        storage.bytes.withUnsafeBytes { JSONText.decodeString($0, range) } ?? ""
    }

    private func rangeEquals(_ range: Range<Int>, quoted name: String) -> Bool {
        var utf8 = name.utf8.makeIterator()
        guard range.count == name.utf8.count + 2 else { return decodeString(range) == name }
        return storage.bytes.withUnsafeBufferPointer { bytes in
            for index in (range.lowerBound + 1)..<(range.upperBound - 1) {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\\") { return false }
                if utf8.next() != byte { return false }
            }
            return true
        }
    }
}
