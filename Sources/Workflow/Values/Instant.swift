/// A point in time as microseconds since the Unix epoch, UTC.
///
/// The domain never reads a clock: the command service passes `now` in, so a decision is a pure
/// function of its inputs and replays give the same answer. In JSON an instant is RFC 3339 text in UTC
/// with microseconds (`2026-11-27T10:03:43.123456Z`), so payloads read well under `lz4 -dc | jq`.
public struct Instant: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let unixMicros: Int64

    public init(unixMicros: Int64) { self.unixMicros = unixMicros }

    /// The instant `seconds` later (earlier when negative), saturating instead of overflowing.
    public func adding(seconds: Int64) -> Instant {
        let (micros, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000)
        guard !overflow else { return Instant(unixMicros: seconds > 0 ? .max : .min) }
        let (sum, overflowSum) = unixMicros.addingReportingOverflow(micros)
        return Instant(unixMicros: overflowSum ? (micros > 0 ? .max : .min) : sum)
    }

    public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.unixMicros < rhs.unixMicros }

    /// RFC 3339 in UTC with six fraction digits.
    public var description: String {
        var days = unixMicros / 86_400_000_000
        var rest = unixMicros % 86_400_000_000
        if rest < 0 {
            rest += 86_400_000_000
            days -= 1
        }
        let date = CalendarDate(daysSinceEpoch: days)
        let seconds = rest / 1_000_000
        return date.description + "T" + padded(seconds / 3600, 2) + ":" + padded(seconds / 60 % 60, 2) + ":"
            + padded(seconds % 60, 2) + "." + padded(rest % 1_000_000, 6) + "Z"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction]Z` (UTC only: the domain writes nothing else).
    public init?(rfc3339 text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"),
            bytes[16] == UInt8(ascii: ":"), bytes.last == UInt8(ascii: "Z"),
            let date = CalendarDate(iso: String(decoding: bytes[0..<10], as: UTF8.self)),
            let hour = decimal(bytes[11..<13]), let minute = decimal(bytes[14..<16]), let second = decimal(bytes[17..<19]),
            hour < 24, minute < 60, second < 60
        else { return nil }
        var micros: Int64 = 0
        if bytes.count > 20 {
            guard bytes[19] == UInt8(ascii: "."), bytes.count - 21 >= 1, bytes.count - 21 <= 6,
                let fraction = decimal(bytes[20..<(bytes.count - 1)])
            else { return nil }
            micros = fraction
            for _ in 0..<(6 - (bytes.count - 21)) { micros *= 10 }
        } else {
            guard bytes.count == 20 else { return nil }
        }
        let seconds = date.daysSinceEpoch * 86_400 + hour * 3600 + minute * 60 + second
        self.init(unixMicros: seconds * 1_000_000 + micros)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let instant = Instant(rfc3339: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an RFC 3339 UTC time: \(text)")
        }
        self = instant
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// `value` in decimal, zero-padded to `width` digits.
func padded(_ value: Int64, _ width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}

/// The ASCII digits in `bytes` as a number; nil if any byte is not a digit or there are none.
func decimal(_ bytes: ArraySlice<UInt8>) -> Int64? {
    guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
    var value: Int64 = 0
    for byte in bytes {
        guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
        value = value * 10 + Int64(byte - UInt8(ascii: "0"))
    }
    return value
}
