import Foundation

/// The opaque `next` cursor: the query's name and the last returned row's cursor-column values, length-
/// prefixed (so any text round-trips) and base64url-encoded without padding.
enum QueryCursor {
    static func encode(query: String, values: [QueryValue]) -> String {
        var text = "\(query.utf8.count):\(query)"
        for value in values {
            switch value {
            case .null: text += "n"
            case .integer(let number): text += "i\(number);"
            case .real(let number): text += "r\(number.bitPattern);"
            case .text(let string), .json(let string): text += "t\(string.utf8.count):\(string)"
            }
        }
        return Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The values, or nil when the cursor is malformed or belongs to another query.
    static func decode(_ cursor: String, query: String, count: Int) -> [QueryValue]? {
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64) else { return nil }
        var bytes = ArraySlice(data)
        guard let name = lengthPrefixed(&bytes), name == query else { return nil }
        var values: [QueryValue] = []
        while let tag = bytes.popFirst() {
            switch tag {
            case UInt8(ascii: "n"): values.append(.null)
            case UInt8(ascii: "i"):
                guard let number = terminated(&bytes).flatMap({ Int64($0) }) else { return nil }
                values.append(.integer(number))
            case UInt8(ascii: "r"):
                guard let bits = terminated(&bytes).flatMap({ UInt64($0) }) else { return nil }
                values.append(.real(Double(bitPattern: bits)))
            case UInt8(ascii: "t"):
                guard let text = lengthPrefixed(&bytes) else { return nil }
                values.append(.text(text))
            default: return nil
            }
        }
        return values.count == count ? values : nil
    }

    private static func terminated(_ bytes: inout ArraySlice<UInt8>) -> String? {
        guard let end = bytes.firstIndex(of: UInt8(ascii: ";")) else { return nil }
        defer { bytes = bytes[(end + 1)...] }
        return String(decoding: bytes[..<end], as: UTF8.self)
    }

    private static func lengthPrefixed(_ bytes: inout ArraySlice<UInt8>) -> String? {
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), let count = Int(String(decoding: bytes[..<colon], as: UTF8.self)),
            count >= 0, bytes.endIndex - (colon + 1) >= count
        else { return nil }
        let start = colon + 1
        defer { bytes = bytes[(start + count)...] }
        return String(validating: bytes[start..<(start + count)], as: UTF8.self)
    }
}
