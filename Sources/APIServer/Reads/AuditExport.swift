import ProjectionEngine

/// One page of the audit trail as NDJSON lines or CSV rows.
enum AuditExport {
    static func ndjson(_ page: QueryResult) -> [UInt8] {
        var out: [UInt8] = []
        for row in page.rows {
            var object: [String: JSONValue] = [:]
            for (column, value) in zip(row.columns, row.values) { object[column] = json(value) }
            JSONValue.object(object).write(to: &out)
            out.append(0x0A)
        }
        return out
    }

    /// RFC 4180: a header line first, fields quoted when they hold a comma, a quote or a line break,
    /// quotes doubled, CRLF line ends. JSON columns (changes) are their JSON text.
    static func csv(_ page: QueryResult, header: Bool) -> [UInt8] {
        var out: [UInt8] = []
        guard let first = page.rows.first else { return out }
        if header {
            out.append(contentsOf: first.columns.map(field).joined(separator: ",").utf8)
            out.append(contentsOf: "\r\n".utf8)
        }
        for row in page.rows {
            let cells = row.values.map { value -> String in
                switch value {
                case .null: ""
                case .integer(let number): String(number)
                case .real(let number): String(number)
                case .text(let text): field(text)
                case .json(let text): field(text)
                }
            }
            out.append(contentsOf: cells.joined(separator: ",").utf8)
            out.append(contentsOf: "\r\n".utf8)
        }
        return out
    }

    private static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private static func json(_ value: QueryValue) -> JSONValue {
        switch value {
        case .null: .null
        case .integer(let number): .number(Double(number))
        case .real(let number): .number(number)
        case .text(let text): .string(text)
        case .json(let text): (try? JSONValue(parsing: Array(text.utf8))) ?? .string(text)
        }
    }
}
