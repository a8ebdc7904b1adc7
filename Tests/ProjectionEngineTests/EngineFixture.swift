import EventLog
import Foundation
import TestSupport
import Testing

@testable import ProjectionEngine

/// A data directory with a log, a projections directory holding the given definitions, and helpers to
/// start engines over them. Real files, real SQLite, real log.
final class EngineFixture {
    let directory: TestDirectory
    let log: EventLog
    let definitions: String

    init(_ name: String = #function, definitions: [String: String] = [:]) throws {
        directory = TestDirectory(name)
        log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: testOptions { $0.durability = .unsafeNoSync })
        self.definitions = directory.path + "/Projections"
        try FileManager.default.createDirectory(atPath: self.definitions, withIntermediateDirectories: true)
        for (name, text) in definitions { try write(name, text) }
    }

    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: "\(definitions)/\(name).sql"))
    }

    func load() throws -> DefinitionLoader.Loaded { try DefinitionLoader.load(directory: definitions) }

    func engine(_ adjust: (inout ProjectionEngineOptions) -> Void = { _ in }) throws -> ProjectionEngine {
        var options = ProjectionEngineOptions()
        options.logger.logLevel = .critical
        adjust(&options)
        return ProjectionEngine(log: log, dataDirectory: directory.path, definitions: try load().definitions, options: options)
    }

    /// Starts an engine and waits until every projection is live or failed.
    func started(_ adjust: (inout ProjectionEngineOptions) -> Void = { _ in }) async throws -> ProjectionEngine {
        let engine = try engine(adjust)
        try engine.start()
        let done = await engine.waitUntilCaughtUp(timeout: .seconds(60))
        #expect(done, "projections caught up")
        return engine
    }

    /// Appends events in appends of up to 500, and returns the last position.
    @discardableResult
    func append(_ events: [ProposedEvent]) async throws -> UInt64 {
        var last: UInt64 = 0
        var index = 0
        while index < events.count {
            let chunk = Array(events[index..<min(index + 500, events.count)])
            last = try await log.append(AppendRequest(events: chunk)).positions.last!
            index += chunk.count
        }
        return last
    }

    var projectionsDirectory: String { directory.path + "/workspaces/acme/projections" }

    deinit {
        // Never block here: a test's last reference may drop on one of the cooperative pool's two threads.
        let log = log
        Task { await log.close() }
    }
}

/// `count` events of types cycling through `types`, on streams `s-0` … `s-(streams-1)`, payload `{"n":i,"s":…}`.
func sampleEvents(_ count: Int, types: [String] = ["Created", "Moved", "Closed"], streams: Int = 7, offset: Int = 0) -> [ProposedEvent] {
    (0..<count).map { index in
        let number = index + offset
        return event("s-\(number % streams)", types[number % types.count], #"{"n":\#(number),"s":"s-\#(number % streams)"}"#)
    }
}

/// Events 1 … `position` of `sampleEvents` that are `Moved` (every third, from the second).
func movedEvents(through position: UInt64) -> Int { Int((position + 1) / 3) }

/// The rows of `projection`'s `matching` query for the word `Moved`, every page (the full-text tests'
/// definitions each have one).
func countMatchingMoved(_ engine: ProjectionEngine, projection: String, asOf: ProjectionEngine.AsOf? = nil) throws -> Int {
    var total = 0
    var cursor: String?
    repeat {
        let page = try engine.query(projection: projection, query: "matching", parameters: ["word": .text("Moved")], cursor: cursor, asOf: asOf)
        total += page.rows.count
        cursor = page.next
    } while cursor != nil
    return total
}

/// Every row of every table of `database` except the engine's own, as text, for comparing databases.
func dump(_ database: SQLiteDatabase) throws -> [String] {
    var lines: [String] = []
    let tables = try database.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_projection%' ESCAPE '\\' ORDER BY name")
    var names: [String] = []
    while try tables.step() { names.append(tables.string(0)) }
    for name in names {
        let rows = try database.prepare("SELECT * FROM \"\(name)\" ORDER BY 1, 2")
        while try rows.step() {
            lines.append(name + ": " + (0..<rows.columnCount).map { rows.isNull($0) ? "NULL" : rows.string($0) }.joined(separator: "|"))
        }
    }
    return lines
}

/// The state of a projection database file: its rows and its checkpoint.
func dump(path: String) throws -> (rows: [String], checkpoint: UInt64) {
    let database = try SQLiteDatabase(path: path, mode: .readOnly)
    let checkpoint = try database.scalar("SELECT position FROM _projection_checkpoint") ?? 0
    return (try dump(database), UInt64(checkpoint))
}

/// A fresh rebuild of `definition` stopped at `position`, in memory: the reference "as of" answers must equal.
func freshRebuild(_ definition: ProjectionDefinition, log: EventLog, through position: UInt64) throws -> SQLiteDatabase {
    let database = try SQLiteDatabase.inMemory()
    try database.execute(DatabaseMeta.createSQL)
    try definition.createSchema(in: database)
    let applier = try ProjectionApplier(definition: definition, database: database, afterBuild: true)
    var checkpoint: UInt64 = 0
    while checkpoint < position {
        let events = try log.read(from: checkpoint + 1, maxCount: Int(min(1_000, position - checkpoint)))
        checkpoint = try applier.apply(decode(events, needs: .all)[...], after: checkpoint)
    }
    return database
}

extension QueryResult {
    /// Each row's values as text, for comparisons.
    var texts: [String] {
        rows.map { row in
            row.values.map { value in
                switch value {
                case .null: "NULL"
                case .integer(let number): String(number)
                case .real(let number): String(number)
                case .text(let text), .json(let text): text
                }
            }.joined(separator: "|")
        }
    }
}
