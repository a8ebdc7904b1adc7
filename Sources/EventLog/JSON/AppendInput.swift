/// One event of `taskledger log append`'s input: a JSON object per line,
/// `{"stream": …, "type": …, "data": …}` with optional `"id"` (a UUID), `"expectedVersion"` (a number,
/// `"any"`, `"no_stream"` or `"stream_exists"`) and `"extensions"` (an object of CloudEvents extension
/// attributes: strings, integers or booleans). Unknown members are refused, so a typo never passes silently.
public struct AppendInput: Sendable {
    public var event: ProposedEvent
    public var expectedVersion: ExpectedVersion?

    /// Parses one input line; the error says what is wrong, for a one-line CLI message.
    public init(line: some Collection<UInt8>, limits: EventLogLimits = EventLogLimits()) throws(EventLogError) {
        let compact: [UInt8]
        do {
            // The line's object adds one level around `data`, which alone is held to `jsonDepthMax`.
            compact = try JSONCompactor(depthMax: limits.jsonDepthMax + 1).compact(Array(line))
        } catch {
            // The line's object is one level around `data`; report the limit as it applies to `data`.
            let reason = error.reason.hasPrefix("nested deeper") ? "data nested deeper than \(limits.jsonDepthMax) levels" : error.reason
            throw .invalidInput(reason: "not valid JSON: \(reason) at byte \(error.offset)")
        }
        guard compact.first == UInt8(ascii: "{") else { throw .invalidInput(reason: "each line must be a JSON object") }
        var stream: String?
        var type: String?
        var data: [UInt8]?
        var id: EventID?
        var expected: ExpectedVersion?
        var extensions: [(name: String, value: ExtensionValue)] = []
        var problem: String?
        compact.withUnsafeBytes { bytes in
            func text(_ range: Range<Int>) -> String? {
                bytes[range.lowerBound] == UInt8(ascii: "\"") ? JSONText.decodeString(bytes, range) : nil
            }
            _ = EnvelopeCodec.forEachMember(bytes, line: 0..<bytes.count) { key, value in
                let name = JSONText.decodeString(bytes, key) ?? ""
                let raw = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[value]), as: UTF8.self)
                switch name {
                case "stream":
                    stream = text(value)
                    if stream == nil { problem = "\"stream\" must be a string" }
                case "type":
                    type = text(value)
                    if type == nil { problem = "\"type\" must be a string" }
                case "data":
                    data = Array(UnsafeRawBufferPointer(rebasing: bytes[value]))
                case "id":
                    guard let string = text(value), let parsed = EventID(string) else {
                        problem = "\"id\" must be a UUID string"
                        return false
                    }
                    id = parsed
                case "expectedVersion":
                    switch text(value) ?? raw {
                    case "any": expected = .any
                    case "no_stream": expected = .noStream
                    case "stream_exists": expected = .streamExists
                    case let number:
                        guard let version = UInt64(number) else {
                            problem = "\"expectedVersion\" must be a version number, \"any\", \"no_stream\" or \"stream_exists\""
                            return false
                        }
                        expected = .exactly(version)
                    }
                case "extensions":
                    guard bytes[value.lowerBound] == UInt8(ascii: "{") else {
                        problem = "\"extensions\" must be an object"
                        return false
                    }
                    for (attribute, attributeValue) in EnvelopeCodec.extensions(in: bytes, line: value).sorted(by: { $0.key < $1.key }) {
                        extensions.append((attribute, attributeValue))
                    }
                    let given = EnvelopeCodec.memberCount(bytes, object: value)
                    if given != extensions.count {
                        problem = "\"extensions\" values must be strings, integers or booleans, with names CloudEvents allows"
                        return false
                    }
                default:
                    problem = "unknown member \(quoted(name)) (expected stream, type, data, id, expectedVersion, extensions)"
                    return false
                }
                return problem == nil
            }
        }
        if let problem { throw .invalidInput(reason: problem) }
        guard let stream else { throw .invalidInput(reason: "\"stream\" is missing") }
        guard let type else { throw .invalidInput(reason: "\"type\" is missing") }
        guard let data else { throw .invalidInput(reason: "\"data\" is missing") }
        // Checked here as well as at append, so that a CLI error can name the input line.
        try EnvelopeCodec.validateStream(stream, limits: limits)
        try EnvelopeCodec.validateType(type, limits: limits)
        for (name, value) in extensions { try EnvelopeCodec.validateExtension(name: name, value: value, limits: limits) }
        event = ProposedEvent(id: id, stream: stream, type: type, data: data, extensions: extensions)
        expectedVersion = expected
    }
}

extension EnvelopeCodec {
    /// How many members the object at `object` has.
    static func memberCount(_ bytes: UnsafeRawBufferPointer, object: Range<Int>) -> Int {
        var count = 0
        _ = forEachMember(bytes, line: object) { _, _ in
            count += 1
            return true
        }
        return count
    }
}
