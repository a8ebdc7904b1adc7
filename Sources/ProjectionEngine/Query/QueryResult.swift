import EventLog

/// A query's answer: rows as ordered (column, value) pairs, the cursor of the next page, and the log
/// position the answer reflects.
public struct QueryResult: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        public let columns: [String]
        public let values: [QueryValue]

        /// The value of `column`, or nil when the row has no such column.
        public subscript(column: String) -> QueryValue? {
            columns.firstIndex(of: column).map { values[$0] }
        }
    }

    public let rows: [Row]
    /// Pass back as `cursor` for the next page; nil on the last page.
    public let next: String?
    /// The answer is exactly the read model after applying events 1 through `position`.
    public let position: UInt64
    /// How many rows the query gives over all its pages, when asked for (`total`); nil otherwise.
    public let total: Int?
    /// `{"rows":[…],"next":…,"position":…}`: one JSON object, `_json` columns parsed. Encoded once, with
    /// the answer: served answers are kept and sent again while the read model stays at `position`.
    public let json: String

    public init(rows: [Row], next: String?, position: UInt64, total: Int? = nil) {
        self.rows = rows
        self.next = next
        self.position = position
        self.total = total
        json = Self.encode(rows: rows, next: next, position: position, total: total)
    }

    private static func encode(rows: [Row], next: String?, position: UInt64, total: Int?) -> String {
        var out: [UInt8] = []
        out.append(contentsOf: #"{"rows":["#.utf8)
        for (index, row) in rows.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "{"))
            for (column, (name, value)) in zip(row.columns, row.values).enumerated() {
                if column > 0 { out.append(UInt8(ascii: ",")) }
                JSONText.appendString(name, to: &out)
                out.append(UInt8(ascii: ":"))
                JSONWriter.append(value, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: #"],"next":"#.utf8)
        if let next { JSONText.appendString(next, to: &out) } else { out.append(contentsOf: "null".utf8) }
        out.append(contentsOf: #","position":\#(position)"#.utf8)
        if let total { out.append(contentsOf: #","total":\#(total)"#.utf8) }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }
}

/// Writes query values as JSON.
enum JSONWriter {
    static func append(_ value: QueryValue, to out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .integer(let number): out.append(contentsOf: String(number).utf8)
        case .real(let number): out.append(contentsOf: (number.isFinite ? String(number) : "null").utf8)
        case .text(let text): JSONText.appendString(text, to: &out)
        case .json(let text):
            // Stored JSON is emitted as is when it parses; otherwise as a string, so the output stays JSON.
            let bytes = Array(text.utf8)
            let valid = bytes.withUnsafeBytes { JSONTape($0).isValid }
            if valid { out.append(contentsOf: bytes) } else { JSONText.appendString(text, to: &out) }
        }
    }
}
