import Crypto
import GRDBSQLite

/// Turns a projection file into a `ProjectionDefinition`, preparing every statement against the schema in
/// a scratch in-memory database so that SQL errors surface at load time with their line.
public enum DefinitionCompiler {
    /// Engine bookkeeping tables live beside the projection's own; definitions may not use the prefix.
    static let reservedPrefix = "_projection"

    /// Compiles one file's bytes. `file` is used for messages and must be named `<projection>.sql`.
    public static func compile(file: String, bytes: [UInt8]) throws(DefinitionError) -> ProjectionDefinition {
        let text = String(decoding: bytes, as: UTF8.self)
        let parsed = try DefinitionParser(file: file, text: text)
        let name = parsed.name!
        let baseName = file.split(separator: "/").last.map { $0.hasSuffix(".sql") ? String($0.dropLast(4)) : String($0) } ?? file
        guard baseName == name else {
            throw DefinitionError(file: file, line: 1, message: "projection '\(name)' must be in a file named '\(name).sql'")
        }
        let database: SQLiteDatabase
        do { database = try SQLiteDatabase.inMemory() } catch { throw DefinitionError(file: file, line: 1, message: error.message) }
        let splitter = StatementSplitter(file: file, database: database)

        var schema: [SQLText] = []
        for case .schema(_, false, let body) in parsed.sections { schema += try splitter.split(body, execute: true) }
        try checkReservedNames(database, file: file, sections: parsed.sections)

        // Event statements are prepared before the `after build` schema exists: a build runs them without
        // it, so one that uses its objects fails to load here ("no such table") rather than mid-build.
        var handlers: [EventHandler] = []
        for case .on(_, let types, let body) in parsed.sections {
            let statements = try splitter.split(body, execute: false)
            for statement in statements { try checkEventParameters(statement, file: file) }
            handlers.append(EventHandler(types: types, statements: statements))
        }
        var batch: [SQLText] = []
        for case .batch(_, false, let body) in parsed.sections { batch += try splitter.split(body, execute: false) }
        var afterBuild: [SQLText] = []
        for case .schema(_, true, let body) in parsed.sections { afterBuild += try splitter.split(body, execute: true) }
        try checkReservedNames(database, file: file, sections: parsed.sections)
        // These only run where the `after build` schema exists, so they are prepared with it.
        var afterBuildBatch: [SQLText] = []
        for case .batch(_, true, let body) in parsed.sections { afterBuildBatch += try splitter.split(body, execute: false) }
        for statement in batch + afterBuildBatch { try checkBatchParameters(statement, file: file) }

        var queries: [String: QueryDefinition] = [:]
        for section in parsed.sections {
            switch section {
            case .schema, .on, .batch: continue
            case .query(let section):
                let name = section.signature.name
                let statements = try splitter.split(section.body, execute: false)
                guard statements.count == 1 else {
                    throw DefinitionError(
                        file: file, line: section.line, message: "query '\(name)' must have exactly one SELECT, has \(statements.count)")
                }
                var total: SQLText?
                if let body = section.total {
                    let totals = try splitter.split(body, execute: false)
                    guard totals.count == 1 else {
                        throw DefinitionError(
                            file: file, line: body.firstLine - 1,
                            message: "the total of query '\(name)' must be exactly one SELECT, has \(totals.count)")
                    }
                    total = totals[0]
                }
                let query = QueryDefinition(
                    name: name, description: section.description, parameters: section.signature.parameters, cursor: section.cursor,
                    statement: statements[0], total: total)
                try checkQuery(query, database: database, file: file)
                queries[name] = query
            }
        }
        let scratch: SQLiteDatabase
        do { scratch = try SQLiteDatabase.inMemory() } catch { throw DefinitionError(file: file, line: 1, message: error.message) }
        let deferred = DeferredIndexes.find(schema: schema, statements: handlers.flatMap(\.statements) + batch, database: scratch)
        let digest = SHA256.hash(data: bytes)
        let version = digest.prefix(8).map { byte in String(byte, radix: 16).count == 1 ? "0" + String(byte, radix: 16) : String(byte, radix: 16) }
            .joined()
        return ProjectionDefinition(
            name: name, description: parsed.description, versionLabel: parsed.versionLabel, version: version, source: text, file: file,
            snapshotEveryEvents: parsed.snapshotEveryEvents,
            schema: schema, deferredIndexes: deferred, afterBuild: afterBuild, handlers: handlers, batch: batch, afterBuildBatch: afterBuildBatch,
            queries: queries)
    }

    private static func checkReservedNames(_ database: SQLiteDatabase, file: String, sections: [DefinitionParser.Section]) throws(DefinitionError) {
        let line =
            sections.compactMap { section -> Int? in
                if case .schema(let line, _, _) = section { return line }
                return nil
            }.first ?? 1
        do {
            let statement = try database.prepare("SELECT name FROM sqlite_master WHERE substr(name, 1, 11) = '\(reservedPrefix)'")
            if try statement.step() {
                throw DefinitionError(
                    file: file, line: line, message: "'\(statement.string(0))': names starting with '\(reservedPrefix)' are the engine's")
            }
        } catch let error as SQLiteError {
            throw DefinitionError(file: file, line: line, message: error.message)
        } catch {
            throw error as! DefinitionError
        }
    }

    private static func checkEventParameters(_ statement: SQLText, file: String) throws(DefinitionError) {
        for name in statement.parameters where EventField(parameter: name) == nil {
            throw DefinitionError(
                file: file, line: statement.line,
                message:
                    "unknown parameter ':\(name)' (event statements bind :position, :id, :type, :stream, :streamversion, :time, :at, :ext.NAME, :data, :data.PATH)"
            )
        }
    }

    private static func checkBatchParameters(_ statement: SQLText, file: String) throws(DefinitionError) {
        for name in statement.parameters where BatchField(parameter: name) == nil {
            throw DefinitionError(
                file: file, line: statement.line, message: "unknown parameter ':\(name)' (batch statements bind :first_position, :last_position)")
        }
    }

    private static func checkQuery(_ query: QueryDefinition, database: SQLiteDatabase, file: String) throws(DefinitionError) {
        let line = query.statement.line
        let declared = Set(query.parameters.map(\.name) + query.cursor.map { "cursor_" + $0 })
        for name in query.statement.parameters where !declared.contains(name) {
            throw DefinitionError(file: file, line: line, message: "query '\(query.name)' uses ':\(name)', which its parameter list does not declare")
        }
        do {
            let statement = try database.prepare(query.statement.sql)
            guard statement.isReadOnly, statement.columnCount > 0 else {
                throw DefinitionError(file: file, line: line, message: "query '\(query.name)' must be one SELECT")
            }
            let columns = Set((0..<statement.columnCount).map { statement.columnName($0) })
            for column in query.cursor where !columns.contains(column) {
                throw DefinitionError(file: file, line: line, message: "cursor column '\(column)' is not a column of query '\(query.name)'")
            }
            // `total` counts the query as a subquery: prepared here, so a query it cannot wrap fails at load.
            _ = try database.prepare(query.countSQL)
        } catch let error as SQLiteError {
            throw DefinitionError(file: file, line: line, message: error.message)
        } catch {
            throw error as! DefinitionError
        }
        if let total = query.total { try checkTotal(total, of: query, database: database, file: file) }
    }

    /// A `-- total:` statement binds only the query's own parameters (no cursor, no `:limit`: it counts
    /// every page) and is one read-only SELECT of one column.
    private static func checkTotal(_ total: SQLText, of query: QueryDefinition, database: SQLiteDatabase, file: String) throws(DefinitionError) {
        let declared = Set(query.parameters.map(\.name)).subtracting(["limit"])
        for name in total.parameters where !declared.contains(name) {
            throw DefinitionError(
                file: file, line: total.line,
                message: "the total of query '\(query.name)' uses ':\(name)'; it may use the query's parameters but for :limit, and no cursor")
        }
        do {
            let statement = try database.prepare(total.sql)
            guard statement.isReadOnly, statement.columnCount == 1 else {
                throw DefinitionError(file: file, line: total.line, message: "the total of query '\(query.name)' must be one SELECT of one column")
            }
        } catch let error as SQLiteError {
            throw DefinitionError(file: file, line: total.line, message: error.message)
        } catch {
            throw error as! DefinitionError
        }
    }
}

/// Cuts a section's body into statements with SQLite's own tokenizer (the tail of `sqlite3_prepare_v2`),
/// so semicolons in literals and trigger bodies are handled, and records each statement's line.
struct StatementSplitter {
    let file: String
    let database: SQLiteDatabase

    func split(_ body: DefinitionParser.Body, execute: Bool) throws(DefinitionError) -> [SQLText] {
        let rewriter = ParameterRewriter(body.text)
        let bytes = rewriter.sql
        var statements: [SQLText] = []
        var offset = 0
        while offset < bytes.count {
            let start = statementStart(bytes, from: offset)
            let line = body.firstLine + bytes[0..<start].reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }
            var handle: OpaquePointer?
            var consumed = 0
            let code = bytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { chars in
                    var tail: UnsafePointer<CChar>?
                    let base = chars.baseAddress! + offset
                    let code = sqlite3_prepare_v2(database.handle, base, Int32(bytes.count - offset), &handle, &tail)
                    consumed = tail.map { $0 - base } ?? (bytes.count - offset)
                    return code
                }
            }
            guard code == SQLITE_OK else { throw DefinitionError(file: file, line: line, message: database.lastError) }
            guard let handle else { break }
            let statement = SQLiteStatement(handle, database: database)
            var parameters: [String] = []
            for index in 1..<(statement.parameterCount + 1) {
                guard let name = statement.parameterName(index), name.hasPrefix(":p"), let number = Int(name.dropFirst(2)),
                    number < rewriter.names.count
                else {
                    throw DefinitionError(
                        file: file, line: line, message: "parameters are written ':name' (found '\(statement.parameterName(index) ?? "?")')")
                }
                parameters.append(rewriter.names[number])
            }
            if execute {
                do { while try statement.step() {} } catch { throw DefinitionError(file: file, line: line, message: error.message) }
            }
            let sql = String(decoding: bytes[start..<(offset + consumed)], as: UTF8.self)
            statements.append(SQLText(sql: sql, line: line, parameters: parameters))
            offset += max(consumed, 1)
        }
        return statements
    }

    /// The first byte of the next statement: past blanks and comments.
    private func statementStart(_ bytes: [UInt8], from offset: Int) -> Int {
        var index = offset
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                index += 1
            } else if byte == UInt8(ascii: "-"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "-") {
                index = bytes[index...].firstIndex(of: 0x0A) ?? bytes.count
            } else if byte == UInt8(ascii: "/"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "*") {
                var end = index + 2
                while end + 1 < bytes.count, !(bytes[end] == UInt8(ascii: "*") && bytes[end + 1] == UInt8(ascii: "/")) { end += 1 }
                index = min(end + 2, bytes.count)
            } else {
                break
            }
        }
        return index
    }
}
