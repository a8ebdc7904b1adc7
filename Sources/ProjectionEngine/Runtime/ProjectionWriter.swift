import Foundation
import GRDBSQLite
import Logging
import Synchronization

/// Writes one projection database on its own thread: applies the feed's batches (one transaction each,
/// checkpoint included), takes snapshots, and, for a database being built, finishes it when it has
/// caught up (marks it complete, renames it into place and turns on WAL) so the slot can swap it in.
final class ProjectionWriter: Sendable {
    enum Mode: Sendable {
        /// A fresh database not served yet: journal in memory, no syncing; discarded if the process dies.
        case building
        /// Served: WAL, synchronous=NORMAL.
        case live
    }

    /// What the slot and status need to know, readable from any thread.
    struct Progress: Sendable {
        var mode: Mode
        var path: String
        var checkpoint: UInt64
        var caughtUp = false
        var failure: (position: UInt64, message: String)?
        var rate = RateMeter()
        var stopped = false
        /// Transactions that applied events: fewer than batches when batches piled up (`applyQueued`).
        var transactions = 0
        /// The writer connection's page cache after its last transaction (`SQLITE_DBSTATUS_CACHE_USED`).
        var pageCacheBytes = 0
    }

    /// The writer connection's page cache limit (its `cache_size`).
    static let pageCacheBytesMax = 64 << 20

    /// Notifications to the slot, sent from the writer's thread.
    enum Change: Sendable {
        case advanced
        case failed
        /// A building database caught up and is now complete and live at `path`.
        case promoted
        case caughtUp
    }

    let definition: ProjectionDefinition
    /// Which per-event values the feed must prepare for this writer's statements.
    let needs: DecodedEvent.Needs
    private let worker: WorkerThread
    private let progress: Mutex<Progress>
    private let snapshots: SnapshotStore
    private let finalPath: String
    /// `ProjectionEngineOptions.liveCommitSpacing`: a served database's commits are at least this far apart.
    private let commitSpacing: Double
    /// When the last transaction that applied events ended (`ConditionLock.now()`); worker thread only.
    /// Minus infinity before the first: the clock counts from boot, so 0 would make a writer started
    /// within `commitSpacing` of boot wait before its first commit.
    private nonisolated(unsafe) var lastCommit: Double = -.infinity
    /// Where the worker waits out `commitSpacing`, so that `stop` (and `commitNow`) can end the wait.
    private let spacingGate = ConditionLock()
    /// Guarded by `spacingGate`: whether the worker is waiting to commit; whether to end this wait; whether
    /// to wait no more (stopping); the last position of the batch it waits to apply (for tests).
    private nonisolated(unsafe) var spacingState = (waiting: false, endWait: false, stopped: false, before: UInt64(0))
    private let logger: Logger
    private let onChange: @Sendable (ProjectionWriter, Change) -> Void
    /// Only touched on the worker thread (jobs run there one at a time).
    private nonisolated(unsafe) var applier: ProjectionApplier?
    private nonisolated(unsafe) var lastSnapshot: UInt64 = 0
    /// Batches the feed has handed over and no job has applied yet, in order. Each batch queues a job, and
    /// a job of a served database applies every batch waiting by then in one transaction (later jobs find
    /// none): while this writer keeps up, a transaction is a batch, as soon as it comes; when it falls
    /// behind (a live load of small batches, each with a commit, a checkpoint update and WAL writes of its
    /// own) the batches that piled up meanwhile share one, so its cost per event falls as the load rises.
    private let queued = Mutex<[FeedBatch]>([])
    /// Snapshots of a served (WAL) database are copied by a reader on this queue, off the writer's thread:
    /// copying the board (~10 MB at 1M events) on it held live events back by up to ~0.5 s on the loaded
    /// machine (live lag p99 391 ms). `pendingSnapshots` lets `stop` wait for them.
    private static let snapshotQueue = DispatchQueue(label: "projection-snapshots", qos: .utility)
    private let pendingSnapshots = DispatchGroup()
    /// Checkpoints the served database's WAL off this writer's thread (see WALCheckpointer).
    private let walCheckpointer: WALCheckpointer

    /// A served database: WAL (readers beside the writer), synced at checkpoints only (a crash loses at
    /// most the last batches, which the checkpoint row in the same transactions makes re-applied, never
    /// doubled), and no automatic checkpoint on the writer's thread.
    private static let livePragmas =
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-\(pageCacheBytesMax >> 10); PRAGMA wal_autocheckpoint=0;"

    /// Opens (or creates, for `.building`) the database at `path` and prepares the definition's
    /// statements. For `.building`, `finalPath` is where the file goes once complete.
    init(
        definition: ProjectionDefinition, path: String, mode: Mode, finalPath: String, snapshots: SnapshotStore, commitSpacing: Double,
        logger: Logger, onChange: @escaping @Sendable (ProjectionWriter, Change) -> Void
    ) throws(ProjectionError) {
        self.definition = definition
        self.snapshots = snapshots
        self.finalPath = finalPath
        self.commitSpacing = commitSpacing
        self.logger = logger
        self.onChange = onChange
        let applier: ProjectionApplier
        do {
            let database = try SQLiteDatabase(path: path)
            if mode == .building {
                try Self.createBuilding(database, definition)
            } else {
                try database.execute(Self.livePragmas)
                // A failure recorded by an earlier run is retried: it may have been transient.
                try DatabaseMeta.set("failed_position", nil, in: database)
                try DatabaseMeta.set("failed_message", nil, in: database)
            }
            let afterBuild = mode == .live ? !(try DatabaseMeta.lacksAfterBuild(database)) : false
            applier = try ProjectionApplier(definition: definition, database: database, afterBuild: afterBuild)
            progress = Mutex(Progress(mode: mode, path: path, checkpoint: try applier.checkpoint()))
        } catch {
            throw .sqlite("\(path): \(error.message)")
        }
        self.applier = applier
        needs = applier.needs
        lastSnapshot = snapshots.positions().last ?? 0
        walCheckpointer = WALCheckpointer(path: finalPath, logger: logger)
        worker = WorkerThread(name: "tl-p-\(definition.name)", capacity: Self.queuedEventsMax)
    }

    private static func createBuilding(_ database: SQLiteDatabase, _ definition: ProjectionDefinition) throws(SQLiteError) {
        // Nothing here is worth a journal or a sync: the file is thrown away unless it completes.
        try database.execute("PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF; PRAGMA cache_size=-\(pageCacheBytesMax >> 10);")
        try database.execute("BEGIN")
        try database.execute(DatabaseMeta.createSQL)
        for (offset, statement) in definition.schema.enumerated() where !definition.deferredIndexes.contains(offset) {
            try database.execute(statement.sql)
        }
        try DatabaseMeta.set("name", definition.name, in: database)
        try DatabaseMeta.set("version", definition.version, in: database)
        try DatabaseMeta.set("source", definition.source, in: database)
        try DatabaseMeta.set("complete", "0", in: database)
        // Snapshots copy this flag: one taken before the `after build` schema ran must run it (AsOfReplay).
        try DatabaseMeta.set(DatabaseMeta.afterBuildKey, "0", in: database)
        try database.execute("COMMIT")
    }

    var state: Progress { progress.withLock { $0 } }
    /// The last position applied (and committed).
    var checkpoint: UInt64 { progress.withLock { $0.checkpoint } }

    /// Events queued for this writer at most before the feed waits (a batch is taken whenever fewer are).
    /// Counted in events, not batches: catching up, that is about two 5,000-event batches, as before;
    /// live, where a batch is often one event, it lets the board run on while a projection sharing its
    /// feed is held up for a moment (the audit trail's full-text index merging its segments on a large
    /// log), where two batches made every projection wait for the slowest (live lag p99 48 ms at 1M
    /// events with all six, 0.4 ms with the board alone). Bounded: ~8k decoded events per writer.
    static let queuedEventsMax = 8_192

    /// Queues a batch, waiting while `queuedEventsMax` events are already queued (back-pressure for the feed).
    func enqueue(_ batch: FeedBatch) async {
        guard isActive else { return }
        queued.withLock { $0.append(batch) }
        await worker.submit(weight: max(1, batch.events.count)) { [self] in applyQueued() }
    }

    /// Batches handed over and not applied yet.
    var queuedBatches: Int { queued.withLock { $0.count } }

    /// Holds the writer's thread in a job of its own until the returned closure is called: for tests
    /// that need batches to pile up behind a busy writer, whatever the machine's speed.
    func holdThread() -> @Sendable () -> Void {
        let gate = DispatchSemaphore(value: 0)
        worker.submitNow { gate.wait() }
        return { gate.signal() }
    }

    /// No job queued on the writer's thread or running there (for tests).
    var isIdle: Bool { worker.isIdle }

    /// Whether the writer is waiting out `commitSpacing` before its next transaction (for tests).
    var isWaitingToCommit: Bool { spacingGate.withLock { spacingState.waiting } }
    /// The last position of the batch the writer waits to apply, while it waits (for tests).
    var waitingBefore: UInt64? { spacingGate.withLock { spacingState.waiting ? spacingState.before : nil } }

    /// Ends a wait for `commitSpacing` now: the batches queued meanwhile are applied at once (for tests).
    func commitNow() {
        spacingGate.withLock {
            if spacingState.waiting { spacingState.endWait = true }
            spacingGate.broadcast()
        }
    }

    /// Whether the writer still takes batches (not failed, not stopped).
    var isActive: Bool { progress.withLock { $0.failure == nil && !$0.stopped } }

    /// Stops the thread after its queued jobs and closes the database. Call from outside the thread.
    func stop() {
        progress.withLock { $0.stopped = true }
        // A wait for commit spacing would only delay the stop: the queued batches are not applied anyway.
        spacingGate.withLock {
            spacingState.stopped = true
            spacingGate.broadcast()
        }
        walCheckpointer.close()
        worker.submitNow { [self] in applier = nil }
        worker.stopAndWait()
        pendingSnapshots.wait()
    }

    // MARK: On the worker thread

    private func applyQueued() {
        // A batch's job finds nothing when an earlier job took its batch along: it must not wait out the
        // spacing for nothing (each such wait held up the batches queued behind it: live lag p99 56 ms).
        guard let first = queued.withLock({ $0.first }) else { return }
        // Only at the head: a served database catching up (after a restart) applies full batches, whose
        // commits are already shared by thousands of events, and must not wait between them.
        if commitSpacing > 0, first.atHead, state.mode == .live { waitOutCommitSpacing(before: first.throughPosition) }
        let batches = queued.withLock { queued in
            defer { queued.removeAll(keepingCapacity: true) }
            return queued
        }
        guard let last = batches.last else { return }
        // A database being built takes the feed's batches as they are (`batchEventsMax` each, already
        // large): its transactions, and so its snapshots, end where the feed's batches do.
        guard batches.count > 1, state.mode == .live else {
            for batch in batches { apply(batch) }
            return
        }
        apply(FeedBatch(events: batches.flatMap(\.events), throughPosition: last.throughPosition, atHead: last.atHead))
    }

    /// Waits until `commitSpacing` has passed since the last commit (or `stop`/`commitNow` ends the wait).
    /// Blocking is fine here: the thread is this database's alone, and the batches that come meanwhile
    /// queue up to share the transaction.
    private func waitOutCommitSpacing(before position: UInt64) {
        let deadline = lastCommit + commitSpacing
        spacingGate.withLock {
            spacingState.waiting = true
            spacingState.before = position
            while !spacingState.endWait, !spacingState.stopped, ConditionLock.now() < deadline { spacingGate.wait(until: deadline) }
            spacingState.waiting = false
            spacingState.endWait = false
        }
    }

    private func apply(_ batch: FeedBatch) {
        guard let applier, isActive else { return }
        let started = ProcessInfo.processInfo.systemUptime
        let before = progress.withLock { $0.checkpoint }
        let checkpoint: UInt64
        do {
            checkpoint = try applier.apply(batch.events[...], after: before)
        } catch {
            fail(error, applier)
            return
        }
        let applied = batch.events.count { $0.position > before }
        var cacheUsed: Int32 = 0
        var highWater: Int32 = 0
        sqlite3_db_status(applier.database.handle, SQLITE_DBSTATUS_CACHE_USED, &cacheUsed, &highWater, 0)
        let caughtUpNow = batch.atHead && checkpoint >= batch.throughPosition
        let (mode, wasCaughtUp) = progress.withLock { progress in
            progress.checkpoint = checkpoint
            progress.rate.record(applied, started: started)
            if applied > 0 { progress.transactions += 1 }
            progress.pageCacheBytes = Int(cacheUsed)
            defer { progress.caughtUp = progress.caughtUp || caughtUpNow }
            return (progress.mode, progress.caughtUp)
        }
        if applied > 0 {
            lastCommit = ConditionLock.now()
            onChange(self, .advanced)
            if mode == .live { walCheckpointer.committed() }
        }
        takeSnapshotIfDue(applier, before: before, after: checkpoint)
        guard caughtUpNow, !wasCaughtUp else { return }
        if mode == .building {
            promote(applier)
        } else {
            onChange(self, .caughtUp)
        }
    }

    private func fail(_ failure: ApplyFailure, _ applier: ProjectionApplier) {
        logger.error("projection \(definition.name) stopped at position \(failure.position): \(failure.message)")
        try? DatabaseMeta.set("failed_position", String(failure.position), in: applier.database)
        try? DatabaseMeta.set("failed_message", failure.message, in: applier.database)
        progress.withLock { progress in
            progress.checkpoint = failure.checkpoint
            progress.failure = (failure.position, failure.message)
        }
        onChange(self, .failed)
    }

    private func takeSnapshotIfDue(_ applier: ProjectionApplier, before: UInt64, after: UInt64) {
        guard snapshots.isDue(previous: max(before, lastSnapshot), current: after) else { return }
        let (mode, path) = progress.withLock { ($0.mode, $0.path) }
        guard snapshots.isDue(previous: max(before, lastSnapshot), current: after, last: lastSnapshot, bytes: Self.fileSize(path)) else { return }
        if mode == .live {
            lastSnapshot = after
            let (snapshots, logger, name) = (snapshots, logger, definition.name)
            Self.snapshotQueue.async(group: pendingSnapshots) {
                do throws(SQLiteError) {
                    try snapshots.take(readingFrom: path)
                } catch {
                    logger.warning("projection \(name): snapshot near \(after) failed: \(error.message)")
                }
            }
            return
        }
        // A database being built is not in WAL mode (no reader can copy it while it is written), and
        // nothing waits on a build's latency: copy it here, between batches.
        do {
            try snapshots.take(applier.database, position: after)
            lastSnapshot = after
        } catch {
            // A missing snapshot only makes "as of" queries replay more; the projection goes on.
            logger.warning("projection \(definition.name): snapshot at \(after) failed: \(error.message)")
        }
    }

    private static func fileSize(_ path: String) -> Int64 {
        var status = stat()
        return stat(path, &status) == 0 ? Int64(status.st_size) : 0
    }

    /// Marks the built database complete, moves it to its final name and reopens it in WAL mode.
    private func promote(_ current: ProjectionApplier) {
        let buildingPath = progress.withLock { $0.path }
        do {
            // Indexes left out of the bulk load are built once, now, before the database is served.
            for offset in definition.deferredIndexes.sorted() { try current.database.execute(definition.schema[offset].sql) }
            // Then the definition's own `after build` schema (full-text tables filled in one pass, triggers).
            for statement in definition.afterBuild { try current.database.execute(statement.sql) }
            try DatabaseMeta.set(DatabaseMeta.afterBuildKey, "1", in: current.database)
            // The build never synced; this commit does (synchronous=FULL flushes the whole file), so the
            // database is durable before it is marked complete and served.
            try current.database.execute("PRAGMA synchronous=FULL")
            try DatabaseMeta.set("complete", "1", in: current.database)
            applier = nil
            ProjectionFiles.remove(database: finalPath)
            guard rename(buildingPath, finalPath) == 0 else { throw SQLiteError(message: "cannot rename \(buildingPath): errno \(errno)") }
            syncDirectory(of: finalPath)
            let database = try SQLiteDatabase(path: finalPath)
            try database.execute(Self.livePragmas)
            applier = try ProjectionApplier(definition: definition, database: database, afterBuild: true)
        } catch {
            logger.error("projection \(definition.name): cannot finish the build: \(error)")
            progress.withLock { $0.failure = ($0.checkpoint, "cannot finish the build: \(error)") }
            onChange(self, .failed)
            return
        }
        progress.withLock { progress in
            progress.mode = .live
            progress.path = finalPath
        }
        onChange(self, .promoted)
    }
}

/// Makes a rename in the directory of `path` durable (best effort: a failure only risks a rebuild).
private func syncDirectory(of path: String) {
    let directory = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
    let descriptor = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY)
    guard descriptor >= 0 else { return }
    fsync(descriptor)
    close(descriptor)
}
