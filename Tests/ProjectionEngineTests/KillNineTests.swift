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

    private func arguments(_ command: [String]) -> [String] {
        ["projections"] + command + ["--data", directory.path, "--workspace", "acme", "--projections", definitions]
    }

    /// Starts the CLI, waits until `ready` says the child is mid-way (polling the files it writes), then
    /// kills it. Returns false when the child finished before it could be killed.
    private func killMidway(_ command: [String], ready: () -> Bool) throws -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try taskledgerBinary())
        process.arguments = arguments(command)
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

    private func finish() throws {
        let result = try run(try taskledgerBinary(), arguments(["catch-up"]))
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
