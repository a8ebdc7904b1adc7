extension PayloadJSONDecoder {
    /// The decoder of one value: also its single-value container (as in Foundation), since both only read
    /// that value. A struct, so that handing it to `init(from:)` allocates nothing.
    struct NodeDecoder: Decoder, SingleValueDecodingContainer {
        let document: Document
        let node: Int
        let codingPath: [any CodingKey]
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
            try document.expect(.object, at: node, as: [String: Any].self, path: codingPath)
            return KeyedDecodingContainer(ObjectContainer<Key>(document: document, object: node, codingPath: codingPath))
        }

        func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
            try document.expect(.array, at: node, as: [Any].self, path: codingPath)
            return ArrayContainer(document: document, array: node, codingPath: codingPath)
        }

        func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

        func decodeNil() -> Bool { document.isNull(node) }
        func decode(_ type: Bool.Type) throws -> Bool { try document.bool(at: node, path: codingPath) }
        func decode(_ type: String.Type) throws -> String { try document.string(at: node, path: codingPath) }
        func decode(_ type: Double.Type) throws -> Double { try document.double(at: node, path: codingPath) }
        func decode(_ type: Float.Type) throws -> Float { try document.float(at: node, path: codingPath) }
        func decode(_ type: Int.Type) throws -> Int { try document.integer(type, at: node, path: codingPath) }
        func decode(_ type: Int8.Type) throws -> Int8 { try document.integer(type, at: node, path: codingPath) }
        func decode(_ type: Int16.Type) throws -> Int16 { try document.integer(type, at: node, path: codingPath) }
        func decode(_ type: Int32.Type) throws -> Int32 { try document.integer(type, at: node, path: codingPath) }
        func decode(_ type: Int64.Type) throws -> Int64 { try document.integer(type, at: node, path: codingPath) }
        func decode(_ type: UInt.Type) throws -> UInt { try document.integer(type, at: node, path: codingPath) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try document.integer(type, at: node, path: codingPath) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try document.integer(type, at: node, path: codingPath) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try document.integer(type, at: node, path: codingPath) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try document.integer(type, at: node, path: codingPath) }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try document.value(type, at: node, path: codingPath) }
    }

    /// A JSON object's members by key. The coding path of a member is only built when something needs it
    /// (an error, or a nested value that decodes itself), not for every scalar read.
    struct ObjectContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let document: Document
        let object: Int
        let codingPath: [any CodingKey]

        var allKeys: [Key] { document.keys(of: object).compactMap { Key(stringValue: $0) } }

        func contains(_ key: Key) -> Bool { document.member(key, of: object) != nil }

        private func value(_ key: some CodingKey) throws -> Int {
            guard let value = document.member(key, of: object) else {
                throw DecodingError.keyNotFound(
                    key, .init(codingPath: codingPath, debugDescription: "No value associated with key \(key.stringValue)."))
            }
            return value
        }

        /// The member of `key` unless it is missing or null (one lookup, where the protocol's default
        /// `decodeIfPresent` makes three).
        private func presentValue(_ key: Key) -> Int? {
            guard let value = document.member(key, of: object), !document.isNull(value) else { return nil }
            return value
        }

        func decodeNil(forKey key: Key) throws -> Bool { document.isNull(try value(key)) }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try document.bool(at: value(key), path: codingPath + [key]) }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try document.string(at: value(key), path: codingPath + [key]) }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try document.double(at: value(key), path: codingPath + [key]) }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try document.float(at: value(key), path: codingPath + [key]) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try integer(type, key) }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try integer(type, key) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try integer(type, key) }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try integer(type, key) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try integer(type, key) }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try integer(type, key) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try integer(type, key) }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try integer(type, key) }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try integer(type, key) }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try integer(type, key) }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try document.value(type, at: value(key), path: codingPath + [key]) }

        private func integer<T: FixedWidthInteger>(_ type: T.Type, _ key: Key) throws -> T {
            try document.integer(type, at: value(key), path: codingPath + [key])
        }

        func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
            guard let value = presentValue(key) else { return nil }
            return try document.string(at: value, path: codingPath + [key])
        }

        func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
            guard let value = presentValue(key) else { return nil }
            return try document.bool(at: value, path: codingPath + [key])
        }

        func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
            guard let value = presentValue(key) else { return nil }
            return try document.integer(type, at: value, path: codingPath + [key])
        }

        func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
            guard let value = presentValue(key) else { return nil }
            return try document.double(at: value, path: codingPath + [key])
        }

        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
            guard let value = presentValue(key) else { return nil }
            return try document.value(type, at: value, path: codingPath + [key])
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            try NodeDecoder(document: document, node: value(key), codingPath: codingPath + [key]).container(keyedBy: type)
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            try NodeDecoder(document: document, node: value(key), codingPath: codingPath + [key]).unkeyedContainer()
        }

        func superDecoder() throws -> any Decoder {
            // Looked up by its own key: `Key` need not have a `super` case.
            try NodeDecoder(document: document, node: value(PathKey.super), codingPath: codingPath + [PathKey.super])
        }

        func superDecoder(forKey key: Key) throws -> any Decoder {
            NodeDecoder(document: document, node: try value(key), codingPath: codingPath + [key])
        }
    }

    /// A JSON array's items, read in order.
    struct ArrayContainer: UnkeyedDecodingContainer {
        let document: Document
        let codingPath: [any CodingKey]
        private let items: [Int]
        private(set) var currentIndex = 0

        init(document: Document, array: Int, codingPath: [any CodingKey]) {
            self.document = document
            self.codingPath = codingPath
            items = document.items(of: array)
        }

        var count: Int? { items.count }
        var isAtEnd: Bool { currentIndex >= items.count }

        private var itemPath: [any CodingKey] { codingPath + [PathKey(intValue: currentIndex)] }

        /// The next item's node, moving past it.
        private mutating func next(_ type: Any.Type) throws -> Int {
            guard !isAtEnd else {
                throw DecodingError.valueNotFound(type, .init(codingPath: itemPath, debugDescription: "Unkeyed container is at end."))
            }
            defer { currentIndex += 1 }
            return items[currentIndex]
        }

        /// Reads the next item with `read` (given the document, the item's node and, when it needs one, its coding path), moving
        /// past it only when that succeeds.
        private mutating func read<T>(_ type: T.Type, _ read: (_ document: Document, _ node: Int, _ path: () -> [any CodingKey]) throws -> T) throws
            -> T
        {
            guard !isAtEnd else {
                throw DecodingError.valueNotFound(type, .init(codingPath: itemPath, debugDescription: "Unkeyed container is at end."))
            }
            let (index, codingPath) = (currentIndex, codingPath)
            let value = try read(document, items[index]) { codingPath + [PathKey(intValue: index)] }
            currentIndex += 1
            return value
        }

        mutating func decodeNil() throws -> Bool {
            guard !isAtEnd else {
                throw DecodingError.valueNotFound(Any?.self, .init(codingPath: itemPath, debugDescription: "Unkeyed container is at end."))
            }
            guard document.isNull(items[currentIndex]) else { return false }
            currentIndex += 1
            return true
        }

        mutating func decode(_ type: Bool.Type) throws -> Bool { try read(type) { try $0.bool(at: $1, path: $2()) } }
        mutating func decode(_ type: String.Type) throws -> String { try read(type) { try $0.string(at: $1, path: $2()) } }
        mutating func decode(_ type: Double.Type) throws -> Double { try read(type) { try $0.double(at: $1, path: $2()) } }
        mutating func decode(_ type: Float.Type) throws -> Float { try read(type) { try $0.float(at: $1, path: $2()) } }
        mutating func decode(_ type: Int.Type) throws -> Int { try integer(type) }
        mutating func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
        mutating func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
        mutating func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
        mutating func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
        mutating func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
        mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
        mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
        mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
        mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try read(type) { try $0.value(type, at: $1, path: $2()) } }

        private mutating func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
            try read(type) { try $0.integer(type, at: $1, path: $2()) }
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            try read(KeyedDecodingContainer<NestedKey>.self) { try NodeDecoder(document: $0, node: $1, codingPath: $2()).container(keyedBy: type) }
        }

        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            try read((any UnkeyedDecodingContainer).self) { try NodeDecoder(document: $0, node: $1, codingPath: $2()).unkeyedContainer() }
        }

        mutating func superDecoder() throws -> any Decoder {
            let path = itemPath
            return NodeDecoder(document: document, node: try next((any Decoder).self), codingPath: path)
        }
    }
}
