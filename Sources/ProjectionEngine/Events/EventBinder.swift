import EventLog

/// Binds one event field to one statement parameter, per the table in docs/projections.md.
enum EventBinder {
    static func bind(_ statement: SQLiteStatement, _ index: Int32, _ field: EventField, _ event: DecodedEvent, _ data: UnsafeRawBufferPointer) {
        switch field {
        case .position: statement.bind(index, Int64(event.event.position))
        case .id: statement.bind(index, event.event.id.description)
        case .type: statement.bind(index, event.type)
        case .stream: statement.bind(index, event.event.stream)
        case .streamVersion: statement.bind(index, Int64(event.event.streamVersion))
        case .time: statement.bind(index, event.timeText)
        case .at: statement.bind(index, event.atText)
        case .data: statement.bindText(index, data)
        case .ext(let name):
            switch event.extensions[name] {
            case .string(let text)?: statement.bind(index, text)
            case .integer(let number)?: statement.bind(index, number)
            case .boolean(let flag)?: statement.bind(index, flag ? Int64(1) : 0)
            case nil: statement.bindNull(index)
            }
        case .dataPath(let path):
            guard let node = event.tape.lookup(path, in: data) else {
                statement.bindNull(index)
                return
            }
            bindNode(statement, index, node, data)
        }
    }

    private static func bindNode(_ statement: SQLiteStatement, _ index: Int32, _ node: JSONTape.Node, _ data: UnsafeRawBufferPointer) {
        let bytes = UnsafeRawBufferPointer(rebasing: data[Int(node.start)..<Int(node.end)])
        switch node.kind {
        case .string:
            if node.hasEscape {
                if let text = node.string(in: data) { statement.bind(index, text) } else { statement.bindNull(index) }
            } else {
                statement.bindText(index, bytes)
            }
        case .integer:
            if let number = parseInteger(bytes) {
                statement.bind(index, number)
            } else {
                // Beyond 64 bits: SQLite would store it as REAL anyway.
                statement.bind(index, Double(String(decoding: bytes, as: UTF8.self)) ?? 0)
            }
        case .real: statement.bind(index, Double(String(decoding: bytes, as: UTF8.self)) ?? 0)
        case .true: statement.bind(index, Int64(1))
        case .false: statement.bind(index, Int64(0))
        case .null: statement.bindNull(index)
        case .object, .array: statement.bindText(index, bytes)
        }
    }

    private static func parseInteger(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        var index = 0
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { index = 1 }
        guard index < bytes.count else { return nil }
        var value: Int64 = 0
        while index < bytes.count {
            let digit = Int64(bytes[index] &- UInt8(ascii: "0"))
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            if overflow1 || overflow2 { return nil }
            value = next
            index += 1
        }
        return value
    }
}
