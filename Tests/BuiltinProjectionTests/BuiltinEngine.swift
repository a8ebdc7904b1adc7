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
        let head = log.head.position
        for name in names {
            let reached = try await engine.waitUntil(projection: name, position: head, timeout: .seconds(60))
            if !reached {
                let status = engine.status().first { $0.name == name }.map { "\($0.state) at \($0.checkpoint)" } ?? "no status"
                await engine.stop()
                throw FixtureError("projection \(name) did not reach position \(head): \(status)")
            }
        }
        return BuiltinEngine(engine: engine)
    }

    func query(_ projection: String, _ query: String, _ parameters: [String: QueryValue], cursor: String?) throws -> QueryResult {
        try engine.query(projection: projection, query: query, parameters: parameters, cursor: cursor)
    }

    func stop() async { await engine.stop() }
}
