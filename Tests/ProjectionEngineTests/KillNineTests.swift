import EventLog
import Foundation
import TestSupport
import Testing

@testable import ProjectionEngine

#if canImport(Glibc)
    import Glibc
#endif

/// The real thing: `taskledger projections …` in a child process, killed with SIGKILL mid-way. Each batch
/// and its checkpoint commit together, so whatever survives must equal a fresh rebuild stopped at the
/// surviving checkpoint, and finishing must give the same database as an uninterrupted run.
@Suite("kill -9 while applying", .serialized)
struct KillNineTests {
    let directory = TestDirectory()
    var definitions: String { DefinitionFiles.directory }
    var projections: String { directory.path + "/workspaces/acme/projections/items" }

    private func appendEvents(_ count: Int, offset: Int) async throws {
        let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: testOptions { $0.durability = .unsafeNoSync })
        var index = 0
        while index < count {
            let chunk = sampleEvents(min(1_000, count - index), offset: offset + index)
            _ = try await log.append(AppendRequest(events: chunk))
            index += chunk.count
        }
        await log.close()
    }

    private func arguments(_ command: [String], definitions: String? = nil) -> [String] {
        ["projections"] + command + ["--data", directory.path, "--workspace", "acme", "--projections", definitions ?? self.definitions]
    }

    /// Starts the CLI, waits until `ready` says the child is mid-way (polling the files it writes), then
    /// kills it. Returns false when the child finished before it could be killed.
    private func killMidway(_ command: [String], definitions: String? = nil, ready: () -> Bool) throws -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try taskledgerBinary())
        process.arguments = arguments(command, definitions: definitions)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        while process.isRunning, !ready() { usleep(2_000) }
        guard process.isRunning else { return false }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        return true
    }

    private func finish(_ command: [String] = ["catch-up"], definitions: String? = nil) throws {
        let result = try run(try taskledgerBinary(), arguments(command, definitions: definitions))
        #expect(result.status == 0, "\(String(decoding: result.stderr, as: UTF8.self))")
    }

    private func checkpoint(_ path: String) -> UInt64 {
        guard let database = try? SQLiteDatabase(path: path, mode: .readOnly) else { return 0 }
        return UInt64(((try? database.scalar("SELECT position FROM _projection_checkpoint")) ?? nil) ?? 0)
    }

    private func reference(through position: UInt64) async throws -> [String] {
        let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: testOptions())
        let definition = try DefinitionCompiler.compile(file: definitions + "/items.sql", bytes: Array(try DefinitionFiles.text("items").utf8))
        let rows = try dump(try freshRebuild(definition, log: log, through: position))
        await log.close()
        return rows
    }

    @Test("a rebuild killed mid-way is discarded; finishing gives the same database as an uninterrupted run")
    func killedRebuild() async throws {
        try await appendEvents(60_000, offset: 0)
        let version = try DefinitionCompiler.compile(file: "items.sql", bytes: Array(try DefinitionFiles.text("items").utf8)).version
        let building = "\(projections)/\(version).building.sqlite"
        let killed = try killMidway(["rebuild", "items"]) { checkpoint(building) > 0 }
        #expect(killed, "the rebuild was still running when killed")
        #expect(!FileManager.default.fileExists(atPath: "\(projections)/\(version).sqlite"), "nothing unfinished is served")
        try finish()
        #expect(!FileManager.default.fileExists(atPath: building))
        let finished = try dump(path: "\(projections)/\(version).sqlite")
        #expect(finished.checkpoint == 60_000)
        #expect(finished.rows == (try await reference(through: 60_000)))
    }

    /// A projection whose after-build section is long enough to be killed in: two deferred indexes and a
    /// full-text table filled in one pass, then kept by a trigger.
    private static let afterBuildDefinition = """
        -- projection: entries
        -- version: 1
        -- schema
        CREATE TABLE entries (position INTEGER PRIMARY KEY, type TEXT NOT NULL, stream TEXT NOT NULL, data TEXT NOT NULL);
        -- on: *
        INSERT INTO entries (position, type, stream, data) VALUES (:position, :type, :stream, :data);
        -- schema: after build
        CREATE INDEX entries_by_stream ON entries (stream, position);
        CREATE INDEX entries_by_data ON entries (data);
        CREATE VIRTUAL TABLE entries_text USING fts5(type, stream, data, content = '');
        INSERT INTO entries_text (rowid, type, stream, data) SELECT position, type, stream, data FROM entries;
        CREATE TRIGGER entries_text_insert AFTER INSERT ON entries BEGIN
            INSERT INTO entries_text (rowid, type, stream, data) VALUES (NEW.position, NEW.type, NEW.stream, NEW.data);
        END;
        -- query: matching(text)
        SELECT position FROM entries WHERE position IN (SELECT rowid FROM entries_text WHERE entries_text MATCH :text) ORDER BY position;
        """

    @Test("a build killed in its after-build phase is never served half-finished; finishing equals an uninterrupted build")
    func killedAfterBuild() async throws {
        try await appendEvents(60_000, offset: 0)
        let definitionsDirectory = directory.path + "/after-build-definitions"
        try FileManager.default.createDirectory(atPath: definitionsDirectory, withIntermediateDirectories: true)
        try Self.afterBuildDefinition.write(toFile: definitionsDirectory + "/entries.sql", atomically: true, encoding: .utf8)
        let version = try DefinitionCompiler.compile(file: "entries.sql", bytes: Array(Self.afterBuildDefinition.utf8)).version
        let base = directory.path + "/workspaces/acme/projections/entries"
        let (building, served) = ("\(base)/\(version).building.sqlite", "\(base)/\(version).sqlite")
        // The build has applied the whole log: from here until the rename it runs the after-build section.
        let killed = try killMidway(["catch-up"], definitions: definitionsDirectory) { checkpoint(building) == 60_000 }
        #expect(killed, "the build was still running when killed")
        if FileManager.default.fileExists(atPath: served) {
            // The kill came after the rename: then the file must be the finished one.
            let meta = try #require(DatabaseMeta.read(path: served))
            #expect(meta.complete && meta.checkpoint == 60_000)
        } else {
            #expect(FileManager.default.fileExists(atPath: building), "killed in the after-build phase, the build is left to be discarded")
        }
        try finish(definitions: definitionsDirectory)
        #expect(!FileManager.default.fileExists(atPath: building))
        let recovered = try dump(path: served)
        #expect(recovered.checkpoint == 60_000)
        // The reference: the same definition rebuilt from scratch, uninterrupted, and swapped in.
        try finish(["rebuild", "entries"], definitions: definitionsDirectory)
        // A rebuild of the served version is written beside it, under the other of its two names.
        let rebuilt = StoredDatabase.list(dataDirectory: directory.path, workspace: "acme", name: "entries")
        #expect(rebuilt.count == 1 && rebuilt.first?.path != served)
        let uninterrupted = try dump(path: try #require(rebuilt.first?.path))
        #expect(uninterrupted.checkpoint == 60_000)
        #expect(recovered.rows.count == uninterrupted.rows.count)
        #expect(recovered.rows == uninterrupted.rows)
    }

    @Test("live catch-up killed mid-batch: the survivor equals a rebuild stopped at its checkpoint, and finishing equals an uninterrupted run")
    func killedCatchUp() async throws {
        try await appendEvents(1_000, offset: 0)
        try finish()
        let version = try DefinitionCompiler.compile(file: "items.sql", bytes: Array(try DefinitionFiles.text("items").utf8)).version
        let live = "\(projections)/\(version).sqlite"
        #expect(checkpoint(live) == 1_000)
        try await appendEvents(60_000, offset: 1_000)
        var previous: UInt64 = 1_000
        for round in 0..<3 {
            let target = previous + UInt64(2_000 + round * 7_777)
            let killed = try killMidway(["catch-up"]) { checkpoint(live) >= target }
            #expect(killed, "round \(round): the catch-up was still running when killed")
            guard killed else { break }
            let survivor = try dump(path: live)
            #expect(survivor.checkpoint >= previous && survivor.checkpoint < 61_000, "round \(round)")
            #expect(survivor.rows == (try await reference(through: survivor.checkpoint)), "round \(round): exactly the events through the checkpoint")
            previous = survivor.checkpoint
        }
        try finish()
        let finished = try dump(path: live)
        #expect(finished.checkpoint == 61_000)
        #expect(finished.rows == (try await reference(through: 61_000)))
    }
}

/// The `taskledger` binary that `swift build` put next to the test bundle (or `TASKLEDGER_BIN`).
func taskledgerBinary() throws -> String {
    if let explicit = ProcessInfo.processInfo.environment["TASKLEDGER_BIN"] { return explicit }
    let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for candidate in [bundle, bundle.deletingLastPathComponent()] {
        let path = candidate.appendingPathComponent("taskledger").path
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    struct Missing: Error, CustomStringConvertible {
        var description: String { "taskledger binary not found next to the test bundle; run `swift build` first" }
    }
    throw Missing()
}
