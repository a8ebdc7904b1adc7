import EventLog
import ProjectionEngine

/// The projection engine over a log with the definitions of `Projections/`, run to the log's head.
final class BuiltinEngine {
    /// The built-in projections; every one must load and reach the head.
    static let names = ["activity", "audit", "board", "progress", "task", "task_history"]

    let engine: ProjectionEngine

    private init(engine: ProjectionEngine) { self.engine = engine }

    static func runToHead(log: EventLog, projectionsDirectory: String, dataDirectory: String) async throws -> BuiltinEngine {
        let loaded = try DefinitionLoader.load(directory: projectionsDirectory)
        if let error = loaded.errors.first { throw FixtureError("a built-in definition does not load: \(error)") }
        let definitions = loaded.definitions.filter { names.contains($0.name) }
        guard definitions.map(\.name).sorted() == names else {
            throw FixtureError("expected the definitions \(names), found \(loaded.definitions.map(\.name).sorted())")
        }
        var options = ProjectionEngineOptions()
        options.logger.logLevel = .critical
        let engine = ProjectionEngine(log: log, dataDirectory: dataDirectory, definitions: definitions, options: options)
        try engine.start()
        let built = BuiltinEngine(engine: engine)
        do {
            try await built.reach(log.head.position)
        } catch {
            await engine.stop()
            throw error
        }
        return built
    }

    /// Waits until every built-in projection has applied `position`; throws with the laggard's status.
    func reach(_ position: UInt64) async throws {
        for name in Self.names {
            if try await engine.waitUntil(projection: name, position: position, timeout: .seconds(60)) { continue }
            let status = engine.status().first { $0.name == name }.map { "\($0.state) at \($0.checkpoint)" } ?? "no status"
            throw FixtureError("projection \(name) did not reach position \(position): \(status)")
        }
    }

    func query(
        _ projection: String, _ query: String, _ parameters: [String: QueryValue], cursor: String?, asOf: ProjectionEngine.AsOf? = nil
    ) throws -> QueryResult {
        try engine.query(projection: projection, query: query, parameters: parameters, cursor: cursor, asOf: asOf)
    }

    func stop() async { await engine.stop() }
}
