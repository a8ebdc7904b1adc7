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

    private struct PoolState {
        var idle: [ReaderConnection] = []
        var closed = false
    }

    init(path: String, definition: ProjectionDefinition) {
        self.path = path
        self.definition = definition
    }

    /// Runs `body` with a connection of this pool; nil when the pool was closed (the database was swapped
    /// out meanwhile: the caller asks the slot again).
    func withReader<R>(_ body: (ReaderConnection) throws(ProjectionError) -> R) throws(ProjectionError) -> R? {
        let taken: ReaderConnection?? = state.withLock { state in
            guard !state.closed else { return .none }
            return .some(state.idle.popLast())
        }
        guard let taken else { return nil }
        let connection: ReaderConnection
        if let taken {
            connection = taken
        } else {
            do { connection = ReaderConnection(try SQLiteDatabase(path: path, mode: .readOnly)) } catch { throw .sqlite(error.message) }
        }
        let result = try body(connection)
        state.withLock { state in
            if !state.closed, state.idle.count < Self.idleMax { state.idle.append(connection) }
        }
        return result
    }

    /// Closes idle connections; those checked out close when their query returns.
    func close() {
        let idle = state.withLock { state in
            state.closed = true
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

    init(_ database: SQLiteDatabase) { self.database = database }

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
}
