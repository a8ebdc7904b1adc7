/// Replaces string values inside a compact JSON document, addressed by JSON Pointers (RFC 6901),
/// without re-encoding anything else: the bytes around each replaced value stay as they were.
enum JSONPointerEdit {
    /// Why a pointer cannot be redacted.
    struct Failure: Error, Equatable {
        let reason: String
    }

    /// `json` with the string at each pointer replaced by `replacement` (a JSON string's text).
    static func replacingStrings(in json: [UInt8], at pointers: [String], with replacement: String) throws(Failure) -> [UInt8] {
        var ranges: [Range<Int>] = []
        for pointer in pointers {
            let located: Result<Range<Int>, Failure> = json.withUnsafeBytes { bytes in
                do throws(Failure) { return .success(try locate(pointer, in: bytes)) } catch { return .failure(error) }
            }
            let range = try located.get()
            guard json[range.lowerBound] == UInt8(ascii: "\"") else {
                throw Failure(reason: "\(pointer) is not a string (only strings are redacted, so payloads keep their shape)")
            }
            ranges.append(range)
        }
        var encoded: [UInt8] = []
        JSONText.appendString(replacement, to: &encoded)
        var out = json
        for range in Set(ranges).sorted(by: { $0.lowerBound > $1.lowerBound }) {
            out.replaceSubrange(range, with: encoded)
        }
        return out
    }

    /// The byte range of the value at `pointer`.
    static func locate(_ pointer: String, in bytes: UnsafeRawBufferPointer) throws(Failure) -> Range<Int> {
        guard pointer.hasPrefix("/") else { throw Failure(reason: "\(pointer) is not a JSON Pointer (it must start with /)") }
        var range = 0..<bytes.count
        for token in pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            switch bytes[range.lowerBound] {
            case UInt8(ascii: "{"):
                var found: Range<Int>?
                _ = EnvelopeCodec.forEachMember(bytes, line: range) { name, value in
                    if JSONText.decodeString(bytes, name) == key { found = value }
                    return found == nil
                }
                guard let found else { throw Failure(reason: "\(pointer): no member \(key)") }
                range = found
            case UInt8(ascii: "["):
                guard let wanted = Int(key), wanted >= 0 else { throw Failure(reason: "\(pointer): \(key) is not an array index") }
                var index = range.lowerBound + 1
                var element = 0
                var found: Range<Int>?
                while index < range.upperBound - 1, bytes[index] != UInt8(ascii: "]") {
                    guard let end = EnvelopeCodec.skipValue(bytes, index, range.upperBound) else { break }
                    if element == wanted {
                        found = index..<end
                        break
                    }
                    element += 1
                    index = end
                    if index < range.upperBound, bytes[index] == UInt8(ascii: ",") { index += 1 }
                }
                guard let found else { throw Failure(reason: "\(pointer): no element \(key)") }
                range = found
            default:
                throw Failure(reason: "\(pointer): \(key) goes into a value that is neither an object nor an array")
            }
        }
        return range
    }
}

extension Substring {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        String(self).split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
