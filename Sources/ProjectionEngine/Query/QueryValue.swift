/// A value passed to or returned by a query: what SQLite stores, plus parsed JSON for `_json` columns.
public enum QueryValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    /// JSON text from a `_json` column, emitted as JSON rather than as a string.
    case json(String)

    /// Reads a command-line or query-string value: an integer, then a real, else text. `null` is NULL.
    public init(parsing text: String) {
        if text == "null" {
            self = .null
        } else if let integer = Int64(text) {
            self = .integer(integer)
        } else if let real = Double(text), real.isFinite, text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) {
            self = .real(real)
        } else {
            self = .text(text)
        }
    }

    /// The value as JSON (text quoted and escaped; `.json` as is when it parses).
    public var json: String {
        var out: [UInt8] = []
        JSONWriter.append(self, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
