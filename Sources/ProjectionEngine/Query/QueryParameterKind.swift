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
            // The day is checked on its own: RFC 3339 parsing takes 2026-02-30T… as March 2nd.
            guard Self.isDay(text.prefix(10)), let time = Timestamp(rfc3339: text) else {
                throw .invalidParameter(name: name, reason: Self.timeReason)
            }
            return .text(time.description)
        }
    }

    private static let timeReason = "must be a day (YYYY-MM-DD) or an RFC 3339 time (2026-11-27T10:03:43Z)"

    /// `YYYY-MM-DD` naming a day that exists (no 2026-02-30): the log's own RFC 3339 reading of its
    /// midnight, which takes any day up to 31 and counts on from there, must give back the same day.
    static func isDay(_ text: some StringProtocol) -> Bool {
        text.utf8.count == 10 && Timestamp(rfc3339: String(text) + "T00:00:00Z")?.description.hasPrefix(text) == true
    }
}
