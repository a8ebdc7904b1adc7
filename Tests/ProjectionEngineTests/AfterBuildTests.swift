import EventLog
import Foundation
import TestSupport
import Testing

@testable import ProjectionEngine

@Suite("after-build schema and snapshot spacing")
struct AfterBuildTests {
    /// Entries with a full-text table and an index that exist only from the end of the build on.
    static let notes = """
        -- projection: notes
        -- snapshots: every 250

        -- schema
        CREATE TABLE entries (position INTEGER PRIMARY KEY, type TEXT NOT NULL, stream TEXT NOT NULL, n INTEGER);

        -- schema: after build
        CREATE INDEX entries_by_stream ON entries (stream, position);
        CREATE VIRTUAL TABLE entries_text USING fts5(type, stream, content = '');
        INSERT INTO entries_text (rowid, type, stream) SELECT position, type, stream FROM entries;
        CREATE TRIGGER entries_text_insert AFTER INSERT ON entries BEGIN
            INSERT INTO entries_text (rowid, type, stream) VALUES (NEW.position, NEW.type, NEW.stream);
        END;

        -- on: *
        INSERT INTO entries (position, type, stream, n) VALUES (:position, :type, :stream, :data.n);

        -- query: matching(word, limit = 500)
        -- cursor: position
        SELECT position FROM entries
        WHERE position IN (SELECT rowid FROM entries_text WHERE entries_text MATCH :word)
          AND (:cursor_position IS NULL OR position > :cursor_position)
        ORDER BY position LIMIT :limit;
        """

    private func count(_ engine: ProjectionEngine, asOf: ProjectionEngine.AsOf? = nil) throws -> Int {
        try countMatchingMoved(engine, projection: "notes", asOf: asOf)
    }

    @Test(
        "a build runs the after-build schema once caught up; live events then go through its trigger; as of from build snapshots and from empty agree"
    )
    func afterBuild() async throws {
        let fixture = try EngineFixture(definitions: ["notes": Self.notes])
        try await fixture.append(sampleEvents(1_000))
        let engine = try await fixture.started { $0.batchEventsMax = 100 }
        let status = try #require(engine.status().first)
        let database = try SQLiteDatabase(
            path: "\(fixture.projectionsDirectory)/notes/\(try #require(status.servingVersion)).sqlite", mode: .readOnly)
        let objects = try database.prepare(
            "SELECT name FROM sqlite_master WHERE name IN ('entries_by_stream', 'entries_text', 'entries_text_insert')")
        var names: [String] = []
        while try objects.step() { names.append(objects.string(0)) }
        #expect(names.sorted() == ["entries_by_stream", "entries_text", "entries_text_insert"])
        #expect(try DatabaseMeta.lacksAfterBuild(database) == false)
        #expect(try count(engine) == movedEvents(through: 1_000))

        let last = try await fixture.append(sampleEvents(300, offset: 1_000))
        #expect(try await engine.waitUntil(projection: "notes", position: last, timeout: .seconds(10)))
        #expect(try count(engine) == movedEvents(through: 1_300), "the trigger keeps the full-text table after the build")

        // The directive's spacing, not the engine's default (100,000): at the ends of the 100-event batches
        // that cross a multiple of 250.
        let snapshots = SnapshotStore(
            directory: "\(fixture.projectionsDirectory)/notes/snapshots/\(status.servingVersion!)", everyEvents: 250, keepMax: 128, bytesMax: 1 << 30)
        #expect(Array(snapshots.positions().prefix(4)) == [300, 500, 800, 1_000])
        let buildSnapshot = try SQLiteDatabase(path: snapshots.path(500), mode: .readOnly)
        #expect(try DatabaseMeta.lacksAfterBuild(buildSnapshot), "taken during the build, before the after-build schema")
        for position: UInt64 in [0, 1, 100, 249, 500, 600, 999, 1_000, 1_001, 1_299] {
            #expect(try count(engine, asOf: .position(position)) == movedEvents(through: position), "as of \(position)")
        }
        await engine.stop()
        // Live, the snapshot is copied by a reader off the writer's thread (stop waits for it), and is
        // named by the checkpoint it holds.
        let live = snapshots.positions().filter { $0 > 1_000 }
        #expect(!live.isEmpty, "a snapshot after crossing 1,250 live")
        for position in live {
            let copy = try SQLiteDatabase(path: snapshots.path(position), mode: .readOnly)
            #expect(try copy.scalar("SELECT position FROM _projection_checkpoint WHERE id = 1") == Int64(position))
            #expect(try DatabaseMeta.lacksAfterBuild(copy) == false)
        }
    }

    @Test("the engine's default spacing applies to a file without the directive")
    func defaultSpacing() async throws {
        let text = Self.notes.replacingOccurrences(of: "-- snapshots: every 250\n", with: "")
        let fixture = try EngineFixture(definitions: ["notes": text])
        try await fixture.append(sampleEvents(1_000))
        let engine = try await fixture.started {
            $0.batchEventsMax = 100
            $0.snapshotEveryEvents = 400
        }
        let version = try #require(engine.status().first?.servingVersion)
        let snapshots = SnapshotStore(
            directory: "\(fixture.projectionsDirectory)/notes/snapshots/\(version)", everyEvents: 400, keepMax: 128, bytesMax: 1 << 30)
        #expect(snapshots.positions() == [400, 800])
        await engine.stop()
    }
}
