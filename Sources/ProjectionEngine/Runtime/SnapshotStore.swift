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

    /// Writes a consistent copy of `database` (at `position`) with `VACUUM INTO`, under a temporary name
    /// renamed into place so that a crash never leaves a partial snapshot, then drops the oldest ones
    /// beyond the bounds.
    func take(_ database: SQLiteDatabase, position: UInt64) throws(SQLiteError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw SQLiteError(message: "cannot create \(directory): \(error.localizedDescription)")
        }
        // Unique: a rebuild of the live version snapshots into the same directory as the live writer.
        let temporary = "\(directory)/\(position).\(ProcessInfo.processInfo.globallyUniqueString).partial"
        try? FileManager.default.removeItem(atPath: temporary)
        try database.execute("VACUUM INTO '\(temporary.replacingOccurrences(of: "'", with: "''"))'")
        guard rename(temporary, path(position)) == 0 else { throw SQLiteError(message: "cannot rename \(temporary): errno \(errno)") }
        prune()
    }

    /// Drops the oldest snapshots until at most `keepMax` remain and they take at most `bytesMax`.
    func prune() {
        var kept = positions()
        func size(_ position: UInt64) -> Int64 {
            ((try? FileManager.default.attributesOfItem(atPath: path(position)))?[.size] as? NSNumber)?.int64Value ?? 0
        }
        var bytes = kept.reduce(Int64(0)) { $0 + size($1) }
        while !kept.isEmpty, kept.count > keepMax || bytes > bytesMax {
            let oldest = kept.removeFirst()
            bytes -= size(oldest)
            try? FileManager.default.removeItem(atPath: path(oldest))
        }
    }
}
