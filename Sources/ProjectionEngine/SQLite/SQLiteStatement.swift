import GRDBSQLite

/// A prepared statement. `reset` before reuse; bindings stay until cleared or rebound.
final class SQLiteStatement {
    let handle: OpaquePointer
    private unowned let database: SQLiteDatabase
    /// SQLite copies the bytes (SQLITE_TRANSIENT, which does not import as a constant).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(_ handle: OpaquePointer, database: SQLiteDatabase) {
        self.handle = handle
        self.database = database
    }

    deinit { sqlite3_finalize(handle) }

    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// `reset` keeping the bindings, for a caller that binds every parameter before each step (the
    /// applier): clearing them costs a pass over the parameters per execution, a dozen for some events.
    func resetKeepingBindings() { sqlite3_reset(handle) }

    var parameterCount: Int32 { sqlite3_bind_parameter_count(handle) }
    /// The connection the statement belongs to.
    var connection: SQLiteDatabase { database }
    func parameterName(_ index: Int32) -> String? { sqlite3_bind_parameter_name(handle, index).map { String(cString: $0) } }
    var columnCount: Int32 { sqlite3_column_count(handle) }
    func columnName(_ index: Int32) -> String { String(cString: sqlite3_column_name(handle, index)) }
    var isReadOnly: Bool { sqlite3_stmt_readonly(handle) != 0 }

    func bindNull(_ index: Int32) { sqlite3_bind_null(handle, index) }
    func bind(_ index: Int32, _ value: Int64) { sqlite3_bind_int64(handle, index, value) }
    func bind(_ index: Int32, _ value: Double) { sqlite3_bind_double(handle, index, value) }
    func bind(_ index: Int32, _ value: String) { sqlite3_bind_text(handle, index, value, -1, Self.transient) }
    /// Binds UTF-8 bytes as TEXT without making a String and without copying them (SQLITE_STATIC): the
    /// caller keeps `bytes` alive and unchanged until the statement is reset, and binds the parameter
    /// again before the next step. The applier binds payload byte ranges this way inside the payload's
    /// `withUnsafeBytes` and resets before leaving it; copying cost a malloc and a memcpy per bound field
    /// (dozens per event for the audit trail).
    func bindText(_ index: Int32, _ bytes: UnsafeRawBufferPointer) {
        // A nil destructor is SQLITE_STATIC.
        sqlite3_bind_text(handle, index, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(bytes.count), nil)
    }

    /// Steps once; true when a row is available.
    func step() throws(SQLiteError) -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code: throw SQLiteError(message: database.lastError, code: code & 0xff)
        }
    }

    func columnType(_ column: Int32) -> Int32 { sqlite3_column_type(handle, column) }
    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }
    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
    func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }
    func string(_ column: Int32) -> String {
        guard let text = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeRawBufferPointer(start: text, count: count), as: UTF8.self)
    }
}
