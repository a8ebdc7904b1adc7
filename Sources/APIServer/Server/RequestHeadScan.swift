/// An HTTP/1.1 request head read strictly from the start of a connection's bytes, for `ReadyReadFront`:
/// enough to answer a ready read, and to know where the request ends so that every other request can be
/// handed to the HTTP decoder whole.
///
/// Strict on purpose. The front and NIO's decoder (llhttp) must agree on where each request ends, or
/// bytes of one request could be read as another (request smuggling). So a head is framed here only when
/// it is plain RFC 9112 that any parser reads the same way: CRLF line ends, a request line of a method the
/// API serves, one space, an origin-form target, one space and `HTTP/1.0` or `HTTP/1.1`; header names of token
/// characters followed at once by a colon; values of visible characters, spaces and tabs; at most one
/// `Content-Length` of digits only; no `Transfer-Encoding`. Anything else is `.unframed`: the front then
/// passes the connection's bytes to the decoder from there on and frames nothing more, so the decoder
/// alone decides (and answers its own 400 where it must).
struct RequestHeadScan {
    /// What the start of the bytes holds.
    enum Outcome {
        /// No blank line yet, within `limit` bytes: wait for more.
        case incomplete
        /// Not plain HTTP/1.1 (see above), or no head within `limit` bytes.
        case unframed
        case head(RequestHeadScan)
    }

    /// The head's length in bytes, through its blank line.
    let length: Int
    /// The body's length (`Content-Length`, else 0): the request ends `length + bodyLength` bytes in.
    let bodyLength: Int
    /// A `GET` with no `Content-Length` and no `Expect` that keeps the framing: the only requests the
    /// front may answer itself.
    let isPlainGet: Bool
    /// HTTP/1.0, a `Connection` other than `keep-alive` (`close`, `upgrade`, …) or an `Upgrade`: what
    /// follows the request on the connection is not a next request the decoder will read as such (it
    /// refuses bytes after `close`), so the front frames nothing more after it.
    let endsFraming: Bool
    /// The request target (path and query), as sent.
    let target: String
    /// `Authorization` and `If-None-Match`; `isRepeated` when either appears more than once (the router
    /// reads a repeated field's values joined, which the front leaves to it).
    let authorization: String?
    let ifNoneMatch: String?
    let isRepeated: Bool

    /// Scans `bytes` (a connection's unread bytes) for a request head of at most `limit` bytes.
    /// `searched`: how many of them an earlier scan already found no head end in (it said `.incomplete`),
    /// so that a head arriving a byte at a time is searched once in all, not once per byte.
    static func scan(_ bytes: UnsafeRawBufferPointer, limit: Int, searched: Int = 0) -> Outcome {
        guard let end = headEnd(bytes, limit: limit, from: searched) else { return bytes.count >= limit ? .unframed : .incomplete }
        return parse(UnsafeRawBufferPointer(rebasing: bytes[0..<end])).map(Outcome.head) ?? .unframed
    }

    /// The offset just past the first CRLF CRLF ending at or after `from`, if it lies within `limit` bytes.
    private static func headEnd(_ bytes: UnsafeRawBufferPointer, limit: Int, from: Int) -> Int? {
        let count = min(bytes.count, limit)
        var index = max(3, from)
        while index < count {
            // Step by the last byte of the terminator: most positions are rejected by one comparison.
            let byte = bytes[index]
            if byte == lf {
                if bytes[index - 1] == cr, bytes[index - 2] == lf, bytes[index - 3] == cr { return index + 1 }
                index += 2
            } else if byte == cr {
                index += 1
            } else {
                index += 4
            }
        }
        return nil
    }

    /// Parses a whole head (through its blank line); nil when it is not plain HTTP/1.1.
    private static func parse(_ head: UnsafeRawBufferPointer) -> RequestHeadScan? {
        var lines = LineReader(bytes: head)
        guard let requestLine = lines.next() else { return nil }
        // method SP target SP version
        guard let firstSpace = requestLine.firstIndex(of: space), firstSpace > requestLine.startIndex else { return nil }
        let method = requestLine[requestLine.startIndex..<firstSpace]
        // The methods the API serves; llhttp refuses methods it does not know, so no others are framed.
        guard methods.contains(where: { method.elementsEqual($0.utf8) }) else { return nil }
        let targetStart = firstSpace + 1
        guard let secondSpace = requestLine[targetStart...].firstIndex(of: space), secondSpace > targetStart else { return nil }
        let target = requestLine[targetStart..<secondSpace]
        guard target.first == slash, target.allSatisfy({ $0 > space && $0 < 0x7F }) else { return nil }
        let version = requestLine[(secondSpace + 1)...]
        guard version.elementsEqual("HTTP/1.1".utf8) || version.elementsEqual("HTTP/1.0".utf8) else { return nil }
        let isHTTP11 = version.last == UInt8(ascii: "1")

        var bodyLength: Int?
        var authorization: String?
        var ifNoneMatch: String?
        var isRepeated = false
        var endsFraming = !isHTTP11
        var expects = false
        var ended = false
        // Lines up to the blank one; a bare CR or LF before it ends the reading early, and the head is not plain.
        while let line = lines.next() {
            if line.isEmpty {
                ended = true
                break
            }
            guard let colon = line.firstIndex(of: colonByte), colon > line.startIndex else { return nil }
            let name = line[line.startIndex..<colon]
            guard name.allSatisfy(isTokenByte) else { return nil }
            var valueStart = colon + 1
            var valueEnd = line.endIndex
            while valueStart < valueEnd, line[valueStart] == space || line[valueStart] == tab { valueStart += 1 }
            while valueEnd > valueStart, line[valueEnd - 1] == space || line[valueEnd - 1] == tab { valueEnd -= 1 }
            let value = line[valueStart..<valueEnd]
            guard value.allSatisfy(isFieldValueByte) else { return nil }

            switch name.count {
            case 13 where equalsIgnoringCase(name, "authorization"):
                if authorization != nil { isRepeated = true }
                authorization = String(decoding: value, as: UTF8.self)
            case 13 where equalsIgnoringCase(name, "if-none-match"):
                if ifNoneMatch != nil { isRepeated = true }
                ifNoneMatch = String(decoding: value, as: UTF8.self)
            case 14 where equalsIgnoringCase(name, "content-length"):
                // One, of digits only: a list, a sign or a second one is the decoder's to refuse.
                guard bodyLength == nil, !value.isEmpty, value.count <= 15, value.allSatisfy(isDigit) else { return nil }
                bodyLength = value.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
            case 17 where equalsIgnoringCase(name, "transfer-encoding"):
                return nil
            case 10 where equalsIgnoringCase(name, "connection"):
                if !equalsIgnoringCase(value, "keep-alive") { endsFraming = true }
            case 7 where equalsIgnoringCase(name, "upgrade"):
                endsFraming = true
            case 6 where equalsIgnoringCase(name, "expect"):
                expects = true
            default:
                break
            }
        }
        guard ended else { return nil }
        let isGet = method.elementsEqual("GET".utf8)
        return RequestHeadScan(
            length: head.count, bodyLength: bodyLength ?? 0,
            isPlainGet: isGet && bodyLength == nil && !expects && !endsFraming, endsFraming: endsFraming,
            target: String(decoding: target, as: UTF8.self), authorization: authorization, ifNoneMatch: ifNoneMatch,
            isRepeated: isRepeated)
    }

    /// The head's lines, each without its CRLF; nil at a bare CR or LF, which is not plain HTTP/1.1.
    private struct LineReader {
        let bytes: UnsafeRawBufferPointer
        var offset = 0

        mutating func next() -> Slice<UnsafeRawBufferPointer>? {
            var index = offset
            while index < bytes.count {
                let byte = bytes[index]
                if byte == cr {
                    guard index + 1 < bytes.count, bytes[index + 1] == lf else { return nil }
                    let line = bytes[offset..<index]
                    offset = index + 2
                    return line
                }
                if byte == lf { return nil }
                index += 1
            }
            return nil
        }
    }

    private static func equalsIgnoringCase(_ bytes: Slice<UnsafeRawBufferPointer>, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        return lowercase.withUTF8Buffer { expected in
            zip(bytes, expected).allSatisfy { byte, wanted in
                // ASCII letters differ from their capitals by 0x20 alone.
                byte == wanted || (wanted >= UInt8(ascii: "a") && wanted <= UInt8(ascii: "z") && byte == wanted - 0x20)
            }
        }
    }

    /// RFC 9110 §5.6.2 `tchar`.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    /// RFC 9110 §5.5 `field-vchar`, space and tab (the value's inner whitespace).
    private static func isFieldValueByte(_ byte: UInt8) -> Bool {
        byte == tab || (byte >= space && byte != 0x7F)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}

private let methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
private let cr = UInt8(ascii: "\r")
private let lf = UInt8(ascii: "\n")
private let space = UInt8(ascii: " ")
private let tab = UInt8(ascii: "\t")
private let slash = UInt8(ascii: "/")
private let colonByte = UInt8(ascii: ":")
