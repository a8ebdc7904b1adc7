import CSupport
import GRDBSQLite

/// Process-wide SQLite settings.
public enum SQLiteSetup {
    private static let memoryStatisticsOff: Bool = tl_sqlite_disable_memstatus() == SQLITE_OK

    /// Turns off SQLite's global memory statistics, which serialise every allocation across threads
    /// (projection writers run one per thread; measured ~+15 % with two writers, BUILD-NOTES.md). It only
    /// takes effect before SQLite is initialised, i.e. before the process opens any database — the log's
    /// index included: call it first thing. Returns whether it took effect.
    @discardableResult
    public static func disableMemoryStatistics() -> Bool { memoryStatisticsOff }
}
