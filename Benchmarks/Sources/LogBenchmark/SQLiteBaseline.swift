import BenchmarkSupport
import EventLog
import Foundation
import GRDBSQLite
import Histogram
import Synchronization

/// The store a user would otherwise pick: SQLite in WAL mode, `synchronous=FULL`, one transaction per
/// append with an expected-version check, UNIQUE(stream, version) and UNIQUE(event id).
///
/// One connection shared under a lock: SQLite has one writer at a time anyway, and a lock queues
/// writers with no busy-wait back-off (the fastest way to drive it from many threads).
final class SQLiteEventStore: @unchecked Sendable {
    private let lock = Mutex(())
    private var db: OpaquePointer?
    private var versionStatement: OpaquePointer?
    private var insertStatement: OpaquePointer?
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        precondition(sqlite3_open(path, &db) == SQLITE_OK)
        exec(
            """
            PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;
            CREATE TABLE events(
              position INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE, stream TEXT NOT NULL, version INTEGER NOT NULL,
              type TEXT NOT NULL, time INTEGER NOT NULL, metadata TEXT NOT NULL, data TEXT NOT NULL, UNIQUE(stream, version));
            """)
        sqlite3_prepare_v2(db, "SELECT coalesce(max(version), 0) FROM events WHERE stream = ?", -1, &versionStatement, nil)
        sqlite3_prepare_v2(
            db, "INSERT INTO events(id, stream, version, type, time, metadata, data) VALUES(?,?,?,?,?,?,?)", -1, &insertStatement, nil)
    }

    deinit {
        sqlite3_finalize(versionStatement)
        sqlite3_finalize(insertStatement)
        sqlite3_close(db)
    }

    private func exec(_ sql: String) {
        var error: UnsafeMutablePointer<CChar>?
        if sqlite3_exec(db, sql, nil, nil, &error) != SQLITE_OK { fatalError(String(cString: error!)) }
    }

    /// Appends one event in its own transaction, after reading the stream's version.
    func append(_ event: ProposedEvent, id: EventID, metadata: String) {
        lock.withLock { _ in
            exec("BEGIN IMMEDIATE")
            sqlite3_bind_text(versionStatement, 1, event.stream, -1, Self.transient)
            sqlite3_step(versionStatement)
            let version = sqlite3_column_int64(versionStatement, 0)
            sqlite3_reset(versionStatement)
            var idText = Array(id.description.utf8)
            idText.withUnsafeMutableBytes { raw in _ = sqlite3_bind_blob(insertStatement, 1, raw.baseAddress, Int32(raw.count), Self.transient) }
            sqlite3_bind_text(insertStatement, 2, event.stream, -1, Self.transient)
            sqlite3_bind_int64(insertStatement, 3, version + 1)
            sqlite3_bind_text(insertStatement, 4, event.type, -1, Self.transient)
            sqlite3_bind_int64(insertStatement, 5, Timestamp.now().unixMicros)
            sqlite3_bind_text(insertStatement, 6, metadata, -1, Self.transient)
            event.data.withUnsafeBytes { raw in
                _ = sqlite3_bind_text(insertStatement, 7, raw.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(raw.count), Self.transient)
            }
            guard sqlite3_step(insertStatement) == SQLITE_DONE else { fatalError(String(cString: sqlite3_errmsg(db))) }
            sqlite3_reset(insertStatement)
            exec("COMMIT")
        }
    }
}

/// The same workload as `runLogAppends`, on threads, against the SQLite baseline.
func runSQLiteAppends(path: String, concurrency: Int, seconds: Double, workload: Workload, seed: UInt64) -> RunResult {
    let store = SQLiteEventStore(path: path)
    let pools = (0..<concurrency).map { workload.pool(count: 50_000 / concurrency + 1_000, seed: seed &+ UInt64($0)) }
    let start = nanosNow()
    let deadline = start + UInt64(seconds * 1e9)
    let results = Mutex<(Int, Histogram<UInt64>)>((0, newHistogram()))
    let group = DispatchGroup()
    for appender in 0..<concurrency {
        group.enter()
        let thread = Thread {
            let pool = pools[appender]
            var histogram = newHistogram()
            var count = 0
            while nanosNow() < deadline {
                let id = EventID.generate()
                let event = pool[count % pool.count]
                let began = nanosNow()
                store.append(event, id: id, metadata: #"{"actor":"m-ada","correlationid":"req-\#(count)"}"#)
                _ = histogram.record(nanosNow() - began)
                count += 1
            }
            results.withLock { total in
                total.0 += count
                total.1.add(histogram)
            }
            group.leave()
        }
        thread.start()
    }
    group.wait()
    let elapsed = Double(nanosNow() - start) / 1e9
    let (events, histogram) = results.withLock { $0 }
    return RunResult(system: "sqlite", concurrency: concurrency, events: events, seconds: elapsed, latency: histogram)
}
