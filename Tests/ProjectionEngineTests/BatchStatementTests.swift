import EventLog
import Foundation
import TestSupport
import Testing

@testable import ProjectionEngine

@Suite("batch statements")
struct BatchStatementTests {
    /// Entries, the span of positions of every transaction (`-- batch`), and a full-text table that exists
    /// from the end of the build on and is then kept per transaction (`-- batch: after build`).
    static let marks = """
        -- projection: marks
        -- snapshots: every 250

        -- schema
        CREATE TABLE entries (position INTEGER PRIMARY KEY, type TEXT NOT NULL, stream TEXT NOT NULL, n INTEGER);
        CREATE TABLE spans (first INTEGER PRIMARY KEY, last INTEGER NOT NULL);

        -- schema: after build
        CREATE VIRTUAL TABLE entries_text USING fts5(type, stream, content = '');
        INSERT INTO entries_text (rowid, type, stream) SELECT position, type, stream FROM entries;

        -- on: *
        INSERT INTO entries (position, type, stream, n) VALUES (:position, :type, :stream, :data.n);

        -- batch
        INSERT INTO spans (first, last) VALUES (:first_position, :last_position);

        -- batch: after build
        INSERT INTO entries_text (rowid, type, stream)
        SELECT position, type, stream FROM entries WHERE position BETWEEN :first_position AND :last_position;

        -- query: matching(word, limit = 500)
        -- cursor: position
        SELECT position FROM entries
        WHERE position IN (SELECT rowid FROM entries_text WHERE entries_text MATCH :word)
          AND (:cursor_position IS NULL OR position > :cursor_position)
        ORDER BY position LIMIT :limit;

        -- query: spans()
        SELECT first, last FROM spans ORDER BY first;
        """

    private func count(_ engine: ProjectionEngine, asOf: ProjectionEngine.AsOf? = nil) throws -> Int {
        try countMatchingMoved(engine, projection: "marks", asOf: asOf)
    }

    /// The served database's transactions, as (first, last) positions, checked to tile 1 … `through`.
    private func spans(_ engine: ProjectionEngine, through: Int64) throws -> [[String]] {
        let rows = try engine.query(projection: "marks", query: "spans").rows.map { $0.values.map { "\($0)" } }
        let bounds = try engine.query(projection: "marks", query: "spans").rows.map { row -> (Int64, Int64) in
            guard case .integer(let first) = row.values[0], case .integer(let last) = row.values[1] else { return (0, 0) }
            return (first, last)
        }
        var next: Int64 = 1
        for (first, last) in bounds {
            #expect(first == next && last >= first, "transactions tile the positions: \(first)-\(last) after \(next - 1)")
            next = last + 1
        }
        #expect(next == through + 1)
        return rows
    }

    @Test("batch statements run once per transaction after its events; 'after build' ones only where the after-build schema exists")
    func perTransaction() async throws {
        let fixture = try EngineFixture(definitions: ["marks": Self.marks])
        try await fixture.append(sampleEvents(1_000))
        let engine = try await fixture.started { $0.batchEventsMax = 100 }
        // A build applies the feed's batches as they come: ten transactions of 100.
        #expect(try spans(engine, through: 1_000).count == 10)
        #expect(try count(engine) == movedEvents(through: 1_000), "the after-build schema filled the full-text table in one pass")

        var last: UInt64 = 0
        for round in 0..<6 {
            last = try await fixture.append(sampleEvents(50, offset: 1_000 + round * 50))
            #expect(try await engine.waitUntil(projection: "marks", position: last, timeout: .seconds(10)))
        }
        #expect(try count(engine) == movedEvents(through: 1_300), "the batch statement keeps the full-text table after the build")
        #expect(try spans(engine, through: 1_300).count > 10)

        // As of: replayed from build snapshots (no after-build schema yet: filled at the end) and from the
        // served database (which has it: its batch statement runs), the same answers.
        for position: UInt64 in [0, 1, 100, 249, 500, 999, 1_000, 1_001, 1_120, 1_299] {
            #expect(try count(engine, asOf: .position(position)) == movedEvents(through: position), "as of \(position)")
        }
        await engine.stop()
    }

    @Test("a failing batch statement stops only its projection, at the event whose transaction fails")
    func failure() async throws {
        let guarded = """
            -- projection: guarded
            -- schema
            CREATE TABLE entries (position INTEGER PRIMARY KEY, n INTEGER);
            CREATE TABLE refused (n INTEGER CHECK (n <> 777));
            -- on: *
            INSERT INTO entries (position, n) VALUES (:position, :data.n);
            -- batch
            INSERT INTO refused (n) SELECT n FROM entries WHERE position BETWEEN :first_position AND :last_position AND n = 777;
            -- query: count()
            SELECT count(*) AS entries FROM entries;
            """
        let fixture = try EngineFixture(definitions: ["guarded": guarded, "counter": try DefinitionFiles.text("counter")])
        try await fixture.append(sampleEvents(500))
        let engine = try await fixture.started { $0.batchEventsMax = 100 }
        // The event with n = 777 is at position 778, in the middle of a live batch.
        let last = try await fixture.append(sampleEvents(500, offset: 500))
        #expect(try await engine.waitUntil(projection: "counter", position: last, timeout: .seconds(10)))
        #expect(try await engine.waitUntil(projection: "guarded", position: last, timeout: .seconds(1)) == false)
        let statuses = Dictionary(uniqueKeysWithValues: engine.status().map { ($0.name, $0) })
        let status = try #require(statuses["guarded"])
        guard case .failed(let position, let message) = status.state else {
            Issue.record("expected a failure, got \(status.state)")
            return
        }
        #expect(position == 778)
        #expect(status.checkpoint == 777)
        #expect(message.contains("CHECK constraint failed"), "\(message)")
        #expect(message.contains("batch statement at line 8"), "\(message)")
        #expect(try engine.query(projection: "guarded", query: "count").rows.first?.values == [.integer(777)])
        #expect(statuses["counter"]?.state == .live)
        await engine.stop()
    }
}
