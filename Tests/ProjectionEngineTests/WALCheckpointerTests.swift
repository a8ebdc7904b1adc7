import Foundation
import Logging
import Testing

@testable import ProjectionEngine

@Suite("WAL checkpoints off the writer's thread")
struct WALCheckpointerTests {
    /// A WAL database whose writer never checkpoints: pages reach the main file only through a checkpoint.
    /// Returns the writer's connection: closing the last connection would checkpoint.
    private func writeRows(_ path: String, _ count: Int, after each: (Int) -> Void) throws -> SQLiteDatabase {
        let writer = try SQLiteDatabase(path: path)
        try writer.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=0;")
        try writer.execute("CREATE TABLE IF NOT EXISTS t (n INTEGER PRIMARY KEY, body TEXT)")
        for n in 0..<count {
            try writer.execute("INSERT INTO t VALUES (\(n), '\(String(repeating: "x", count: 200))')")
            each(n)
        }
        return writer
    }

    private func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    @Test("committed() checkpoints on its own connection, at most once per interval, and close() waits for it")
    func checkpoints() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wal-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        // Without checkpoints the rows stay in the WAL and the database file keeps its first pages.
        let control = directory + "/control.sqlite"
        let controlWriter = try writeRows(control, 2_000) { _ in }
        withExtendedLifetime(controlWriter) {
            #expect(fileSize(control) < 16_384)
            #expect(fileSize(control + "-wal") > 400_000)
        }

        // With them, the rows reach the database file while the writer keeps its connection open.
        let path = directory + "/db.sqlite"
        let checkpointer = WALCheckpointer(path: path, logger: Logger(label: "test"))
        var started = 0
        let writer = try writeRows(path, 2_000) { n in
            // Simulated time: one request per row, 10 ms apart; an interval is 250 ms.
            if checkpointer.committed(now: Double(n) * 0.01) { started += 1 }
        }
        // 20 s of simulated time: at most one checkpoint per interval, and more than the first one.
        #expect(started >= 2 && started <= 80)
        withExtendedLifetime(writer) {
            // Checkpoints run in the background, so the last rows may postdate the last one that ran. One
            // more request, once the running one (if any) has finished, moves them. (`close` would skip it
            // if it had not started yet: the writer is stopping then, and closing its connection checkpoints.)
            var later = 100.0
            while !checkpointer.committed(now: later) { later += 1; usleep(1_000) }
            // Within the interval of a started checkpoint, requests are ignored.
            #expect(!checkpointer.committed(now: later + WALCheckpointer.interval / 2))
            checkpointer.waitUntilIdle()
            checkpointer.close()
            #expect(checkpointer.lastError == nil)
            #expect(fileSize(path) > 400_000)
        }
        // After close, requests are ignored (the writer is stopping).
        checkpointer.committed(now: 1e9)
    }

    @Test("a checkpoint that cannot run is recorded and logged, never thrown at the writer")
    func failureIsRecorded() throws {
        let checkpointer = WALCheckpointer(path: "/nonexistent-\(UUID().uuidString)/db.sqlite", logger: Logger(label: "test"))
        checkpointer.committed(now: 0)
        // It runs on a background queue; the writer never waits for it.
        let deadline = Date().addingTimeInterval(10)
        while checkpointer.lastError == nil, Date() < deadline { usleep(1_000) }
        #expect(checkpointer.lastError?.contains("cannot open") == true)
        checkpointer.close()
    }
}
