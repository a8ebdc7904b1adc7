import EventLog

/// A JSON decoder for stored event payloads: the values Foundation's `JSONDecoder` gave for the same
/// bytes (a test decodes every event of the fixture histories both ways and compares), at a fraction
/// of the cost.
///
/// Why not Foundation's: a command on an aggregate the cache no longer holds replays that aggregate's
/// stream, and decoding the payloads was then a quarter of the service's CPU time (the command
/// benchmark with a cache smaller than its workspace): per event a `JSONDecoder`, a copy of the bytes
/// into `Data`, a tree of boxed values, and a dynamic cast of every value against `Date`, `Data`, `URL`
/// and `Decimal`. This one indexes the bytes where they lie (`JSONTape`, one pass, no copy) and reads
/// each value from them when it is asked for, comparing metatypes rather than casting.
///
/// Behaviour, as Foundation's: a missing key throws `keyNotFound`; `null` where a value is required,
/// `valueNotFound`; a value of another JSON type, `typeMismatch`; a number that does not fit the asked
/// type (an integer type given a fraction, or a value out of its range), `dataCorrupted`; text that is
/// not one JSON value, `dataCorrupted`. Unknown keys are ignored. When a key appears twice (the log
/// stores no such payload from the service), the first is read. Where Foundation departs from JSON or
/// from the protocol's contract, this decoder does not: a trailing comma is an error, a null `Bool` is
/// `valueNotFound` like every other null, and `superDecoder()` without a `super` key throws
/// `keyNotFound`.
struct PayloadJSONDecoder {
    /// Decodes a `T` from the JSON value in `bytes`.
    func decode<T: Decodable>(_ type: T.Type, from bytes: ArraySlice<UInt8>) throws -> T {
        try decode(from: bytes) { try T(from: $0) }
    }

    /// Calls `body` with a decoder over the JSON value in `bytes`: for readers that need more than the
    /// decoder (an event body also needs its type and schema version).
    func decode<T>(from bytes: ArraySlice<UInt8>, _ body: (any Decoder) throws -> T) throws -> T {
        let document = Document(bytes)
        guard document.isValid else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "The given data was not valid JSON."))
        }
        return try body(NodeDecoder(document: document, node: 0, codingPath: []))
    }
}

extension PayloadJSONDecoder {
    /// The bytes and their tape, shared by every decoder and container of one `decode` call.
    final class Document {
        private let bytes: ArraySlice<UInt8>
        private let tape: JSONTape

        init(_ bytes: ArraySlice<UInt8>) {
            self.bytes = bytes
            tape = bytes.withUnsafeBytes { JSONTape($0) }
        }

        var isValid: Bool { tape.isValid }

        func node(_ index: Int) -> JSONTape.Node { tape.nodes[index] }

        // MARK: Structure

        /// The value of `key` in the object at `object`, or nil when the object has no such key.
        func member(_ key: some CodingKey, of object: Int) -> Int? {
            var name = key.stringValue
            return name.withUTF8 { name in
                bytes.withUnsafeBytes { bytes in
                    let end = Int(tape.nodes[object].next)
                    var child = object + 1
                    while child < end {
                        let value = child + 1
                        if Self.key(tape.nodes[child], equals: name, in: bytes) { return value }
                        child = Int(tape.nodes[value].next)
                    }
                    return nil
                }
            }
        }

        /// The keys of the object at `object`, in document order.
        func keys(of object: Int) -> [String] {
            bytes.withUnsafeBytes { bytes in
                var keys: [String] = []
                let end = Int(tape.nodes[object].next)
                var child = object + 1
                while child < end {
                    if let key = tape.nodes[child].string(in: bytes) { keys.append(key) }
                    child = Int(tape.nodes[child + 1].next)
                }
                return keys
            }
        }

        /// The items of the array at `array`: the index of each item's node.
        func items(of array: Int) -> [Int] {
            var items: [Int] = []
            let end = Int(tape.nodes[array].next)
            var child = array + 1
            while child < end {
                items.append(child)
                child = Int(tape.nodes[child].next)
            }
            return items
        }

        private static func key(_ node: JSONTape.Node, equals name: UnsafeBufferPointer<UInt8>, in bytes: UnsafeRawBufferPointer) -> Bool {
            if node.hasEscape { return node.string(in: bytes).map { $0.utf8.elementsEqual(name) } ?? false }
            let start = Int(node.start)
            guard Int(node.end) - start == name.count else { return false }
            for offset in 0..<name.count where bytes[start + offset] != name[offset] { return false }
            return true
        }

        // MARK: Values

        /// The node at `index` checked to be an object or array (`kind`), for a container.
        func expect(_ kind: JSONTape.Kind, at index: Int, as type: Any.Type, path: @autoclosure () -> [any CodingKey]) throws {
            let found = tape.nodes[index].kind
            guard found != kind else { return }
            throw mismatch(type, found: found, path: path())
        }

        func isNull(_ index: Int) -> Bool { tape.nodes[index].kind == .null }

        func bool(at index: Int, path: @autoclosure () -> [any CodingKey]) throws -> Bool {
            switch tape.nodes[index].kind {
            case .true: return true
            case .false: return false
            case let kind: throw mismatch(Bool.self, found: kind, path: path())
            }
        }

        func string(at index: Int, path: @autoclosure () -> [any CodingKey]) throws -> String {
            let node = tape.nodes[index]
            guard node.kind == .string else { throw mismatch(String.self, found: node.kind, path: path()) }
            guard let text = bytes.withUnsafeBytes({ node.string(in: $0) }) else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: path(), debugDescription: "The string is not valid JSON text (escapes or UTF-8)."))
            }
            return text
        }

        func double(at index: Int, path: @autoclosure () -> [any CodingKey]) throws -> Double {
            let node = tape.nodes[index]
            guard node.kind == .integer || node.kind == .real else { throw mismatch(Double.self, found: node.kind, path: path()) }
            let text = numberText(node)
            guard let value = Double(text), value.isFinite else {
                throw DecodingError.dataCorrupted(.init(codingPath: path(), debugDescription: "Number \(text) is not representable in Swift."))
            }
            return value
        }

        func float(at index: Int, path: @autoclosure () -> [any CodingKey]) throws -> Float {
            let value = try double(at: index, path: path())
            guard value.magnitude <= Double(Float.greatestFiniteMagnitude) else {
                throw DecodingError.dataCorrupted(.init(codingPath: path(), debugDescription: "Number \(value) does not fit in Float."))
            }
            return Float(value)
        }

        func integer<T: FixedWidthInteger>(_ type: T.Type, at index: Int, path: @autoclosure () -> [any CodingKey]) throws -> T {
            let node = tape.nodes[index]
            switch node.kind {
            case .integer:
                let parsed = bytes.withUnsafeBytes {
                    Self.parseInteger(T.self, UnsafeRawBufferPointer(rebasing: $0[Int(node.start)..<Int(node.end)]))
                }
                if let parsed { return parsed }
            case .real:
                // `1e3` or `2.0` is an integer if its value is one, as for Foundation.
                if let value = Double(numberText(node)), let exact = T(exactly: value) { return exact }
            case let kind:
                throw mismatch(T.self, found: kind, path: path())
            }
            throw DecodingError.dataCorrupted(.init(codingPath: path(), debugDescription: "Number \(numberText(node)) does not fit in \(T.self)."))
        }

        /// A fast path for the scalars a payload is mostly made of: their metatypes are compared (a dynamic
        /// cast per value is what makes Foundation's decoder slow); anything else decodes itself.
        func value<T: Decodable>(_ type: T.Type, at index: Int, path: @autoclosure () -> [any CodingKey]) throws -> T {
            if T.self == String.self { return unsafeBitCast(try string(at: index, path: path()), to: T.self) }
            if T.self == Int.self { return unsafeBitCast(try integer(Int.self, at: index, path: path()), to: T.self) }
            if T.self == Bool.self { return unsafeBitCast(try bool(at: index, path: path()), to: T.self) }
            if T.self == Int64.self { return unsafeBitCast(try integer(Int64.self, at: index, path: path()), to: T.self) }
            if T.self == UInt64.self { return unsafeBitCast(try integer(UInt64.self, at: index, path: path()), to: T.self) }
            if T.self == Double.self { return unsafeBitCast(try double(at: index, path: path()), to: T.self) }
            return try T(from: NodeDecoder(document: self, node: index, codingPath: path()))
        }

        private func numberText(_ node: JSONTape.Node) -> String {
            bytes.withUnsafeBytes { String(decoding: UnsafeRawBufferPointer(rebasing: $0[Int(node.start)..<Int(node.end)]), as: UTF8.self) }
        }

        /// Decimal digits with an optional leading minus; nil when not that or out of `T`'s range.
        private static func parseInteger<T: FixedWidthInteger>(_ type: T.Type, _ text: UnsafeRawBufferPointer) -> T? {
            let negative = text.first == UInt8(ascii: "-")
            var index = negative ? 1 : 0
            guard index < text.count else { return nil }
            var value: T = 0
            while index < text.count {
                let digit = text[index] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                let (shifted, overflowed) = value.multipliedReportingOverflow(by: 10)
                let (next, overflowedAgain) =
                    negative ? shifted.subtractingReportingOverflow(T(digit)) : shifted.addingReportingOverflow(T(digit))
                guard !overflowed, !overflowedAgain else { return nil }
                value = next
                index += 1
            }
            return value
        }

        // MARK: Errors

        func mismatch(_ type: Any.Type, found: JSONTape.Kind, path: [any CodingKey]) -> DecodingError {
            if found == .null {
                return .valueNotFound(type, .init(codingPath: path, debugDescription: "Expected \(type) value but found null instead."))
            }
            return .typeMismatch(
                type, .init(codingPath: path, debugDescription: "Expected to decode \(type) but found \(Self.describe(found)) instead."))
        }

        private static func describe(_ kind: JSONTape.Kind) -> String {
            switch kind {
            case .object: "a dictionary"
            case .array: "an array"
            case .string: "a string"
            case .integer, .real: "a number"
            case .true, .false: "a boolean"
            case .null: "null"
            }
        }
    }

    /// A coding-path element the decoder makes: an array index, or `super`.
    struct PathKey: CodingKey {
        let stringValue: String
        let intValue: Int?

        init(stringValue: String) {
            self.stringValue = stringValue
            intValue = nil
        }

        init(intValue: Int) {
            stringValue = "Index \(intValue)"
            self.intValue = intValue
        }

        static let `super` = PathKey(stringValue: "super")
    }
}
