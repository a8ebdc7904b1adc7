import GRDBSQLite
import Glibc

extension SQLiteDatabase {
    /// Runs `body` with SQLite interrupting whatever statement of this connection is still running
    /// `seconds` from now: its step fails with `SQLITE_INTERRUPT`, and the statement can be reset and run
    /// again. SQLite calls the progress handler every few thousand virtual-machine instructions (well
    /// under a millisecond), and the handler reads the monotonic clock; it is removed when `body` returns.
    func withDeadline<R, E: Error>(seconds: Double, _ body: () throws(E) -> R) throws(E) -> R {
        var deadline = ConditionLock.now() + seconds
        return try withUnsafeMutablePointer(to: &deadline) { pointer throws(E) -> R in
            sqlite3_progress_handler(
                handle, 4_096,
                { context in
                    guard let context else { return 0 }
                    return ConditionLock.now() > context.load(as: Double.self) ? 1 : 0
                }, UnsafeMutableRawPointer(pointer))
            defer { sqlite3_progress_handler(handle, 0, nil, nil) }
            return try body()
        }
    }
}
