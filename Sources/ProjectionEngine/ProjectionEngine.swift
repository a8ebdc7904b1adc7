public import EventLog
import Foundation
import Logging
import Synchronization

/// Keeps a workspace's read models up to date and answers their queries.
///
/// ```swift
/// let loaded = try DefinitionLoader.load(directory: "Projections")
/// let engine = ProjectionEngine(log: log, dataDirectory: "./taskledger-data", definitions: loaded.definitions)
/// try engine.start()
/// _ = try await engine.waitUntil(projection: "board", position: appended, timeout: .seconds(2))
/// let page = try engine.query(projection: "board", query: "column", parameters: ["project": .text("OPS"), "state": .text("todo")])
/// print(page.json)
/// await engine.stop()
/// ```
///
/// Each projection has one SQLite database per definition version under
/// `<data>/workspaces/<workspace>/projections/<name>/`. Events are applied in batches, each in one
/// transaction that also advances the checkpoint; a changed definition is built beside the served
/// database and swapped in when it has caught up. See docs/projections.md.
public final class ProjectionEngine: Sendable {
    /// A point in the log's history a query is answered at.
    public enum AsOf: Sendable, Equatable {
        case position(UInt64)
        /// Resolved to the last position committed at or before this time.
        case time(Timestamp)
    }

    public let log: EventLog
    public let options: ProjectionEngineOptions
    /// `<data>/workspaces/<workspace>/projections`.
    public let directory: String
    private let slots: [String: ProjectionSlot]
    private let feeds = Mutex<[Task<Void, Never>]>([])

    /// Prepares the engine; nothing is opened until `start`.
    public init(
        log: EventLog, dataDirectory: String, definitions: [ProjectionDefinition], options: ProjectionEngineOptions = ProjectionEngineOptions()
    ) {
        self.log = log
        self.options = options
        directory = "\(dataDirectory)/workspaces/\(log.workspace)/projections"
        var slots: [String: ProjectionSlot] = [:]
        for definition in definitions {
            slots[definition.name] = ProjectionSlot(
                definition: definition, files: ProjectionFiles(projectionsDirectory: directory, name: definition.name), options: options)
        }
        self.slots = slots
    }

    /// The projections' names, sorted.
    public var names: [String] { slots.keys.sorted() }

    // MARK: Running

    /// Opens each projection's newest complete database and starts applying events: databases of the
    /// current version catch up and follow the log; a projection whose definition changed (or that has no
    /// database yet) is built into a new file, served from the old one meanwhile if there is one.
    public func start() throws(ProjectionError) {
        var serving: [ProjectionWriter] = []
        var building: [ProjectionWriter] = []
        for name in names {
            let (served, build) = try open(slots[name]!)
            if let served { serving.append(served) }
            if let build { building.append(build) }
        }
        startFeed(serving)
        startFeed(building)
    }

    /// Builds `name` again from the first event into a new file beside the served one, and swaps it in
    /// when it has caught up. Returns at once; `status` shows the progress. Does nothing when a build of
    /// `name` is already running.
    public func rebuild(_ name: String) throws(ProjectionError) {
        let slot = try slot(name)
        if let previous = slot.building {
            guard !previous.isActive else { return }
            // A build that failed keeps its thread until replaced.
            previous.stop()
        }
        let writer = try buildWriter(slot, livePath: slot.served?.readers.path)
        if slot.setBuilding(writer) { startFeed([writer]) } else { writer.stop() }
    }

    /// Stops following the log, finishes the batches being applied, and closes every database. A build
    /// that has not finished is left behind and discarded by the next `start`.
    public func stop() async {
        let tasks = feeds.withLock { feeds in
            defer { feeds.removeAll() }
            return feeds
        }
        for task in tasks { task.cancel() }
        for slot in slots.values {
            // Readers first: the writer's connection, closing last, checkpoints and removes the WAL file.
            slot.served?.readers.close()
            slot.building?.stop()
            slot.served?.writer?.stop()
            slot.cancelWaiters()
        }
        for task in tasks { await task.value }
    }

    // MARK: Status and waiting

    /// Every projection's status, by name.
    public func status() -> [ProjectionStatus] {
        let head = log.head.position
        return names.map { slots[$0]!.status(head: head) }
    }

    /// Waits until `projection`'s served database has applied `position` (read-your-writes: pass the
    /// position an append returned). Woken by the writer's commits, no polling. False on timeout, or when
    /// the projection failed before reaching it.
    public func waitUntil(projection: String, position: UInt64, timeout: Duration) async throws(ProjectionError) -> Bool {
        let slot = try slot(projection)
        _ = await slot.wait(
            until: { ($0.servedCheckpoint ?? 0) >= position || $0.servedFailed || ($0.servedCheckpoint == nil && $0.buildFailed) }, timeout: timeout)
        return (slot.served?.writer?.state.checkpoint ?? 0) >= position
    }

    /// Each writer connection's SQLite page cache (served and building databases), in bytes, after its
    /// last transaction, with the limit: the projections' largest share of the server's memory.
    public func pageCaches() -> [(projection: String, bytes: Int, limit: Int)] {
        names.flatMap { name in
            let slot = slots[name]!
            return [slot.served?.writer, slot.building].compactMap { $0 }.map {
                (name, $0.state.pageCacheBytes, ProjectionWriter.pageCacheBytesMax)
            }
        }
    }

    /// Each served database's idle reader connections' SQLite page caches, in bytes, with their limit.
    public func readerPageCaches() -> [(projection: String, bytes: Int, limit: Int)] {
        names.compactMap { name in
            slots[name]!.served.map { (name, $0.readers.idlePageCacheBytes, ReaderPool.idlePageCacheBytesMax) }
        }
    }

    /// The writer of the served database of `name` (for tests).
    func servedWriter(_ name: String) -> ProjectionWriter? { slots[name]?.served?.writer }

    /// Waits until every projection is live (served, caught up, no build running) or failed. False on timeout.
    public func waitUntilCaughtUp(timeout: Duration) async -> Bool {
        var all = true
        for slot in slots.values {
            let done = await slot.wait(until: { ($0.servedCaughtUp && !$0.building) || $0.servedFailed || $0.buildFailed }, timeout: timeout)
            all = all && done
        }
        return all
    }

    // MARK: Queries

    /// Runs a named query of a projection.
    ///
    /// - Parameters:
    ///   - parameters: values for the query's declared parameters; those left out take their defaults.
    ///   - cursor: the `next` of the previous page.
    ///   - limit: rows per page (capped at 500); overrides a `limit` parameter.
    ///   - asOf: answer as of a past position or time instead of now.
    ///   - total: also count the query's rows over all its pages (`QueryResult.total`): one more run of
    ///     the query without cursor and limit, so only when asked.
    /// - Returns: the rows, the next page's cursor, and the log position the answer reflects.
    public func query(
        projection: String, query name: String, parameters: [String: QueryValue] = [:], cursor: String? = nil, limit: Int? = nil,
        asOf: AsOf? = nil, total: Bool = false
    ) throws(ProjectionError) -> QueryResult {
        let slot = try slot(projection)
        let request = QueryRequest(projection: projection, query: name, parameters: parameters, cursor: cursor, limit: limit, total: total)
        let target = try asOf.map { asOf throws(ProjectionError) in try resolve(asOf) }
        // A swap closes the pool a query picked; the next attempt finds the new one.
        for _ in 0..<16 {
            guard let served = slot.served else { throw notServed(slot) }
            guard let query = served.definition.queries[name] else { throw .unknownQuery(projection: projection, query: name) }
            let bindings = try QueryRunner.check(request, query)
            // The current answer, unless the writer committed since it was computed (see ResultCache).
            let key = ResultCache.Key(query: name, parameters: parameters, cursor: cursor, limit: limit, total: total)
            let current = target == nil ? served.writer?.checkpoint : nil
            if let current, let kept = served.readers.results.answer(key, at: current) { return kept }
            let answer = try served.readers.withReader { connection throws(ProjectionError) -> QueryResult? in
                try connection.withReadTransaction { checkpoint throws(ProjectionError) -> QueryResult? in
                    guard target == nil || target == checkpoint else { return nil }
                    let statement: SQLiteStatement
                    do throws(SQLiteError) { statement = try connection.statement(for: query) } catch { throw .sqlite(error.message) }
                    return try QueryRunner.run(
                        query, bindings, statement: statement, prepare: { (sql) throws(SQLiteError) in try connection.prepared(sql) },
                        position: checkpoint, timeSecondsMax: options.queryTimeSecondsMax)
                }
            }
            guard let answer else { continue }
            if let answer {
                if current != nil { served.readers.results.keep(answer, for: key) }
                return answer
            }
            return try replay(slot, served, query, bindings, at: target!)
        }
        throw .notReady(projection)
    }

    /// The answer `query` would give now, if it is already known: kept from an earlier run at the
    /// served database's current position (see `ResultCache`). Never runs SQL, never waits: nil when
    /// the answer would have to be computed, or when the projection is not served. The server answers
    /// such reads on the connection's event loop; everything else takes `query(…)`.
    public func readyAnswer(
        projection: String, query name: String, parameters: [String: QueryValue] = [:], cursor: String? = nil, limit: Int? = nil,
        total: Bool = false
    ) -> QueryResult? {
        guard let served = slots[projection]?.served, let current = served.writer?.checkpoint else { return nil }
        return served.readers.results.answer(
            ResultCache.Key(query: name, parameters: parameters, cursor: cursor, limit: limit, total: total), at: current)
    }

    /// The position the served database of `projection` has applied (its checkpoint), the position a
    /// query answered now reflects; nil when it is not served or unknown.
    public func servedPosition(of projection: String) -> UInt64? {
        slots[projection]?.served?.writer?.checkpoint
    }

    private func replay(
        _ slot: ProjectionSlot, _ served: ProjectionSlot.Served, _ query: QueryDefinition, _ bindings: QueryRunner.Bindings, at position: UInt64
    ) throws(ProjectionError) -> QueryResult {
        let replay = AsOfReplay(
            log: log, definition: served.definition, snapshots: slot.snapshots(served.definition), readers: served.readers,
            batchEventsMax: max(options.batchEventsMax, 4_096))
        let database = try replay.database(at: position)
        let statement: SQLiteStatement
        do { statement = try database.prepare(query.statement.sql) } catch { throw .sqlite(error.message) }
        return try QueryRunner.run(
            query, bindings, statement: statement, prepare: { (sql) throws(SQLiteError) in try database.prepare(sql) }, position: position,
            timeSecondsMax: options.queryTimeSecondsMax)
    }

    private func resolve(_ asOf: AsOf) throws(ProjectionError) -> UInt64 {
        let head = log.head.position
        switch asOf {
        case .position(let position):
            guard position <= head else { throw .positionBeyondHead(requested: position, head: head) }
            return position
        case .time(let time):
            return log.lastPosition(atOrBefore: time)
        }
    }

    private func notServed(_ slot: ProjectionSlot) -> ProjectionError {
        if case .failed(let position, let message) = slot.status(head: log.head.position).state {
            return .failed(projection: slot.name, position: position, message: message)
        }
        return .notReady(slot.name)
    }

    private func slot(_ name: String) throws(ProjectionError) -> ProjectionSlot {
        guard let slot = slots[name] else { throw .unknownProjection(name) }
        return slot
    }

    // MARK: Opening

    /// Picks the database to serve (the current version's, else the newest complete older one), removes
    /// the rest (unfinished builds included), and creates a build when the current version is missing.
    private func open(_ slot: ProjectionSlot) throws(ProjectionError) -> (ProjectionWriter?, ProjectionWriter?) {
        try slot.files.createDirectory()
        let current = slot.definition
        var candidates: [(path: String, meta: DatabaseMeta, modified: Date)] = []
        for path in slot.files.databases() {
            guard !path.hasSuffix(".building.sqlite"), let meta = DatabaseMeta.read(path: path), meta.complete, meta.name == slot.name else {
                ProjectionFiles.remove(database: path)
                continue
            }
            let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date ?? .distantPast
            candidates.append((path, meta, modified))
        }
        let keep =
            candidates.filter { $0.meta.version == current.version }.max { $0.meta.checkpoint < $1.meta.checkpoint }
            ?? candidates.max { $0.modified < $1.modified }
        for candidate in candidates where candidate.path != keep?.path {
            ProjectionFiles.remove(database: candidate.path)
            if candidate.meta.version != keep?.meta.version && candidate.meta.version != current.version {
                try? FileManager.default.removeItem(atPath: slot.files.snapshotDirectory(version: candidate.meta.version))
            }
        }
        var servedWriter: ProjectionWriter?
        if let keep, let definition = servableDefinition(keep.meta, current: current, path: keep.path) {
            do {
                let writer = try ProjectionWriter(
                    definition: definition, path: keep.path, mode: .live, finalPath: keep.path,
                    snapshots: slot.snapshots(definition), commitSpacing: options.liveCommitSpacing, logger: options.logger,
                    onChange: { [slot] writer, change in slot.handle(writer, change) })
                slot.setServed(ProjectionSlot.Served(writer: writer, readers: ReaderPool(path: keep.path, definition: definition)))
                servedWriter = writer
            } catch {
                // A database SQLite cannot open as it should is rebuilt, not a reason to stop the others.
                options.logger.warning("projection \(slot.name): cannot open \(keep.path) (\(error)); rebuilding")
                ProjectionFiles.remove(database: keep.path)
            }
        }
        guard servedWriter == nil || keep?.meta.version != current.version else { return (servedWriter, nil) }
        let build = try buildWriter(slot, livePath: servedWriter == nil ? nil : keep?.path)
        _ = slot.setBuilding(build)
        return (servedWriter, build)
    }

    /// The definition to serve a stored database with: the current one for its version, else the one it
    /// was built from. A stored definition that no longer compiles cannot be served: its database is
    /// removed (the current version gets built) rather than failing the other projections' start.
    private func servableDefinition(_ meta: DatabaseMeta, current: ProjectionDefinition, path: String) -> ProjectionDefinition? {
        if meta.version == current.version { return current }
        do {
            return try DefinitionCompiler.compile(file: "\(current.name).sql", bytes: Array(meta.source.utf8))
        } catch {
            options.logger.warning("projection \(current.name): cannot serve \(path) (its stored definition: \(error)); rebuilding")
            ProjectionFiles.remove(database: path)
            return nil
        }
    }

    private func buildWriter(_ slot: ProjectionSlot, livePath: String?) throws(ProjectionError) -> ProjectionWriter {
        try slot.files.createDirectory()
        let definition = slot.definition
        let path = slot.files.buildingPath(version: definition.version)
        ProjectionFiles.remove(database: path)
        return try ProjectionWriter(
            definition: definition, path: path, mode: .building, finalPath: slot.files.finalPath(version: definition.version, livePath: livePath),
            snapshots: slot.snapshots(definition), commitSpacing: options.liveCommitSpacing, logger: options.logger,
            onChange: { [slot] writer, change in slot.handle(writer, change) })
    }

    private func startFeed(_ writers: [ProjectionWriter]) {
        guard !writers.isEmpty else { return }
        let feed = Feed(log: log, writers: writers, batchEventsMax: options.batchEventsMax, logger: options.logger)
        let task = Task { await feed.run() }
        feeds.withLock { $0.append(task) }
    }
}
