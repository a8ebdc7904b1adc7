import GRDBSQLite
import Synchronization

/// Read-only connections to one live projection database; a query checks one out, so readers never use
/// the writer's connection and never share one between threads. Query statements are prepared once per
/// connection and cached.
final class ReaderPool: Sendable {
    let path: String
    let definition: ProjectionDefinition
    /// This database's latest answers (a swap brings a new pool, and so an empty cache).
    let results = ResultCache()
    private let state = Mutex<PoolState>(PoolState())
    private static let idleMax = 8
    /// Each reader connection's SQLite page cache limit (SQLite's default, set explicitly so that it is
    /// stated: 2,000 KiB).
    static let pageCacheBytesMax = 2_000 << 10
    /// The page caches of a pool's idle connections at most.
    static let idlePageCacheBytesMax = idleMax * pageCacheBytesMax

    private struct PoolState {
        var idle: [ReaderConnection] = []
        var closed = false
        /// The idle connections' page caches, each measured when its connection was last given back.
        var idleCacheBytes = 0
    }

    /// The page caches of the idle connections, in bytes (those running a query are counted when they
    /// come back): what the readers hold between queries.
    var idlePageCacheBytes: Int { state.withLock { $0.idleCacheBytes } }

    init(path: String, definition: ProjectionDefinition) {
        self.path = path
        self.definition = definition
    }

    /// Runs `body` with a connection of this pool; nil when the pool was closed (the database was swapped
    /// out meanwhile: the caller asks the slot again).
    func withReader<R>(_ body: (ReaderConnection) throws(ProjectionError) -> R) throws(ProjectionError) -> R? {
        let taken: ReaderConnection?? = state.withLock { state in
            guard !state.closed else { return .none }
            guard let connection = state.idle.popLast() else { return .some(nil) }
            state.idleCacheBytes -= connection.cacheBytes
            return .some(connection)
        }
        guard let taken else { return nil }
        let connection: ReaderConnection
        if let taken {
            connection = taken
        } else {
            do {
                let database = try SQLiteDatabase(path: path, mode: .readOnly)
                try database.execute("PRAGMA cache_size=-\(Self.pageCacheBytesMax >> 10)")
                connection = ReaderConnection(database)
            } catch {
                throw .sqlite(error.message)
            }
        }
        let result = try body(connection)
        // Measured here, on the thread that owns the connection: never while another thread uses it.
        connection.measureCache()
        state.withLock { state in
            if !state.closed, state.idle.count < Self.idleMax {
                state.idle.append(connection)
                state.idleCacheBytes += connection.cacheBytes
            }
        }
        return result
    }

    /// Closes idle connections; those checked out close when their query returns.
    func close() {
        let idle = state.withLock { state in
            state.closed = true
            state.idleCacheBytes = 0
            defer { state.idle.removeAll() }
            return state.idle
        }
        _ = idle
    }
}

/// One read-only connection and its prepared queries. Used by one thread at a time: it is checked out of
/// its pool for the duration of a query.
final class ReaderConnection: @unchecked Sendable {
    let database: SQLiteDatabase
    private var statements: [String: SQLiteStatement] = [:]
    /// `prepared(_:)`: statements other than the queries themselves, by their text.
    private var others: [String: SQLiteStatement] = [:]
    /// The page cache after the last query (`SQLITE_DBSTATUS_CACHE_USED`), in bytes.
    private(set) var cacheBytes = 0

    init(_ database: SQLiteDatabase) { self.database = database }

    func measureCache() {
        var used: Int32 = 0
        var highWater: Int32 = 0
        sqlite3_db_status(database.handle, SQLITE_DBSTATUS_CACHE_USED, &used, &highWater, 0)
        cacheBytes = Int(used)
    }

    /// Runs `body` inside one read transaction and gives it the checkpoint that transaction sees, so that
    /// the answer and the position it reports are the same snapshot of the database.
    func withReadTransaction<R>(_ body: (UInt64) throws(ProjectionError) -> R) throws(ProjectionError) -> R {
        do {
            try database.execute("BEGIN")
            defer { try? database.execute("COMMIT") }
            let checkpoint = UInt64(try database.scalar("SELECT position FROM _projection_checkpoint WHERE id = 1") ?? 0)
            return try body(checkpoint)
        } catch let error as SQLiteError {
            throw .sqlite(error.message)
        } catch {
            throw error as! ProjectionError
        }
    }

    func statement(for query: QueryDefinition) throws(SQLiteError) -> SQLiteStatement {
        if let cached = statements[query.name] { return cached }
        let statement = try database.prepare(query.statement.sql)
        statements[query.name] = statement
        return statement
    }

    /// A query's other statement (its `countSQL`, its `-- total:` statement) prepared once on this
    /// connection and kept, by its text.
    func prepared(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        if let cached = others[sql] { return cached }
        let statement = try database.prepare(sql)
        others[sql] = statement
        return statement
    }
}
