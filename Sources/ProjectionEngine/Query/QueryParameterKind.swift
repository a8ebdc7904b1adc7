import EventLog

extension QueryParameter.Kind {
    /// `value` as the query binds it, or the error naming the parameter when it is not of this kind.
    func checked(_ value: QueryValue, name: String) throws(ProjectionError) -> QueryValue {
        if case .null = value { return value }
        switch self {
        case .text:
            return value
        case .integer:
            guard case .integer = value else { throw .invalidParameter(name: name, reason: "must be a whole number") }
            return value
        case .date:
            guard case .text(let text) = value, Self.isDay(text) else {
                throw .invalidParameter(name: name, reason: "must be a day, YYYY-MM-DD")
            }
            return value
        case .time:
            guard case .text(let text) = value else { throw .invalidParameter(name: name, reason: Self.timeReason) }
            if Self.isDay(text) { return value }
            guard let time = Timestamp(rfc3339: text) else { throw .invalidParameter(name: name, reason: Self.timeReason) }
            return .text(time.description)
        }
    }

    private static let timeReason = "must be a day (YYYY-MM-DD) or an RFC 3339 time (2026-11-27T10:03:43Z)"

    /// `YYYY-MM-DD` naming a day that exists (no 2026-02-30).
    static func isDay(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return false }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else { return nil }
                value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), year >= 1, (1...12).contains(month) else {
            return false
        }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return (1...days).contains(day)
    }
}
