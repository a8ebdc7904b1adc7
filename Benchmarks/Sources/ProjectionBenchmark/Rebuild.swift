import BenchmarkSupport
import EventLog
import Foundation
import GRDBSQLite
import ProjectionEngine

struct RebuildRun {
    var eventsPerSecond: Double
    var seconds: Double
    var cpuMicrosPerEvent: Double
    var events: UInt64
}

enum Rebuild {
    static func definitions(_ arguments: Arguments) throws -> [ProjectionDefinition] {
        let loaded = try DefinitionLoader.load(directory: arguments.projections)
        if let error = loaded.errors.first { fatalError("a built-in definition does not load: \(error)") }
        guard let select = arguments.select else { return loaded.definitions }
        let names = Set(select.split(separator: ",").map(String.init))
        return loaded.definitions.filter { names.contains($0.name) }
    }

    static func options() -> ProjectionEngineOptions {
        var options = ProjectionEngineOptions()
        options.logger.logLevel = .error
        if let batch = Arguments.engineBatch { options.batchEventsMax = batch }
        return options
    }

    /// Every built-in projection built from scratch into a fresh projection directory, exactly as
    /// `taskledger projections rebuild` / engine start does: `start()`, then wait until all are live.
    /// Returns the run and the engine, still running (live at the head), for the as-of queries.
    static func run(log: EventLog, directory: String, definitions: [ProjectionDefinition]) async throws -> (RebuildRun, ProjectionEngine) {
        try? FileManager.default.removeItem(atPath: directory)
        let head = log.head.position
        let engine = ProjectionEngine(log: log, dataDirectory: directory, definitions: definitions, options: options())
        let cpu = processCPUNanos()
        let started = nanosNow()
        try engine.start()
        guard await engine.waitUntilCaughtUp(timeout: .seconds(3_600)) else { fatalError("the rebuild did not finish") }
        let elapsed = seconds(since: started)
        let cpuNanos = processCPUNanos() - cpu
        for status in engine.status() where status.checkpoint < head || status.state != .live {
            fatalError("projection \(status.name) is \(status.state) at \(status.checkpoint) of \(head)")
        }
        return (
            RebuildRun(
                eventsPerSecond: Double(head) / elapsed, seconds: elapsed, cpuMicrosPerEvent: Double(cpuNanos) / 1e3 / Double(head), events: head),
            engine
        )
    }

    /// The baseline: the same events read from the same log in batches of `batch`, inserted with one
    /// prepared statement into one rowid table (position, type, stream, data), one transaction per
    /// batch, with the settings of a projection database being built (journal in memory,
    /// synchronous=OFF, 64 MiB page cache).
    static func baseline(log: EventLog, path: String, batch: Int) throws -> RebuildRun {
        for suffix in ["", "-journal", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        var db: OpaquePointer?
        guard sqlite3_open(path, &db) == SQLITE_OK, let db else { fatalError("cannot open \(path)") }
        defer { sqlite3_close(db) }
        func exec(_ sql: String) {
            guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else { fatalError(String(cString: sqlite3_errmsg(db))) }
        }
        exec("PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF; PRAGMA cache_size=-65536;")
        exec("CREATE TABLE events (position INTEGER PRIMARY KEY, type TEXT NOT NULL, stream TEXT NOT NULL, data TEXT NOT NULL)")
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, "INSERT INTO events (position, type, stream, data) VALUES (?1, ?2, ?3, ?4)", -1, &statement, nil) == SQLITE_OK
        else { fatalError("prepare") }
        defer { sqlite3_finalize(statement) }
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        let head = log.head.position
        let cpu = processCPUNanos()
        let started = nanosNow()
        var next: UInt64 = 1
        while next <= head {
            let events = try log.read(from: next, maxCount: batch)
            guard let last = events.last else { break }
            exec("BEGIN")
            for event in events {
                sqlite3_bind_int64(statement, 1, Int64(event.position))
                sqlite3_bind_text(statement, 2, event.type, -1, transient)
                sqlite3_bind_text(statement, 3, event.stream, -1, transient)
                event.data.withUnsafeBytes { bytes in
                    _ = sqlite3_bind_text(statement, 4, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(bytes.count), transient)
                }
                guard sqlite3_step(statement) == SQLITE_DONE else { fatalError(String(cString: sqlite3_errmsg(db))) }
                sqlite3_reset(statement)
            }
            exec("COMMIT")
            next = last.position + 1
        }
        let elapsed = seconds(since: started)
        let cpuNanos = processCPUNanos() - cpu
        return RebuildRun(
            eventsPerSecond: Double(head) / elapsed, seconds: elapsed, cpuMicrosPerEvent: Double(cpuNanos) / 1e3 / Double(head), events: head)
    }
}
