import Foundation
import TestSupport
import Testing

@testable import EventLog

@Suite("Backup and restore")
struct BackupTests {
    private func lines(_ dataDirectory: String) throws -> [String] {
        var all: [String] = []
        try OfflineLogReader(dataDirectory: dataDirectory, workspace: "acme").forEachEvent { event in
            all.append(event.json)
            return true
        }
        return all
    }

    @Test("incremental: a second run copies nothing, a third only the new batches")
    func incremental() async throws {
        let directory = TestDirectory()
        let backup = directory.path + "/backup"
        let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: testOptions())
        try await appendEach(log, (1...20).map { "s-\($0 % 4)" })
        let first = try WorkspaceBackup(dataDirectory: directory.path, workspace: "acme").run(to: backup)
        #expect(first.headPosition == 20 && first.segmentsCopied == 1 && first.eventsVerified == 20)
        let second = try WorkspaceBackup(dataDirectory: directory.path, workspace: "acme").run(to: backup)
        #expect(second.bytesCopied == 0 && second.segmentsCopied == 0 && second.headPosition == 20)
        try await appendEach(log, ["x", "y", "z"])
        let newBatches = try batches(directory).suffix(3)
        let third = try WorkspaceBackup(dataDirectory: directory.path, workspace: "acme").run(to: backup)
        #expect(third.bytesCopied == Int64(newBatches.map(\.storedBytes).reduce(0, +)))
        #expect(third.eventsVerified == 3 && third.headPosition == 23)
        await log.close()
        let manifest = try #require(try BackupManifest.load(backupDirectory: backup))
        #expect(manifest.runs.count == 3 && manifest.headPosition == 23 && manifest.verification?.headPosition == 23)
        #expect(try LogVerifier(logDirectory: backup + "/log", workspace: "acme").verify().head.position == 23)
    }

    @Test("document blobs: copied once, durable under their names; stray and half-copied files are not blobs; damage refused")
    func documents() async throws {
        let directory = TestDirectory()
        let backup = directory.path + "/backup"
        let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: testOptions())
        try await appendEach(log, ["a", "b"])
        await log.close()
        let source = directory.path + "/workspaces/acme/documents"
        func blob(_ text: String) throws -> String {
            let bytes = Array(text.utf8)
            let name = bytes.withUnsafeBytes { Digest32.sha256($0).description }
            let folder = source + "/" + name.prefix(2)
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try Data(bytes).write(to: URL(fileURLWithPath: folder + "/" + name))
            return String(name.prefix(2)) + "/" + name
        }
        let first = try blob("first document")
        let second = try blob("second document")
        // Not blobs: an upload's temporary file and a stray note.
        try Data("partial".utf8).write(to: URL(fileURLWithPath: source + "/" + first + ".tmp"))
        try Data("note".utf8).write(to: URL(fileURLWithPath: source + "/" + first.prefix(2) + "/README"))

        let run1 = try WorkspaceBackup(dataDirectory: directory.path, workspace: "acme").run(to: backup)
        #expect(run1.documentsCopied == 2)
        #expect(FileManager.default.fileExists(atPath: backup + "/documents/" + first))
        #expect(!FileManager.default.fileExists(atPath: backup + "/documents/" + first + ".tmp"))
        #expect(!FileManager.default.fileExists(atPath: backup + "/documents/" + first.prefix(2) + "/README"))
        #expect(try WorkspaceBackup(dataDirectory: directory.path, workspace: "acme").run(to: backup).documentsCopied == 0)

        // A run that died after writing `NAME.tmp` but before renaming it: the next run writes it again.
        try FileManager.default.moveItem(atPath: backup + "/documents/" + second, toPath: backup + "/documents/" + second + ".tmp")
        try Data("torn".utf8).write(to: URL(fileURLWithPath: backup + "/documents/" + second + ".tmp"))
        #expect(try WorkspaceBackup(dataDirectory: directory.path, workspace: "acme").run(to: backup).documentsCopied == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: backup + "/documents/" + second)) == Data("second document".utf8))

        // Restored: the two blobs, and nothing that is not one.
        let restored = directory.path + "/restored"
        #expect(try WorkspaceRestore(backupDirectory: backup).run(into: restored).documents == 2)
        let folder = restored + "/workspaces/acme/documents/" + second.prefix(2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).contains(String(second.dropFirst(3))))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).allSatisfy { !$0.hasSuffix(".tmp") })

        // A blob whose content no longer hashes to its name is damage: refused, not copied.
        let third = try blob("third document")
        try Data("tampered".utf8).write(to: URL(fileURLWithPath: source + "/" + third))
        #expect(throws: EventLogError.self) { try WorkspaceBackup(dataDirectory: directory.path, workspace: "acme").run(to: backup) }
        #expect(!FileManager.default.fileExists(atPath: backup + "/documents/" + third))
    }

    @Test("segments rolled over are copied once, sealed")
    func sealedSegments() async throws {
        let directory = TestDirectory()
        let backup = directory.path + "/backup"
        let options = testOptions {
            $0.limits.segmentBytesMax = 64 << 10
            $0.limits.batchBytesMax = 24 << 10
            $0.limits.appendBytesMax = 16 << 10
        }
        let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: options)
        // Text that LZ4 cannot squeeze much, so segments fill up.
        let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        var seed: UInt64 = 42
        func text() -> String {
            String(
                (0..<2_000).map { _ in
                    seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    return letters[Int(seed >> 33) % letters.count]
                })
        }
        for index in 0..<40 {
            _ = try await log.append(AppendRequest(events: (0..<5).map { event("s-\(index)-\($0)", "Big", #"{"text":"\#(text())"}"#) }))
        }
        _ = try WorkspaceBackup(dataDirectory: directory.path, workspace: "acme").run(to: backup)
        let segmentsBefore = directory.segments().count
        for index in 40..<60 {
            _ = try await log.append(AppendRequest(events: (0..<5).map { event("s-\(index)-\($0)", "Big", #"{"text":"\#(text())"}"#) }))
        }
        let report = try WorkspaceBackup(dataDirectory: directory.path, workspace: "acme").run(to: backup)
        await log.close()
        #expect(segmentsBefore > 2 && directory.segments().count > segmentsBefore)
        // Only the segment that was active last time and the ones after it are touched.
        #expect(report.segmentsCopied == directory.segments().count - segmentsBefore + 1)
        let restored = directory.path + "/restored"
        let restore = try WorkspaceRestore(backupDirectory: backup).run(into: restored)
        #expect(restore.events == 300 && restore.segments == directory.segments().count)
        #expect(try lines(restored) == (try lines(directory.path)))
    }

    @Test("a backup taken while appends run is a consistent prefix; restored, it equals the source")
    func backupDuringWrites() async throws {
        let directory = TestDirectory()
        let backup = directory.path + "/backup"
        let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: testOptions())
        let writer = Task {
            for index in 0..<400 {
                _ = try await log.append(AppendRequest(events: [event("s-\(index % 17)", "Happened", #"{"n":\#(index)}"#)]))
            }
        }
        var heads: [UInt64] = []
        while !writer.isCancelled {
            let report = try WorkspaceBackup(dataDirectory: directory.path, workspace: "acme").run(to: backup)
            heads.append(report.headPosition)
            if report.headPosition >= 400 { break }
        }
        try await writer.value
        let final = try WorkspaceBackup(dataDirectory: directory.path, workspace: "acme").run(to: backup)
        await log.close()
        #expect(final.headPosition == 400)
        #expect(heads == heads.sorted())
        let restored = directory.path + "/restored"
        _ = try WorkspaceRestore(backupDirectory: backup).run(into: restored)
        #expect(try lines(restored) == (try lines(directory.path)))
        let reopened = try EventLog.open(dataDirectory: restored, workspace: "acme", options: testOptions())
        #expect(reopened.head.position == 400)
        await reopened.close()
    }

    @Test("restore refuses a damaged backup and an existing workspace, and leaves nothing behind")
    func restoreRefuses() async throws {
        let directory = TestDirectory()
        let backup = directory.path + "/backup"
        let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: testOptions())
        try await appendEach(log, (1...10).map { "s-\($0)" })
        await log.close()
        _ = try WorkspaceBackup(dataDirectory: directory.path, workspace: "acme").run(to: backup)
        #expect(throws: EventLogError.self) { try WorkspaceRestore(backupDirectory: backup).run(into: directory.path) }

        let segment = backup + "/log/" + (try FileManager.default.contentsOfDirectory(atPath: backup + "/log").first { $0.hasPrefix("segment-") }!)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: segment))
        bytes[bytes.count / 2] ^= 0x10
        try bytes.write(to: URL(fileURLWithPath: segment))
        let target = directory.path + "/elsewhere"
        #expect(throws: EventLogError.self) { try WorkspaceRestore(backupDirectory: backup).run(into: target) }
        #expect(!FileManager.default.fileExists(atPath: target + "/workspaces/acme"))
    }

    @Test("a segment rewritten by a redaction is copied again in full")
    func recopiesRedactedSegments() async throws {
        let directory = TestDirectory()
        let backup = directory.path + "/backup"
        let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: testOptions())
        try await appendEach(log, ["a", "b"])
        _ = try await log.append(AppendRequest(events: [event("m", "MemberAdded", #"{"email":"x@y.z"}"#)]))
        try await appendEach(log, ["c"])
        await log.close()
        _ = try WorkspaceBackup(dataDirectory: directory.path, workspace: "acme").run(to: backup)
        let redactor = try LogRedactor(dataDirectory: directory.path, workspace: "acme", options: testOptions())
        let recorded = try await redactor.record(RedactionRecord(positions: [3], fields: ["3": ["/email"]], reason: "r", orderedBy: "a"))
        _ = try redactor.apply(recordAt: recorded.position, recorded.record)
        let report = try WorkspaceBackup(dataDirectory: directory.path, workspace: "acme").run(to: backup)
        #expect(report.segmentsRecopied == 1 && report.headPosition == 5)
        let copied = try lines(directory.path)
        var backedUp: [String] = []
        try OfflineLogReader(logDirectory: backup + "/log", workspace: "acme").forEachEvent { event in
            backedUp.append(event.json)
            return true
        }
        #expect(backedUp == copied && !backedUp.joined().contains("x@y.z"))
    }

    @Test("a backup directory of another workspace, and a directory that is no backup, are refused")
    func refusesForeignDirectories() async throws {
        let directory = TestDirectory()
        for workspace in ["acme", "globex"] {
            let log = try EventLog.open(dataDirectory: directory.path, workspace: workspace, options: testOptions())
            try await appendEach(log, ["a", "b"])
            await log.close()
        }
        let backup = directory.path + "/backup"
        _ = try WorkspaceBackup(dataDirectory: directory.path, workspace: "acme").run(to: backup)
        #expect(throws: EventLogError.self) { try WorkspaceBackup(dataDirectory: directory.path, workspace: "globex").run(to: backup) }
        #expect(try BackupManifest.load(backupDirectory: backup)?.workspace == "acme")
        let empty = directory.path + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        #expect(throws: EventLogError.self) { try WorkspaceRestore(backupDirectory: empty).run(into: directory.path + "/restored") }
    }
}
