import EventLog

/// A JSON value, for bodies the API builds or inspects field by field (problems, strict request
/// checking, read-model rows).
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses `bytes` as exactly one JSON value (RFC 8259, nesting at most 64 deep).
    public init(parsing bytes: [UInt8]) throws(JSONParseError) {
        var parser = JSONParser(bytes: bytes)
        self = try parser.parseDocument()
    }

    /// Compact JSON with sorted keys.
    public func encoded() -> [UInt8] {
        var output: [UInt8] = []
        write(to: &output)
        return output
    }

    func write(to output: inout [UInt8]) {
        switch self {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let flag): output.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let number):
            if number.rounded() == number, abs(number) < 1e15 {
                output.append(contentsOf: String(Int64(number)).utf8)
            } else {
                output.append(contentsOf: String(number).utf8)
            }
        case .string(let text): JSONText.appendString(text, to: &output)
        case .array(let values):
            output.append(UInt8(ascii: "["))
            for (offset, value) in values.enumerated() {
                if offset > 0 { output.append(UInt8(ascii: ",")) }
                value.write(to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            for (offset, key) in members.keys.sorted().enumerated() {
                if offset > 0 { output.append(UInt8(ascii: ",")) }
                JSONText.appendString(key, to: &output)
                output.append(UInt8(ascii: ":"))
                members[key]!.write(to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    // MARK: Reading members

    subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    var stringValue: String? { if case .string(let text) = self { text } else { nil } }
    var boolValue: Bool? { if case .bool(let flag) = self { flag } else { nil } }
    var numberValue: Double? { if case .number(let number) = self { number } else { nil } }
    var arrayValue: [JSONValue]? { if case .array(let values) = self { values } else { nil } }
    var isNull: Bool { self == .null }

    /// The paths (`prefix.states[0].position`) of the numbers at or beyond ±10^15 inside this value.
    /// Numbers are held as `Double`, which is exact for integers only up to 2^53: a larger one would be
    /// rounded without a word before a decoder reads it as an `Int`. `JSONBody.optionalInteger` refuses
    /// them at the top level; this finds them in nested objects decoded as a whole.
    func numbersOutOfRange(at prefix: String) -> [String] {
        switch self {
        case .number(let number) where !(abs(number) < 1e15): return [prefix]
        case .array(let values): return values.enumerated().flatMap { $0.element.numbersOutOfRange(at: "\(prefix)[\($0.offset)]") }
        case .object(let members): return members.keys.sorted().flatMap { members[$0]!.numbersOutOfRange(at: "\(prefix).\($0)") }
        default: return []
        }
    }
}
