import EventLog
import Foundation
import ProjectionEngine
import TestSupport

/// The fixture history replayed into a fresh log, with every built-in projection run to the log's head.
final class ReplayedWorld {
    let directory: TestDirectory
    let log: EventLog
    let engine: BuiltinEngine
    /// The fixture's lines, parsed, in position order.
    let events: [[String: Any]]

    private init(directory: TestDirectory, log: EventLog, engine: BuiltinEngine, events: [[String: Any]]) {
        self.directory = directory
        self.log = log
        self.engine = engine
        self.events = events
    }

    /// The fixture's first `prefix` events (all when nil), replayed.
    static func make(prefix: Int? = nil) async throws -> ReplayedWorld {
        let directory = TestDirectory()
        let log = try freshLog(directory)
        // When rewriting, the golden files are made from the history the builder makes now, which the
        // fixture test writes in the same run (the suites run in parallel, in no set order).
        var text =
            FixtureFile.isWritingGolden ? try await FixtureFile.builtHistory() : try String(contentsOfFile: FixtureFile.historyPath, encoding: .utf8)
        if let prefix { text = text.split(separator: "\n").prefix(prefix).joined(separator: "\n") + "\n" }
        try await FixtureFile.replay(text, into: log)
        let events = try text.split(separator: "\n").map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw FixtureError("not an object: \(line.prefix(80))")
            }
            return object
        }
        let engine = try await BuiltinEngine.runToHead(
            log: log, projectionsDirectory: FixtureFile.projectionsDirectory, dataDirectory: directory.path + "/projections")
        return ReplayedWorld(directory: directory, log: log, engine: engine, events: events)
    }

    func close() async {
        await engine.stop()
    }

    /// Every row of a query, following `next` to the last page, as JSON objects; and the page count.
    func allRows(
        _ projection: String, _ query: String, _ parameters: [String: QueryValue], asOf: ProjectionEngine.AsOf? = nil
    ) async throws -> ([[String: Any]], Int) {
        var rows: [[String: Any]] = []
        var cursor: String?
        var pages = 0
        repeat {
            let result = try engine.query(projection, query, parameters, cursor: cursor, asOf: asOf)
            guard let page = try JSONSerialization.jsonObject(with: Data(result.json.utf8)) as? [String: Any],
                let pageRows = page["rows"] as? [[String: Any]]
            else { throw FixtureError("\(projection).\(query) answered \(result.json.prefix(200))") }
            rows += pageRows
            pages += 1
            cursor = result.next
            if pages > 1_000 { throw FixtureError("\(projection).\(query): more than 1000 pages") }
        } while cursor != nil
        return (rows, pages)
    }

    /// The rows of a query's single answer (no paging).
    func rows(_ projection: String, _ query: String, _ parameters: [String: QueryValue]) async throws -> [[String: Any]] {
        try await allRows(projection, query, parameters).0
    }

    /// Parsed `data` of the fixture's events of `type`.
    func payloads(of type: String) -> [[String: Any]] {
        events.filter { $0["type"] as? String == type }.compactMap { $0["data"] as? [String: Any] }
    }
}
