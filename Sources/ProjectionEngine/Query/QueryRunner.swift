import GRDBSQLite

/// What a caller asks of a query.
struct QueryRequest: Sendable {
    let projection: String
    let query: String
    let parameters: [String: QueryValue]
    let cursor: String?
    let limit: Int?
    /// Whether to count the query's rows over all pages as well.
    var total = false
}

/// Binds a query's parameters (caller's values, defaults, cursor, limit), steps it and shapes the rows.
enum QueryRunner {
    /// The most rows one page returns, whatever the caller or the definition asks.
    static let limitMax = 500

    /// A request checked against its query's declaration, before any database is touched.
    struct Bindings {
        let values: [String: QueryValue]
        let limit: Int
        let cursor: [QueryValue]?
        /// Whether the rows over all pages are counted too (`QueryRequest.total`).
        let total: Bool
    }

    static func check(_ request: QueryRequest, _ query: QueryDefinition) throws(ProjectionError) -> Bindings {
        let declared = Set(query.parameters.map(\.name))
        for name in request.parameters.keys.sorted() where !declared.contains(name) {
            throw .invalidParameter(name: name, reason: "query '\(query.name)' has no such parameter")
        }
        var values: [String: QueryValue] = [:]
        for parameter in query.parameters {
            if let value = request.parameters[parameter.name] {
                values[parameter.name] = try parameter.kind.checked(value, name: parameter.name)
            } else if let value = parameter.defaultValue {
                values[parameter.name] = value
            } else if parameter.name != "limit" || request.limit == nil {
                throw .missingParameter(parameter.name)
            }
        }
        var limit = limitMax
        if let requested = request.limit {
            limit = requested
        } else if let value = values["limit"] {
            guard case .integer(let number) = value else { throw .invalidParameter(name: "limit", reason: "must be an integer") }
            limit = Int(clamping: number)
        }
        guard limit >= 1 else { throw .invalidParameter(name: "limit", reason: "must be at least 1") }
        limit = min(limit, limitMax)
        var cursor: [QueryValue]?
        if let text = request.cursor {
            guard !query.cursor.isEmpty, let decoded = QueryCursor.decode(text, query: query.name, count: query.cursor.count) else {
                throw .invalidCursor
            }
            cursor = decoded
        }
        return Bindings(values: values, limit: limit, cursor: cursor, total: request.total)
    }

    /// Runs the prepared `statement` of `query` and returns at most `limit` rows; with `bindings.total`,
    /// also counts its rows over every page in the same read transaction, so the total and the rows are
    /// of one state of the database: with the query's `-- total:` statement, or, where it has none or
    /// that answers NULL, with `countSQL`. `prepare` gives those statements, prepared on the same
    /// connection as `statement`. Page and total together run at most `timeSecondsMax` seconds.
    static func run(
        _ query: QueryDefinition, _ bindings: Bindings, statement: SQLiteStatement, prepare: (String) throws(SQLiteError) -> SQLiteStatement,
        position: UInt64, timeSecondsMax: Double
    ) throws(ProjectionError) -> QueryResult {
        do throws(SQLiteError) {
            return try statement.connection.withDeadline(seconds: timeSecondsMax) { () throws(SQLiteError) -> QueryResult in
                let (rows, next) = try page(query, bindings, statement: statement)
                let total = bindings.total ? try self.total(query, bindings, prepare: prepare) : nil
                return QueryResult(rows: rows, next: next, position: position, total: total)
            }
        } catch {
            if error.code == SQLITE_INTERRUPT { throw .queryTimeout(query: query.name, seconds: timeSecondsMax) }
            throw .sqlite("query '\(query.name)': \(error.message)")
        }
    }

    /// One page: at most `limit` rows and the cursor of the next page.
    private static func page(
        _ query: QueryDefinition, _ bindings: Bindings, statement: SQLiteStatement
    ) throws(SQLiteError) -> (rows: [QueryResult.Row], next: String?) {
        defer { statement.reset() }
        // One more than asked: whether it comes back says whether there is a next page.
        bindAll(statement, query, bindings, limit: Int64(bindings.limit + 1), cursor: bindings.cursor)
        let count = statement.columnCount
        let names = (0..<count).map { statement.columnName($0) }
        let outputNames = names.map { $0.hasSuffix("_json") ? String($0.dropLast(5)) : $0 }
        let cursorColumns = query.cursor.compactMap { names.firstIndex(of: $0) }
        var rows: [QueryResult.Row] = []
        var rawCursor: [[QueryValue]] = []
        var more = false
        while try statement.step() {
            if rows.count == bindings.limit {
                more = true
                break
            }
            var values: [QueryValue] = []
            values.reserveCapacity(Int(count))
            for column in 0..<count {
                let value = self.value(statement, column)
                if names[Int(column)].hasSuffix("_json"), case .text(let text) = value {
                    values.append(.json(text))
                } else {
                    values.append(value)
                }
            }
            rawCursor.append(cursorColumns.map { values[$0] })
            rows.append(QueryResult.Row(columns: outputNames, values: values))
        }
        let next = more && !query.cursor.isEmpty ? rawCursor.last.map { QueryCursor.encode(query: query.name, values: $0) } : nil
        return (rows, next)
    }

    /// The query's rows over all pages: the `-- total:` statement's number when it gives one, else the
    /// query counted with no cursor and no limit (SQLite reads a negative limit as none).
    private static func total(
        _ query: QueryDefinition, _ bindings: Bindings, prepare: (String) throws(SQLiteError) -> SQLiteStatement
    ) throws(SQLiteError) -> Int {
        if let own = query.total, let total = try ownTotal(own, query, bindings, statement: try prepare(own.sql)) { return total }
        let statement = try prepare(query.countSQL)
        defer { statement.reset() }
        bindAll(statement, query, bindings, limit: -1, cursor: nil)
        guard try statement.step() else { return 0 }
        return Int(statement.int64(0))
    }

    /// What the `-- total:` statement answers: nil for NULL or no row (count the query instead); any
    /// other value than a whole number ≥ 0 is the definition's mistake, reported as the query's error.
    private static func ownTotal(
        _ own: SQLText, _ query: QueryDefinition, _ bindings: Bindings, statement: SQLiteStatement
    ) throws(SQLiteError) -> Int? {
        defer { statement.reset() }
        for (offset, name) in own.parameters.enumerated() { bind(statement, Int32(offset + 1), bindings.values[name] ?? .null) }
        guard try statement.step() else { return nil }
        switch statement.columnType(0) {
        case SQLITE_NULL: return nil
        case SQLITE_INTEGER where statement.int64(0) >= 0: return Int(statement.int64(0))
        default:
            throw SQLiteError(message: "the total statement at line \(own.line) answered \(statement.string(0)), not a count or NULL")
        }
    }

    private static func bindAll(
        _ statement: SQLiteStatement, _ query: QueryDefinition, _ bindings: Bindings, limit: Int64, cursor: [QueryValue]?
    ) {
        for (offset, name) in query.statement.parameters.enumerated() {
            let index = Int32(offset + 1)
            if name == "limit" {
                statement.bind(index, limit)
            } else if name.hasPrefix("cursor_"), let column = query.cursor.firstIndex(of: String(name.dropFirst(7))) {
                bind(statement, index, cursor?[column] ?? .null)
            } else {
                bind(statement, index, bindings.values[name] ?? .null)
            }
        }
    }

    private static func bind(_ statement: SQLiteStatement, _ index: Int32, _ value: QueryValue) {
        switch value {
        case .null: statement.bindNull(index)
        case .integer(let number): statement.bind(index, number)
        case .real(let number): statement.bind(index, number)
        case .text(let text), .json(let text): statement.bind(index, text)
        }
    }

    private static func value(_ statement: SQLiteStatement, _ column: Int32) -> QueryValue {
        switch statement.columnType(column) {
        case SQLITE_NULL: .null
        case SQLITE_INTEGER: .integer(statement.int64(column))
        case SQLITE_FLOAT: .real(statement.double(column))
        default: .text(statement.string(column))
        }
    }
}
