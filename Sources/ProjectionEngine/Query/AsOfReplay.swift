import EventLog

/// "As of position P" when the served database is not exactly at P: the newest base at or before P (a
/// snapshot, the served database itself when it is behind P, or an empty database) is copied into a
/// private in-memory database with the backup API, events (base, P] are applied with the same statements,
/// the query runs there, and the copy is discarded. The answer equals a fresh rebuild stopped at P.
struct AsOfReplay {
    let log: EventLog
    let definition: ProjectionDefinition
    let snapshots: SnapshotStore
    let readers: ReaderPool
    let batchEventsMax: Int

    func database(at position: UInt64) throws(ProjectionError) -> SQLiteDatabase {
        do {
            let (memory, start, lacksAfterBuild) = try base(for: position)
            var base = start
            let applier = try ProjectionApplier(definition: definition, database: memory, afterBuild: !lacksAfterBuild)
            while base < position {
                let events = try log.read(from: base + 1, maxCount: min(batchEventsMax, Int(clamping: position - base)))
                guard !events.isEmpty else { break }
                do {
                    base = try applier.apply(decode(events, needs: applier.needs)[...], after: base)
                } catch {
                    throw ProjectionError.failed(projection: definition.name, position: error.position, message: error.message)
                }
            }
            // As a build does: the `after build` schema once the events are in (cheaper than keeping its
            // indexes and full-text tables during the replay, and the same result).
            if lacksAfterBuild {
                for statement in definition.afterBuild { try memory.execute(statement.sql) }
            }
            return memory
        } catch let error as SQLiteError {
            throw .sqlite(error.message)
        } catch let error as EventLogError {
            throw .log(error)
        } catch {
            throw error as! ProjectionError
        }
    }

    /// An in-memory copy of the best base at or before `position`, its checkpoint, and whether it still
    /// lacks the `after build` schema (empty, or a snapshot taken during a build).
    private func base(for position: UInt64) throws(SQLiteError) -> (SQLiteDatabase, UInt64, Bool) {
        let snapshot = snapshots.nearest(atOrBefore: position)
        // The served database is a better base than the snapshot when it is between the snapshot and P.
        if let (memory, checkpoint) = try copyServed(position: position, betterThan: snapshot ?? 0) { return (memory, checkpoint, false) }
        if let snapshot, let source = try? SQLiteDatabase(path: snapshots.path(snapshot), mode: .readOnly) {
            let memory = try SQLiteDatabase.inMemory()
            try source.backup(into: memory)
            let checkpoint = UInt64(try memory.scalar("SELECT position FROM _projection_checkpoint WHERE id = 1") ?? 0)
            if checkpoint <= position { return (memory, checkpoint, try DatabaseMeta.lacksAfterBuild(memory)) }
        }
        let memory = try SQLiteDatabase.inMemory()
        try memory.execute(DatabaseMeta.createSQL)
        for statement in definition.schema { try memory.execute(statement.sql) }
        return (memory, 0, true)
    }

    private func copyServed(position: UInt64, betterThan floor: UInt64) throws(SQLiteError) -> (SQLiteDatabase, UInt64)? {
        let memory = try SQLiteDatabase.inMemory()
        let copied: UInt64?? = try? readers.withReader { connection throws(ProjectionError) -> UInt64? in
            guard let checkpoint = try? connection.database.scalar("SELECT position FROM _projection_checkpoint WHERE id = 1"),
                UInt64(checkpoint) <= position, UInt64(checkpoint) > floor
            else { return nil }
            do throws(SQLiteError) { try connection.database.backup(into: memory) } catch { throw .sqlite(error.message) }
            return UInt64(checkpoint)
        }
        guard copied != nil, copied! != nil else { return nil }
        // The writer may have committed between the check and the copy: trust the copy's own checkpoint.
        let actual = UInt64(try memory.scalar("SELECT position FROM _projection_checkpoint WHERE id = 1") ?? 0)
        return actual <= position ? (memory, actual) : nil
    }
}
