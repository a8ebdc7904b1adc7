import CSupport

/// Encodes events into the stored CloudEvents line and decodes lines back into `RecordedEvent`s.
///
/// A stored line (one per event, no white space, fields in this order):
/// `{"specversion":"1.0","id":…,"source":"/workspaces/W","type":…,"subject":STREAM,"datacontenttype":"application/json",`
/// `EXTENSIONS…,"time":…,"position":P,"streamversion":V,"data":DATA}`
/// The caller's side encodes everything it knows (`PreparedEvent`); the writer fills in time, position
/// and version, so the single writer thread does no escaping or validation.
enum EnvelopeCodec {
    /// CloudEvents core attributes and the attributes the log assigns: not usable as extension names.
    static let reservedNames: Set<String> = [
        "specversion", "id", "source", "type", "subject", "time", "datacontenttype", "dataschema", "data",
        "data_base64", "position", "streamversion",
    ]

    /// Validates `event` and encodes the parts of its line that do not depend on the commit.
    static func prepare(
        _ event: ProposedEvent, index: Int, source: [UInt8], limits: EventLogLimits
    ) throws(EventLogError) -> PreparedEvent {
        try validateStream(event.stream, limits: limits)
        try validateType(event.type, limits: limits)
        guard event.extensions.count <= limits.extensionsPerEventMax else {
            throw .invalidExtension(name: "(\(event.extensions.count) attributes)", reason: "more than \(limits.extensionsPerEventMax) attributes")
        }
        let id = event.id ?? EventID.generate()
        var out: [UInt8] = []
        out.reserveCapacity(event.data.count + 256)
        out.append(contentsOf: #"{"specversion":"1.0","id":""#.utf8)
        id.appendText(to: &out)
        out.append(contentsOf: #"","source":"#.utf8)
        out.append(contentsOf: source)
        out.append(contentsOf: #","type":"#.utf8)
        JSONText.appendString(event.type, to: &out)
        out.append(contentsOf: #","subject":"#.utf8)
        JSONText.appendString(event.stream, to: &out)
        out.append(contentsOf: #","datacontenttype":"application/json""#.utf8)
        for (index, (name, value)) in event.extensions.enumerated() {
            try validateExtension(name: name, value: value, limits: limits)
            // At most `extensionsPerEventMax` (32) names: a scan is cheaper than hashing into a set.
            for earlier in event.extensions[..<index] where earlier.name == name {
                throw .invalidExtension(name: name, reason: "given twice")
            }
            out.append(UInt8(ascii: ","))
            JSONText.appendString(name, to: &out)
            out.append(UInt8(ascii: ":"))
            switch value {
            case .string(let text): JSONText.appendString(text, to: &out)
            case .integer(let number): JSONText.appendInteger(number, to: &out)
            case .boolean(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
            }
        }
        out.append(contentsOf: #","time":""#.utf8)
        let split = out.count
        out.append(contentsOf: #","data":"#.utf8)
        let dataStart = out.count
        let compactor = JSONCompactor(depthMax: limits.jsonDepthMax)
        let failure: JSONCompactor.Failure? = event.data.withUnsafeBytes { raw in
            do throws(JSONCompactor.Failure) {
                try compactor.compact(raw, into: &out)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw .invalidJSON(index: index, reason: "\(failure.reason) at byte \(failure.offset)") }
        let dataBytes = out.count - dataStart
        guard dataBytes <= limits.eventDataBytesMax else {
            throw .eventTooLarge(index: index, bytes: dataBytes, limit: limits.eventDataBytesMax)
        }
        out.append(UInt8(ascii: "}"))
        return PreparedEvent(id: id, stream: event.stream, encoded: out, split: split)
    }

    static func validateStream(_ stream: String, limits: EventLogLimits) throws(EventLogError) {
        let bytes = stream.utf8.count
        guard bytes > 0 else { throw .invalidStreamID(stream, reason: "it is empty") }
        guard bytes <= limits.streamIDBytesMax else {
            throw .invalidStreamID(stream, reason: "\(bytes) bytes, more than \(limits.streamIDBytesMax)")
        }
        for scalar in stream.unicodeScalars where scalar.value < 0x20 || scalar.value == 0x7F {
            throw .invalidStreamID(stream, reason: "it contains a control character")
        }
    }

    static func validateType(_ type: String, limits: EventLogLimits) throws(EventLogError) {
        let bytes = type.utf8.count
        guard bytes > 0 else { throw .invalidEventType(type, reason: "it is empty") }
        guard bytes <= limits.eventTypeBytesMax else {
            throw .invalidEventType(type, reason: "\(bytes) bytes, more than \(limits.eventTypeBytesMax)")
        }
        for byte in type.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: ":"), UInt8(ascii: "-"):
                continue
            default:
                throw .invalidEventType(type, reason: "only letters, digits and . _ : - are allowed")
            }
        }
    }

    static func validateExtension(name: String, value: ExtensionValue, limits: EventLogLimits) throws(EventLogError) {
        let utf8 = name.utf8
        guard (1...20).contains(utf8.count),
            utf8.allSatisfy({ ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || isDigit($0) })
        else { throw .invalidExtension(name: name, reason: "names are 1-20 lower-case letters or digits (CloudEvents)") }
        guard !reservedNames.contains(name) else { throw .invalidExtension(name: name, reason: "reserved by CloudEvents or the log") }
        if case .string(let text) = value, text.utf8.count > limits.extensionValueBytesMax {
            throw .invalidExtension(name: name, reason: "value is longer than \(limits.extensionValueBytesMax) bytes")
        }
    }

    // MARK: Decoding

    /// The fields of one line, as byte ranges into the batch buffer.
    struct Fields {
        var id: EventID?
        var type: Range<Int>?
        var subject: Range<Int>?
        var time: Range<Int>?
        var data: Range<Int>?
        var position: UInt64?
        var streamVersion: UInt64?
        /// `redacteddigest`: the line digest of the event as first written (a redacted line only).
        var redactedDigest: Range<Int>?
        /// `redactedby`: the position of the `EventsRedacted` record that ordered the redaction.
        var redactedBy: UInt64?
    }

    /// Scans the top-level object of the line at `line`; nil when it is not the envelope the log writes.
    /// With `parseID` false, the id is only checked for its length (the verifier needs no `EventID`).
    static func decodeFields(_ bytes: UnsafeRawBufferPointer, line: Range<Int>, parseID: Bool = true) -> Fields? {
        var fields = Fields()
        var sawID = false
        let ok = forEachMember(bytes, line: line, dataIsLast: true) { key, value in
            switch key.count - 2 {
            case 4 where keyEquals(bytes, key, "type"): fields.type = value
            case 4 where keyEquals(bytes, key, "data"): fields.data = value
            case 4 where keyEquals(bytes, key, "time"): fields.time = value
            case 2 where keyEquals(bytes, key, "id"):
                guard value.count == 38 else { return false }
                sawID = true
                if parseID {
                    fields.id = EventID(text: UnsafeRawBufferPointer(rebasing: bytes[(value.lowerBound + 1)..<(value.upperBound - 1)]))
                }
            case 7 where keyEquals(bytes, key, "subject"): fields.subject = value
            case 8 where keyEquals(bytes, key, "position"): fields.position = parseUInt(bytes, value)
            case 13 where keyEquals(bytes, key, "streamversion"): fields.streamVersion = parseUInt(bytes, value)
            case 14 where keyEquals(bytes, key, "redacteddigest"): fields.redactedDigest = value
            case 10 where keyEquals(bytes, key, "redactedby"): fields.redactedBy = parseUInt(bytes, value)
            default: break
            }
            return true
        }
        guard ok, sawID, !parseID || fields.id != nil, fields.type != nil, fields.subject != nil, fields.data != nil, fields.position != nil,
            fields.streamVersion != nil
        else { return nil }
        return fields
    }

    /// Every member that is neither a CloudEvents core attribute nor one the log assigns.
    /// `storedLine`: a line the log wrote, whose `data` member is last and most of its bytes: not scanned.
    static func extensions(in bytes: UnsafeRawBufferPointer, line: Range<Int>, storedLine: Bool = false) -> [String: ExtensionValue] {
        var result: [String: ExtensionValue] = [:]
        _ = forEachMember(bytes, line: line, dataIsLast: storedLine) { key, value in
            guard let name = JSONText.decodeString(bytes, key), !reservedNames.contains(name) else { return true }
            if let decoded = extensionValue(bytes, value) { result[name] = decoded }
            return true
        }
        return result
    }

    /// The extension attribute `name` of a stored line, or nil; without decoding the other members'
    /// names (a projection replay needs only `decidedat` of each event).
    static func extensionValue(named name: String, in bytes: UnsafeRawBufferPointer, line: Range<Int>) -> ExtensionValue? {
        guard !reservedNames.contains(name) else { return nil }
        var found: ExtensionValue?
        var quoted = [UInt8(ascii: "\"")]
        quoted.append(contentsOf: name.utf8)
        quoted.append(UInt8(ascii: "\""))
        _ = forEachMember(bytes, line: line, dataIsLast: true) { key, value in
            guard key.count == quoted.count, zip(bytes[key], quoted).allSatisfy({ $0 == $1 }) else { return true }
            found = extensionValue(bytes, value)
            return false
        }
        return found
    }

    private static func extensionValue(_ bytes: UnsafeRawBufferPointer, _ value: Range<Int>) -> ExtensionValue? {
        switch bytes[value.lowerBound] {
        case UInt8(ascii: "\""): return JSONText.decodeString(bytes, value).map { .string($0) }
        case UInt8(ascii: "t"): return .boolean(true)
        case UInt8(ascii: "f"): return .boolean(false)
        default:
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[value]), as: UTF8.self)
            return Int64(text).map { .integer($0) }
        }
    }

    /// Calls `body` with the key range (quotes included) and value range of each top-level member.
    /// Returns false when the line is not a well-formed object or `body` returns false.
    ///
    /// With `dataIsLast`, a `"data"` member is taken to run to the line's closing brace without scanning
    /// it: the log always writes `data` last, and the payload is most of the line's bytes. (Line integrity
    /// is the checksums' and digests' job, not this scanner's.)
    static func forEachMember(
        _ bytes: UnsafeRawBufferPointer, line: Range<Int>, dataIsLast: Bool = false, _ body: (Range<Int>, Range<Int>) -> Bool
    ) -> Bool {
        var index = line.lowerBound
        let end = line.upperBound
        guard index < end, bytes[index] == UInt8(ascii: "{") else { return false }
        index += 1
        if index < end, bytes[index] == UInt8(ascii: "}") { return index + 1 == end }
        while index < end {
            guard bytes[index] == UInt8(ascii: "\""), let keyEnd = skipString(bytes, index, end) else { return false }
            let key = index..<keyEnd
            guard keyEnd < end, bytes[keyEnd] == UInt8(ascii: ":") else { return false }
            let valueStart = keyEnd + 1
            if dataIsLast, keyEquals(bytes, key, "data"), bytes[end - 1] == UInt8(ascii: "}"), valueStart < end - 1 {
                return body(key, valueStart..<(end - 1))
            }
            guard let valueEnd = skipValue(bytes, valueStart, end) else { return false }
            guard body(key, valueStart..<valueEnd) else { return false }
            index = valueEnd
            guard index < end else { return false }
            if bytes[index] == UInt8(ascii: "}") { return index + 1 == end }
            guard bytes[index] == UInt8(ascii: ",") else { return false }
            index += 1
        }
        return false
    }

    /// The index after the string literal starting at `start` (vectorised in CSupport: every stored line's
    /// attributes are found by skipping its strings).
    private static func skipString(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Int? {
        guard let base = bytes.baseAddress, end <= bytes.count else { return nil }
        let after = tl_json_string_end(base.assumingMemoryBound(to: UInt8.self), start, end)
        return after < 0 ? nil : after
    }

    /// The index after the (compact) JSON value starting at `start`.
    static func skipValue(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Int? {
        guard start < end else { return nil }
        switch bytes[start] {
        case UInt8(ascii: "\""): return skipString(bytes, start, end)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var index = start
            while index < end {
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    guard let after = skipString(bytes, index, end) else { return nil }
                    index = after
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return index + 1 }
                default: break
                }
                index += 1
            }
            return nil
        default:
            var index = start
            while index < end {
                switch bytes[index] {
                case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"): return index
                default: index += 1
                }
            }
            return index
        }
    }

    private static func keyEquals(_ bytes: UnsafeRawBufferPointer, _ key: Range<Int>, _ name: StaticString) -> Bool {
        guard key.count == name.utf8CodeUnitCount + 2 else { return false }
        let start = key.lowerBound + 1
        for offset in 0..<name.utf8CodeUnitCount where bytes[start + offset] != name.utf8Start[offset] { return false }
        return true
    }

    private static func parseUInt(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> UInt64? {
        guard !range.isEmpty, range.count <= 19 else { return nil }
        var value: UInt64 = 0
        for index in range {
            let byte = bytes[index]
            guard isDigit(byte) else { return nil }
            value = value * 10 + UInt64(byte - UInt8(ascii: "0"))
        }
        return value
    }
}

/// An event validated and encoded on the caller's side, waiting for the writer to fill in
/// `time`, `position` and `streamversion` at `split`.
struct PreparedEvent: Sendable {
    let id: EventID
    let stream: String
    /// The line without the commit fields: everything before `split` comes before the time value.
    let encoded: [UInt8]
    let split: Int

    /// Bytes this event adds to a batch, give or take the commit fields (at most ~90 bytes).
    var approximateBytes: Int { encoded.count + 90 }
}
