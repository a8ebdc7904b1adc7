import GRDBSQLite

/// One SQLite connection over the C API: the engine needs prepared statements and the backup API, not an
/// ORM. Not thread-safe: a connection belongs to one thread at a time (a worker, or the query that
/// checked it out of a pool).
final class SQLiteDatabase {
    let handle: OpaquePointer
    let path: String

    /// How a connection is opened.
    enum Mode {
        case readWrite
        case readOnly
    }

    init(path: String, mode: Mode = .readWrite) throws(SQLiteError) {
        self.path = path
        var db: OpaquePointer?
        let access = mode == .readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        let flags = access | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI
        let code = sqlite3_open_v2(path, &db, flags, nil)
        guard code == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "code \(code)"
            sqlite3_close_v2(db)
            throw SQLiteError(message: "cannot open \(path): \(message)")
        }
        handle = db
        sqlite3_busy_timeout(db, 5_000)
        sqlite3_extended_result_codes(db, 1)
    }

    /// A private in-memory database.
    static func inMemory() throws(SQLiteError) -> SQLiteDatabase { try SQLiteDatabase(path: ":memory:") }

    deinit { sqlite3_close_v2(handle) }

    /// Runs one or more statements that return no rows.
    func execute(_ sql: String) throws(SQLiteError) {
        var error: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(handle, sql, nil, nil, &error) == SQLITE_OK else {
            let message = error.map { String(cString: $0) } ?? lastError
            sqlite3_free(error)
            throw SQLiteError(message: message)
        }
    }

    /// Prepares one statement (the text must hold exactly one, trailing blanks and comments aside).
    func prepare(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil) == SQLITE_OK, let statement else {
            throw SQLiteError(message: lastError)
        }
        return SQLiteStatement(statement, database: self)
    }

    /// The single integer the query returns, or nil when it returns no row or NULL.
    func scalar(_ sql: String) throws(SQLiteError) -> Int64? {
        let statement = try prepare(sql)
        guard try statement.step(), !statement.isNull(0) else { return nil }
        return statement.int64(0)
    }

    /// Copies this whole database into `target` (the backup API: page by page, consistent, fast).
    func backup(into target: SQLiteDatabase) throws(SQLiteError) {
        guard let backup = sqlite3_backup_init(target.handle, "main", handle, "main") else {
            throw SQLiteError(message: "backup: \(target.lastError)")
        }
        let code = sqlite3_backup_step(backup, -1)
        sqlite3_backup_finish(backup)
        guard code == SQLITE_DONE else { throw SQLiteError(message: "backup: \(String(cString: sqlite3_errstr(code)))") }
    }

    var lastError: String { String(cString: sqlite3_errmsg(handle)) }
}

/// A failed SQLite call, with SQLite's own message.
struct SQLiteError: Error, CustomStringConvertible {
    let message: String
    /// SQLite's primary result code (`SQLITE_INTERRUPT` when a deadline stopped the statement).
    var code: Int32 = SQLITE_ERROR
    var description: String { message }
}
