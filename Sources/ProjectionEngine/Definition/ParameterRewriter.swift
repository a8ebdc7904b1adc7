/// Renames a definition's `:name` and `:dotted.name` parameters to `:pN`, outside string literals, quoted
/// identifiers and comments. SQLite's tokenizer stops a parameter name at a dot, so `:data.taskID` must be
/// renamed before SQLite sees it; newlines are untouched, so line numbers stay right.
struct ParameterRewriter {
    /// The rewritten text.
    private(set) var sql: [UInt8] = []
    /// `N` of `:pN` → the name written in the file.
    private(set) var names: [String] = []

    init(_ text: String) {
        let bytes = Array(text.utf8)
        sql.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "`"):
                index = copyQuoted(bytes, from: index, closing: byte)
            case UInt8(ascii: "["):
                index = copyQuoted(bytes, from: index, closing: UInt8(ascii: "]"))
            case UInt8(ascii: "-") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "-"):
                let end = bytes[index...].firstIndex(of: 0x0A) ?? bytes.count
                sql.append(contentsOf: bytes[index..<end])
                index = end
            case UInt8(ascii: "/") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "*"):
                var end = index + 2
                while end + 1 < bytes.count, !(bytes[end] == UInt8(ascii: "*") && bytes[end + 1] == UInt8(ascii: "/")) { end += 1 }
                end = min(end + 2, bytes.count)
                sql.append(contentsOf: bytes[index..<end])
                index = end
            case UInt8(ascii: ":") where index + 1 < bytes.count && isNameByte(bytes[index + 1]):
                index = rewriteParameter(bytes, from: index)
            default:
                sql.append(byte)
                index += 1
            }
        }
    }

    var text: String { String(decoding: sql, as: UTF8.self) }

    private mutating func copyQuoted(_ bytes: [UInt8], from start: Int, closing: UInt8) -> Int {
        var index = start + 1
        while index < bytes.count {
            if bytes[index] == closing {
                // A doubled quote is an escaped quote, not the end.
                if closing != UInt8(ascii: "]"), index + 1 < bytes.count, bytes[index + 1] == closing {
                    index += 2
                    continue
                }
                index += 1
                break
            }
            index += 1
        }
        sql.append(contentsOf: bytes[start..<min(index, bytes.count)])
        return index
    }

    private mutating func rewriteParameter(_ bytes: [UInt8], from start: Int) -> Int {
        var index = start + 1
        while index < bytes.count {
            if isNameByte(bytes[index]) {
                index += 1
            } else if bytes[index] == UInt8(ascii: "."), index + 1 < bytes.count, isNameByte(bytes[index + 1]) {
                index += 1
            } else {
                break
            }
        }
        let name = String(decoding: bytes[(start + 1)..<index], as: UTF8.self)
        sql.append(contentsOf: ":p\(names.count)".utf8)
        names.append(name)
        return index
    }
}

private func isNameByte(_ byte: UInt8) -> Bool {
    (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
        || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
}
