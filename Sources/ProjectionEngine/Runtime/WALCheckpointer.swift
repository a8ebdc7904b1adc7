import Foundation
import Logging
import Synchronization

/// Moves a live projection database's WAL back into the database file off the writer's thread.
///
/// Why: SQLite's automatic checkpoint runs inside the `COMMIT` that crosses 1,000 WAL pages, on the
/// committing connection, and it syncs the WAL and the database file. On the writer's thread that held
/// every event behind it for the length of two fsyncs: a live event became visible in 0.6 ms at the
/// median but 30 ms at p95. The writer turns the automatic checkpoint off (`wal_autocheckpoint=0`) and
/// asks this for one at most every `interval`; a PASSIVE checkpoint on a connection of its own runs beside
/// the writer's commits (WAL mode lets a checkpoint and a writer proceed together) and never waits on
/// readers, so the WAL's size stays about what the writer appends in one interval.
final class WALCheckpointer: Sendable {
    /// One serial queue for every database: checkpoints are disk-bound and would only compete in parallel.
    private static let queue = DispatchQueue(label: "projection-wal-checkpoints", qos: .utility)
    static let interval: Double = 0.25

    private struct State {
        var lastRequested = -Double.infinity
        var inFlight = false
        var closed = false
        var lastError: String?
    }

    let path: String
    private let logger: Logger
    // The connection is only used on `queue`; the lock guards the bookkeeping.
    private nonisolated(unsafe) var connection: SQLiteDatabase?
    private let state = Mutex(State())
    private let pending = DispatchGroup()

    init(path: String, logger: Logger) {
        self.path = path
        self.logger = logger
    }

    /// Called by the writer after a commit: starts a checkpoint unless one ran within `interval` or is
    /// running. Returns whether it started one.
    @discardableResult
    func committed(now: Double = ProcessInfo.processInfo.systemUptime) -> Bool {
        let start = state.withLock { state in
            guard !state.closed, !state.inFlight, now - state.lastRequested >= Self.interval else { return false }
            state.inFlight = true
            state.lastRequested = now
            return true
        }
        guard start else { return false }
        Self.queue.async(group: pending) { [self] in
            let error = checkpoint()
            let previous = state.withLock { state in
                defer {
                    state.inFlight = false
                    state.lastError = error
                }
                return state.lastError
            }
            // Once per kind of failure, not every 250 ms: the writer goes on, and the WAL only grows.
            if let error, error != previous { logger.warning("WAL checkpoint of \(path) failed (retried): \(error)") }
        }
        return true
    }

    /// Runs on `queue`. Nothing once closed: `close` sets `closed` before it releases the connection on
    /// this serial queue, so a request that raced it does not open a connection after it.
    private func checkpoint() -> String? {
        guard !state.withLock({ $0.closed }) else { return nil }
        do throws(SQLiteError) {
            if connection == nil {
                let opened = try SQLiteDatabase(path: path)
                // A checkpoint waits at most briefly for the writer's lock; the next request tries again.
                try opened.execute("PRAGMA busy_timeout=100")
                connection = opened
            }
            try connection?.execute("PRAGMA wal_checkpoint(PASSIVE)")
            return nil
        } catch {
            return error.message
        }
    }

    /// The last checkpoint's error, if it failed (the next one retries; the writer goes on either way).
    var lastError: String? { state.withLock { $0.lastError } }

    /// Waits until no checkpoint is queued or running (for tests: `close` skips one that has not started).
    func waitUntilIdle() { pending.wait() }

    /// Waits for a running checkpoint and closes the connection. Call before the writer closes its own.
    func close() {
        state.withLock { $0.closed = true }
        pending.wait()
        Self.queue.sync { connection = nil }
    }
}
