/// Checks that bytes are one JSON value (RFC 8259, UTF-8) and copies it without insignificant white
/// space, so that it fits on one line of a segment.
///
/// Why hand-written: it runs on every appended event; Foundation's `JSONSerialization` costs ~5 µs per
/// event and re-encodes numbers and strings, while this copies the bytes as given in one pass.
struct JSONCompactor {
    /// Why a value was refused, with the byte offset where it went wrong.
    struct Failure: Error, Equatable {
        let offset: Int
        let reason: String
    }

    let depthMax: Int

    /// Validates `input` and appends its compact form to `output`.
    func compact(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(Failure) {
        var scanner = Scanner(bytes: input, depthMax: depthMax)
        output.reserveCapacity(output.count + input.count)
        scanner.skipWhitespace()
        try scanner.value(into: &output, depth: 0)
        scanner.skipWhitespace()
        guard scanner.index == input.count else { throw Failure(offset: scanner.index, reason: "unexpected bytes after the value") }
    }

    /// Validates `input` and returns its compact form.
    func compact(_ input: [UInt8]) throws(Failure) -> [UInt8] {
        var output: [UInt8] = []
        let failure: Failure? = input.withUnsafeBytes { raw in
            do throws(Failure) {
                try compact(raw, into: &output)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
        return output
    }

    private struct Scanner {
        let bytes: UnsafeRawBufferPointer
        let depthMax: Int
        var index = 0

        init(bytes: UnsafeRawBufferPointer, depthMax: Int) {
            self.bytes = bytes
            self.depthMax = depthMax
        }

        func fail(_ reason: String) -> Failure { Failure(offset: index, reason: reason) }

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        mutating func value(into out: inout [UInt8], depth: Int) throws(Failure) {
            guard index < bytes.count else { throw fail("unexpected end of input") }
            switch bytes[index] {
            case UInt8(ascii: "{"): try object(into: &out, depth: depth + 1)
            case UInt8(ascii: "["): try array(into: &out, depth: depth + 1)
            case UInt8(ascii: "\""): try string(into: &out)
            case UInt8(ascii: "t"): try literal("true", into: &out)
            case UInt8(ascii: "f"): try literal("false", into: &out)
            case UInt8(ascii: "n"): try literal("null", into: &out)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number(into: &out)
            default: throw fail("unexpected character")
            }
        }

        mutating func object(into out: inout [UInt8], depth: Int) throws(Failure) {
            guard depth <= depthMax else { throw fail("nested deeper than \(depthMax) levels") }
            out.append(UInt8(ascii: "{"))
            index += 1
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                out.append(UInt8(ascii: "}"))
                return
            }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
                try string(into: &out)
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                index += 1
                out.append(UInt8(ascii: ":"))
                skipWhitespace()
                try value(into: &out, depth: depth)
                skipWhitespace()
                guard index < bytes.count else { throw fail("unexpected end of input in an object") }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                    out.append(UInt8(ascii: ","))
                } else if bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    out.append(UInt8(ascii: "}"))
                    return
                } else {
                    throw fail("expected ',' or '}'")
                }
            }
        }

        mutating func array(into out: inout [UInt8], depth: Int) throws(Failure) {
            guard depth <= depthMax else { throw fail("nested deeper than \(depthMax) levels") }
            out.append(UInt8(ascii: "["))
            index += 1
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                out.append(UInt8(ascii: "]"))
                return
            }
            while true {
                skipWhitespace()
                try value(into: &out, depth: depth)
                skipWhitespace()
                guard index < bytes.count else { throw fail("unexpected end of input in an array") }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                    out.append(UInt8(ascii: ","))
                } else if bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    out.append(UInt8(ascii: "]"))
                    return
                } else {
                    throw fail("expected ',' or ']'")
                }
            }
        }

        mutating func literal(_ word: StaticString, into out: inout [UInt8]) throws(Failure) {
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count else { throw fail("unexpected end of input") }
            for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] {
                throw fail("unexpected character")
            }
            out.append(contentsOf: UnsafeBufferPointer(start: word.utf8Start, count: count))
            index += count
        }

        mutating func number(into out: inout [UInt8]) throws(Failure) {
            let start = index
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw fail("expected a digit") }
            if bytes[index] == UInt8(ascii: "0") {
                index += 1
            } else {
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                guard index < bytes.count, isDigit(bytes[index]) else { throw fail("expected a digit after '.'") }
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                guard index < bytes.count, isDigit(bytes[index]) else { throw fail("expected a digit in the exponent") }
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
        }

        /// Copies a string as given (escapes stay escaped), checking escapes and UTF-8.
        mutating func string(into out: inout [UInt8]) throws(Failure) {
            let start = index
            index += 1
            while true {
                guard index < bytes.count else { throw fail("unterminated string") }
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    break
                } else if byte == UInt8(ascii: "\\") {
                    index += 1
                    guard index < bytes.count else { throw fail("unterminated escape") }
                    switch bytes[index] {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                        UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        index += 1
                    case UInt8(ascii: "u"):
                        guard index + 4 < bytes.count, hexValue(bytes[index + 1]) != nil, hexValue(bytes[index + 2]) != nil,
                            hexValue(bytes[index + 3]) != nil, hexValue(bytes[index + 4]) != nil
                        else { throw fail("invalid \\u escape") }
                        index += 5
                    default:
                        throw fail("invalid escape")
                    }
                } else if byte < 0x20 {
                    throw fail("control character in a string")
                } else if byte < 0x80 {
                    index += 1
                } else {
                    try utf8Sequence()
                }
            }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
        }

        /// Checks one multi-byte UTF-8 sequence (RFC 3629: no overlongs, no surrogates, ≤ U+10FFFF).
        mutating func utf8Sequence() throws(Failure) {
            let lead = bytes[index]
            let length: Int
            var lower: UInt8 = 0x80
            var upper: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0:
                length = 3
                lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED:
                length = 3
                upper = 0x9F
            case 0xF0:
                length = 4
                lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4:
                length = 4
                upper = 0x8F
            default: throw fail("invalid UTF-8")
            }
            guard index + length <= bytes.count else { throw fail("truncated UTF-8") }
            let second = bytes[index + 1]
            guard second >= lower, second <= upper else { throw fail("invalid UTF-8") }
            for offset in 2..<max(2, length) where bytes[index + offset] & 0xC0 != 0x80 {
                throw fail("invalid UTF-8")
            }
            index += length
        }
    }
}

@inline(__always)
func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
