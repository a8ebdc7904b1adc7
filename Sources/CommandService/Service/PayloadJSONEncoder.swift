/// A JSON encoder for event payloads: the same bytes as Foundation's `JSONEncoder` with
/// `[.sortedKeys, .withoutEscapingSlashes]` (a test checks them against each other), at a fraction of
/// the cost.
///
/// Why not Foundation's: encoding the payload was the costliest step of a command (about a fifth of
/// the service's CPU time in the command benchmark). Foundation's encoder checks every value's type
/// against `Date`, `Data`, `URL` and `Decimal` with dynamic casts, tracks coding paths and builds a
/// tree of boxed values before writing it; payloads need none of that. This one builds a small tree of
/// already-serialised scalars and writes it once, sorting each object's keys.
///
/// Supported: what `Codable` synthesis and the domain's hand-written conformances use — keyed,
/// unkeyed and single-value containers, nesting, `nil`, strings, booleans, integers, floating point
/// (finite only: JSON has no NaN or infinity, and Foundation refuses them too).
struct PayloadJSONEncoder {
    /// The JSON text of `value`, UTF-8.
    func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = TreeEncoder(codingPath: [])
        try value.encode(to: encoder)
        var output: [UInt8] = []
        output.reserveCapacity(256)
        (encoder.root ?? .literal(Array("{}".utf8))).write(to: &output)
        return output
    }
}

/// A JSON value under construction. Objects and arrays are reference types so that containers handed
/// out by `Encoder` (which are values) can keep adding to them.
private enum Node {
    /// A scalar, already serialised.
    case literal([UInt8])
    case object(ObjectNode)
    case array(ArrayNode)

    func write(to output: inout [UInt8]) {
        switch self {
        case .literal(let bytes):
            output.append(contentsOf: bytes)
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            // Sorted by the keys' UTF-8 bytes, like Foundation's `.sortedKeys` for the ASCII keys payloads have.
            let entries = object.entries.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            for (offset, entry) in entries.enumerated() {
                if offset > 0 { output.append(UInt8(ascii: ",")) }
                writeString(entry.key, to: &output)
                output.append(UInt8(ascii: ":"))
                entry.value.write(to: &output)
            }
            output.append(UInt8(ascii: "}"))
        case .array(let array):
            output.append(UInt8(ascii: "["))
            for (offset, item) in array.items.enumerated() {
                if offset > 0 { output.append(UInt8(ascii: ",")) }
                item.write(to: &output)
            }
            output.append(UInt8(ascii: "]"))
        }
    }
}

private final class ObjectNode {
    var entries: [(key: String, value: Node)] = []

    /// Sets `key`, replacing an earlier value (as Foundation does when a key is encoded twice).
    func set(_ key: String, _ value: Node) {
        if let index = entries.firstIndex(where: { $0.key == key }) {
            entries[index].value = value
        } else {
            entries.append((key, value))
        }
    }
}

private final class ArrayNode {
    var items: [Node] = []
}

// MARK: Scalars

private var nullLiteral: Node { .literal(Array("null".utf8)) }
private var trueLiteral: Node { .literal(Array("true".utf8)) }
private var falseLiteral: Node { .literal(Array("false".utf8)) }

private func stringNode(_ text: String) -> Node {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(text.utf8.count + 2)
    writeString(text, to: &bytes)
    return .literal(bytes)
}

/// Writes `text` quoted and escaped the way Foundation's writer does (with `.withoutEscapingSlashes`):
/// `"` and `\` escaped, the control characters with their short escapes or `\u00XX`, everything else,
/// non-ASCII included, as UTF-8.
private func writeString(_ text: String, to output: inout [UInt8]) {
    output.append(UInt8(ascii: "\""))
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "\""): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
        case UInt8(ascii: "\\"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
        case 0x08: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
        case 0x0C: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
        case 0x0A: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
        case 0x0D: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
        case 0x09: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
        case 0x00..<0x20:
            let hex = Array("0123456789abcdef".utf8)
            output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
            output.append(hex[Int(byte >> 4)])
            output.append(hex[Int(byte & 0x0F)])
        default: output.append(byte)
        }
    }
    output.append(UInt8(ascii: "\""))
}

private func integerNode(_ value: some BinaryInteger) -> Node { .literal(Array(String(value).utf8)) }

/// Foundation writes a whole-valued floating-point number without its fraction (`3`, not `3.0`).
private func floatingNode<T: BinaryFloatingPoint & LosslessStringConvertible>(_ value: T, codingPath: [any CodingKey]) throws -> Node {
    guard value.isFinite else {
        throw EncodingError.invalidValue(value, .init(codingPath: codingPath, debugDescription: "\(value) is not valid in JSON"))
    }
    var text = value.description
    if text.hasSuffix(".0") { text.removeLast(2) }
    return .literal(Array(text.utf8))
}

/// The node for a value with a direct JSON form, or nil for one that encodes itself. Compares
/// metatypes rather than casting: a dynamic cast per value is what makes Foundation's encoder slow.
private func scalarNode<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws -> Node? {
    if T.self == String.self { return stringNode(unsafeBitCast(value, to: String.self)) }
    if T.self == Bool.self { return unsafeBitCast(value, to: Bool.self) ? trueLiteral : falseLiteral }
    if T.self == Int.self { return integerNode(unsafeBitCast(value, to: Int.self)) }
    if T.self == Int64.self { return integerNode(unsafeBitCast(value, to: Int64.self)) }
    if T.self == UInt64.self { return integerNode(unsafeBitCast(value, to: UInt64.self)) }
    if T.self == Double.self { return try floatingNode(unsafeBitCast(value, to: Double.self), codingPath: codingPath) }
    return nil
}

/// The node `value` encodes to, through a nested encoder unless it is a plain scalar.
private func node(for value: some Encodable, codingPath: [any CodingKey]) throws -> Node {
    if let scalar = try scalarNode(value, codingPath: codingPath) { return scalar }
    let encoder = TreeEncoder(codingPath: codingPath)
    try value.encode(to: encoder)
    // A value that encodes nothing at all is an empty object in Foundation's output.
    return encoder.root ?? .object(ObjectNode())
}

// MARK: The Encoder

private final class TreeEncoder: Encoder {
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var root: Node?

    init(codingPath: [any CodingKey]) { self.codingPath = codingPath }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object(let object)? = root { return KeyedEncodingContainer(KeyedContainer(object: object, codingPath: codingPath)) }
        let object = ObjectNode()
        root = .object(object)
        return KeyedEncodingContainer(KeyedContainer(object: object, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array(let array)? = root { return UnkeyedContainer(array: array, codingPath: codingPath) }
        let array = ArrayNode()
        root = .array(array)
        return UnkeyedContainer(array: array, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleValueContainer(encoder: self) }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let object: ObjectNode
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws { object.set(key.stringValue, nullLiteral) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { object.set(key.stringValue, value ? trueLiteral : falseLiteral) }
    mutating func encode(_ value: String, forKey key: Key) throws { object.set(key.stringValue, stringNode(value)) }
    mutating func encode(_ value: Int, forKey key: Key) throws { object.set(key.stringValue, integerNode(value)) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { object.set(key.stringValue, integerNode(value)) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { object.set(key.stringValue, integerNode(value)) }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        object.set(key.stringValue, try floatingNode(value, codingPath: codingPath + [key]))
    }

    mutating func encode(_ value: some Encodable, forKey key: Key) throws {
        object.set(key.stringValue, try node(for: value, codingPath: codingPath + [key]))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let nested = ObjectNode()
        object.set(key.stringValue, .object(nested))
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(object: nested, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = ArrayNode()
        object.set(key.stringValue, .array(nested))
        return UnkeyedContainer(array: nested, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder { SlotEncoder(codingPath: codingPath) { [object] in object.set("super", $0) } }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        SlotEncoder(codingPath: codingPath + [key]) { [object] in object.set(key.stringValue, $0) }
    }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let array: ArrayNode
    let codingPath: [any CodingKey]
    var count: Int { array.items.count }

    mutating func encodeNil() throws { array.items.append(nullLiteral) }
    mutating func encode(_ value: Bool) throws { array.items.append(value ? trueLiteral : falseLiteral) }
    mutating func encode(_ value: String) throws { array.items.append(stringNode(value)) }
    mutating func encode(_ value: Int) throws { array.items.append(integerNode(value)) }
    mutating func encode(_ value: Double) throws { array.items.append(try floatingNode(value, codingPath: codingPath)) }
    mutating func encode(_ value: some Encodable) throws { array.items.append(try node(for: value, codingPath: codingPath)) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let nested = ObjectNode()
        array.items.append(.object(nested))
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(object: nested, codingPath: codingPath))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = ArrayNode()
        array.items.append(.array(nested))
        return UnkeyedContainer(array: nested, codingPath: codingPath)
    }

    mutating func superEncoder() -> any Encoder {
        let index = array.items.count
        array.items.append(nullLiteral)
        return SlotEncoder(codingPath: codingPath) { [array] in array.items[index] = $0 }
    }
}

private struct SingleValueContainer: SingleValueEncodingContainer {
    let encoder: TreeEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil() throws { encoder.root = nullLiteral }
    mutating func encode(_ value: Bool) throws { encoder.root = value ? trueLiteral : falseLiteral }
    mutating func encode(_ value: String) throws { encoder.root = stringNode(value) }
    mutating func encode(_ value: Int) throws { encoder.root = integerNode(value) }
    mutating func encode(_ value: Double) throws { encoder.root = try floatingNode(value, codingPath: codingPath) }
    mutating func encode(_ value: some Encodable) throws { encoder.root = try node(for: value, codingPath: codingPath) }
}

/// An encoder whose result goes into a slot of its parent (`superEncoder`), stored when the first
/// container is asked for and again on every later write through a single-value container.
private final class SlotEncoder: Encoder {
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    private let inner: TreeEncoder
    private let store: (Node) -> Void

    init(codingPath: [any CodingKey], store: @escaping (Node) -> Void) {
        self.codingPath = codingPath
        inner = TreeEncoder(codingPath: codingPath)
        self.store = store
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let container = inner.container(keyedBy: type)
        if let root = inner.root { store(root) }
        return container
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let container = inner.unkeyedContainer()
        if let root = inner.root { store(root) }
        return container
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SlotValueContainer(encoder: inner, store: store)
    }
}

private struct SlotValueContainer: SingleValueEncodingContainer {
    let encoder: TreeEncoder
    let store: (Node) -> Void
    var codingPath: [any CodingKey] { encoder.codingPath }

    private mutating func set(_ write: (inout SingleValueContainer) throws -> Void) rethrows {
        var container = SingleValueContainer(encoder: encoder)
        try write(&container)
        if let root = encoder.root { store(root) }
    }

    mutating func encodeNil() throws { try set { try $0.encodeNil() } }
    mutating func encode(_ value: Bool) throws { try set { try $0.encode(value) } }
    mutating func encode(_ value: String) throws { try set { try $0.encode(value) } }
    mutating func encode(_ value: Int) throws { try set { try $0.encode(value) } }
    mutating func encode(_ value: Double) throws { try set { try $0.encode(value) } }
    mutating func encode(_ value: some Encodable) throws { try set { try $0.encode(value) } }
}
