import Foundation

/// When to snapshot a projection database and how many snapshots to keep (see ProjectionEngineOptions).
struct SnapshotStore: Sendable {
    let directory: String
    let everyEvents: UInt64
    let keepMax: Int
    let bytesMax: Int64

    /// Snapshot positions on disk, ascending.
    func positions() -> [UInt64] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { name in name.hasSuffix(".sqlite") ? UInt64(name.dropLast(7)) : nil }.sorted()
    }

    func path(_ position: UInt64) -> String { "\(directory)/\(position).sqlite" }

    /// The newest snapshot at or before `position`.
    func nearest(atOrBefore position: UInt64) -> UInt64? { positions().last { $0 <= position } }

    /// Whether a checkpoint moving from `previous` to `current` crosses a snapshot boundary.
    func isDue(previous: UInt64, current: UInt64) -> Bool {
        everyEvents > 0 && keepMax > 0 && current / everyEvents > previous / everyEvents
    }

    /// The database size per spacing step: a database of `n × stretchBytes` (n ≥ 2) is snapshotted every
    /// `n × everyEvents` events at most often; a smaller one at every boundary.
    static let stretchBytes: Int64 = 64 << 20

    /// Whether a snapshot is due at `current`, the last one having been taken at `last` (0: none), for a
    /// database of `bytes`: at a boundary (`isDue`), once the events since the last snapshot reach the
    /// spacing stretched in proportion to the database's size.
    ///
    /// Why: a snapshot copies the whole database, so with a fixed spacing the bytes copied grow with the
    /// square of the history (the audit trail at 1M events: ten copies of 52 MB … 520 MB, 2.9 GB, 18 % of
    /// a full rebuild's time), and most of them were then thinned away by the byte bound anyway. Stretched,
    /// the copies total a few times the final size; a small database (the board: ~6 MB at 1M events)
    /// keeps its fixed spacing, so "as of" on it stays as fast.
    func isDue(previous: UInt64, current: UInt64, last: UInt64, bytes: Int64) -> Bool {
        guard isDue(previous: previous, current: current) else { return false }
        let steps = UInt64(max(1, bytes / Self.stretchBytes))
        // Below two units, every boundary (batch ends rarely fall exactly on one: 300 then 500 for 250).
        guard steps > 1, last > 0 else { return true }
        let (spacing, overflow) = everyEvents.multipliedReportingOverflow(by: steps)
        return current - min(current, last) >= (overflow ? UInt64.max : spacing)
    }

    /// Writes a consistent copy of `database` (at `position`) under a temporary name renamed into place,
    /// so that a crash never leaves a partial snapshot, then thins the snapshots to the bounds.
    ///
    /// The copy is SQLite's backup API (pages copied as they are, no syncing: a lost snapshot only makes
    /// "as of" replay more), not `VACUUM INTO`, which re-inserts every row and rebuilds every index.
    /// Measured here on the board at 1M events (9 MB): 15 vs 31 ms CPU, 31 vs 104 ms wall; on the audit
    /// trail at 200k events (198 MB): 0.26 vs 0.56 s CPU, 0.34 vs 1.66 s wall.
    func take(_ database: SQLiteDatabase, position: UInt64) throws(SQLiteError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw SQLiteError(message: "cannot create \(directory): \(error.localizedDescription)")
        }
        // Unique: a rebuild of the live version snapshots into the same directory as the live writer.
        let temporary = "\(directory)/\(position).\(ProcessInfo.processInfo.globallyUniqueString).partial"
        ProjectionFiles.remove(database: temporary)
        do {
            let copy = try SQLiteDatabase(path: temporary)
            try copy.execute("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;")
            try database.backup(into: copy)
            // The backup copies the source's header, WAL flag included; a snapshot is a plain file.
            try copy.execute("PRAGMA journal_mode=DELETE")
        } catch {
            ProjectionFiles.remove(database: temporary)
            throw error
        }
        guard rename(temporary, path(position)) == 0 else { throw SQLiteError(message: "cannot rename \(temporary): errno \(errno)") }
        prune()
    }

    /// Snapshots the served (WAL) database at `path` through a read-only connection, at whatever
    /// checkpoint its read transaction sees (the writer goes on meanwhile); the file is named by that
    /// checkpoint, so it is exact.
    func take(readingFrom path: String) throws(SQLiteError) {
        let source = try SQLiteDatabase(path: path, mode: .readOnly)
        // One read transaction for the checkpoint and the copy: the backup reads the same state.
        try source.execute("BEGIN")
        defer { try? source.execute("COMMIT") }
        let position = UInt64(try source.scalar("SELECT position FROM _projection_checkpoint WHERE id = 1") ?? 0)
        guard !FileManager.default.fileExists(atPath: self.path(position)) else { return }
        try take(source, position: position)
    }

    /// Thins the snapshots until at most `keepMax` remain and they take at most `bytesMax`: each step
    /// drops the snapshot (never the newest) whose removal leaves the smallest gap between its
    /// neighbours (the older one on a tie), so the kept ones stay spread over the whole history and an
    /// "as of" replays at most about `2 × head / keepMax` events (or `everyEvents`, if larger) from the
    /// nearest one. Dropping the oldest instead would leave the early history with no snapshot at all.
    func prune() {
        var kept = positions()
        func size(_ position: UInt64) -> Int64 {
            ((try? FileManager.default.attributesOfItem(atPath: path(position)))?[.size] as? NSNumber)?.int64Value ?? 0
        }
        var bytes = kept.reduce(Int64(0)) { $0 + size($1) }
        while !kept.isEmpty, kept.count > keepMax || bytes > bytesMax {
            let victim = Self.thinningVictim(kept)
            let position = kept.remove(at: victim)
            bytes -= size(position)
            try? FileManager.default.removeItem(atPath: path(position))
        }
    }

    /// The index in `positions` (ascending, not empty) of the snapshot to drop next (see `prune`).
    static func thinningVictim(_ positions: [UInt64]) -> Int {
        guard positions.count > 1 else { return 0 }
        var best = 0
        var bestGap = UInt64.max
        for index in 0..<(positions.count - 1) {
            let gap = positions[index + 1] - (index == 0 ? 0 : positions[index - 1])
            if gap < bestGap {
                best = index
                bestGap = gap
            }
        }
        return best
    }
}
