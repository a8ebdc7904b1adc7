/// A JSON value indexed in one pass: a flat "tape" of nodes (byte ranges into the text), in document
/// order, each knowing where its subtree ends. Reading a field is then a short walk over the nodes
/// instead of a parse. The projections bind payload fields from it (`:data.PATH`), and the command
/// service decodes stored payloads through it.
///
/// The tape does not copy or own the text: every node is a byte range into the buffer it was built
/// from, which its users must pass again. It accepts what the log stores (the log refuses an event
/// whose payload is not JSON), and is lenient beyond that: a number's characters are not checked
/// against JSON's grammar, nor a string's UTF-8 (decoding them does that).
public struct JSONTape: Sendable {
    public enum Kind: UInt8, Sendable {
        case object, array, string, integer, real, `true`, `false`, null
    }

    public struct Node: Sendable {
        public let kind: Kind
        /// Whether a string holds escapes (then it must be decoded, not used as raw bytes).
        public let hasEscape: Bool
        /// Byte range in the text: a string's range excludes its quotes.
        public let start: Int32
        public let end: Int32
        /// Index of the first node after this one's subtree: an object's members (key, value, key, …)
        /// and an array's items lie between its own index + 1 and this.
        public var next: Int32

        /// The text of a string node, unescaped; nil when it is not a string or not valid.
        public func string(in bytes: UnsafeRawBufferPointer) -> String? {
            guard kind == .string else { return nil }
            return JSONText.decodeString(bytes, Int(start) - 1..<Int(end) + 1)
        }
    }

    public private(set) var nodes: [Node] = []
    /// Whether the bytes were exactly one JSON value.
    public private(set) var isValid = false

    /// Indexes `bytes`; an invalid text yields an empty tape.
    public init(_ bytes: UnsafeRawBufferPointer) {
        nodes.reserveCapacity(32)
        var index = 0
        if parseValue(bytes, &index, depth: 0) {
            skipWhitespace(bytes, &index)
            isValid = index == bytes.count
        } else {
            nodes = []
        }
    }

    // MARK: Parsing

    /// Deeper text is invalid: payloads nest a few levels, and the parser recurses.
    public static let maxDepth = 64

    private mutating func parseValue(_ bytes: UnsafeRawBufferPointer, _ index: inout Int, depth: Int) -> Bool {
        skipWhitespace(bytes, &index)
        guard index < bytes.count, depth < Self.maxDepth else { return false }
        switch bytes[index] {
        case UInt8(ascii: "{"): return parseContainer(bytes, &index, depth: depth, kind: .object)
        case UInt8(ascii: "["): return parseContainer(bytes, &index, depth: depth, kind: .array)
        case UInt8(ascii: "\""): return parseString(bytes, &index)
        case UInt8(ascii: "t"): return parseWord(bytes, &index, "true", .true)
        case UInt8(ascii: "f"): return parseWord(bytes, &index, "false", .false)
        case UInt8(ascii: "n"): return parseWord(bytes, &index, "null", .null)
        default: return parseNumber(bytes, &index)
        }
    }

    private mutating func parseContainer(_ bytes: UnsafeRawBufferPointer, _ index: inout Int, depth: Int, kind: Kind) -> Bool {
        let slot = nodes.count
        let start = index
        nodes.append(Node(kind: kind, hasEscape: false, start: Int32(start), end: 0, next: 0))
        let closing = kind == .object ? UInt8(ascii: "}") : UInt8(ascii: "]")
        index += 1
        skipWhitespace(bytes, &index)
        if index < bytes.count, bytes[index] == closing {
            index += 1
        } else {
            while true {
                if kind == .object {
                    skipWhitespace(bytes, &index)
                    guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), parseString(bytes, &index) else { return false }
                    skipWhitespace(bytes, &index)
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
                    index += 1
                }
                guard parseValue(bytes, &index, depth: depth + 1) else { return false }
                skipWhitespace(bytes, &index)
                guard index < bytes.count else { return false }
                if bytes[index] == closing {
                    index += 1
                    break
                }
                guard bytes[index] == UInt8(ascii: ",") else { return false }
                index += 1
            }
        }
        nodes[slot] = Node(kind: kind, hasEscape: false, start: Int32(start), end: Int32(index), next: Int32(nodes.count))
        return true
    }

    private mutating func parseString(_ bytes: UnsafeRawBufferPointer, _ index: inout Int) -> Bool {
        let start = index + 1
        var cursor = start
        var hasEscape = false
        while cursor < bytes.count {
            let byte = bytes[cursor]
            if byte == UInt8(ascii: "\"") { break }
            if byte == UInt8(ascii: "\\") {
                hasEscape = true
                cursor += 1
            }
            cursor += 1
        }
        guard cursor < bytes.count else { return false }
        nodes.append(Node(kind: .string, hasEscape: hasEscape, start: Int32(start), end: Int32(cursor), next: Int32(nodes.count + 1)))
        index = cursor + 1
        return true
    }

    private mutating func parseWord(_ bytes: UnsafeRawBufferPointer, _ index: inout Int, _ word: StaticString, _ kind: Kind) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
        nodes.append(Node(kind: kind, hasEscape: false, start: Int32(index), end: Int32(index + count), next: Int32(nodes.count + 1)))
        index += count
        return true
    }

    private mutating func parseNumber(_ bytes: UnsafeRawBufferPointer, _ index: inout Int) -> Bool {
        let start = index
        var isInteger = true
        while index < bytes.count {
            let byte = bytes[index]
            if (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-") {
                index += 1
            } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") || byte == UInt8(ascii: "+") {
                isInteger = false
                index += 1
            } else {
                break
            }
        }
        guard index > start else { return false }
        let kind: Kind = isInteger ? .integer : .real
        nodes.append(Node(kind: kind, hasEscape: false, start: Int32(start), end: Int32(index), next: Int32(nodes.count + 1)))
        return true
    }

    private func skipWhitespace(_ bytes: UnsafeRawBufferPointer, _ index: inout Int) {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 { index += 1 }
    }
}
