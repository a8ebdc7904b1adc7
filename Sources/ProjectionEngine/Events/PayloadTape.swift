/// A JSON payload indexed in one pass: a flat "tape" of nodes (byte ranges), so that each `:data.PATH`
/// a statement binds is a short walk instead of a re-parse. Built once per event and shared by every
/// projection applying that event.
struct PayloadTape: Sendable {
    enum Kind: UInt8, Sendable {
        case object, array, string, integer, real, `true`, `false`, null
    }

    struct Node: Sendable {
        let kind: Kind
        /// Whether a string holds escapes (then it must be decoded, not bound as raw bytes).
        let hasEscape: Bool
        /// Byte range in the payload: a string's range excludes its quotes.
        let start: Int32
        let end: Int32
        /// Index of the first node after this one's subtree.
        var next: Int32
    }

    private(set) var nodes: [Node] = []
    /// Whether the bytes were exactly one JSON value.
    private(set) var isValid = false

    /// Indexes `bytes`; an invalid payload (the log refuses them, so this is defensive) yields an empty
    /// tape, on which every path is missing.
    init(_ bytes: UnsafeRawBufferPointer) {
        nodes.reserveCapacity(32)
        var index = 0
        if parseValue(bytes, &index, depth: 0) {
            skipWhitespace(bytes, &index)
            isValid = index == bytes.count
        } else {
            nodes = []
        }
    }

    /// The node at a dotted path (`["changes", "0", "field"]`), or nil when missing.
    func lookup(_ path: [PathComponent], in bytes: UnsafeRawBufferPointer) -> Node? {
        guard !nodes.isEmpty else { return nil }
        var current = 0
        for component in path {
            let node = nodes[current]
            var child = current + 1
            switch node.kind {
            case .object:
                var found = false
                while child < Int(node.next) {
                    let key = nodes[child]
                    let value = child + 1
                    if keyEquals(key, component, bytes) {
                        current = value
                        found = true
                        break
                    }
                    child = Int(nodes[value].next)
                }
                if !found { return nil }
            case .array:
                guard var remaining = component.index else { return nil }
                while child < Int(node.next), remaining > 0 {
                    child = Int(nodes[child].next)
                    remaining -= 1
                }
                guard child < Int(node.next) else { return nil }
                current = child
            default:
                return nil
            }
        }
        return nodes[current]
    }

    private func keyEquals(_ key: Node, _ component: PathComponent, _ bytes: UnsafeRawBufferPointer) -> Bool {
        if key.hasEscape {
            let decoded = JSONString.decode(UnsafeRawBufferPointer(rebasing: bytes[Int(key.start)..<Int(key.end)]))
            return decoded.map { Array($0.utf8) == component.key } ?? false
        }
        guard Int(key.end - key.start) == component.key.count else { return false }
        var offset = Int(key.start)
        for byte in component.key {
            if bytes[offset] != byte { return false }
            offset += 1
        }
        return true
    }

    // MARK: Parsing

    private static let maxDepth = 64

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

/// One step of a `:data.PATH`: an object key, which also indexes an array when it is a number.
struct PathComponent: Sendable, Hashable {
    let key: [UInt8]
    let index: Int?

    init(_ text: Substring) {
        key = Array(text.utf8)
        index = Int(text).flatMap { $0 >= 0 ? $0 : nil }
    }
}
