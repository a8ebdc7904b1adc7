import Foundation
import TestSupport
import Testing

@testable import EventLog

/// What `verify` must catch (issue: auditor toolkit): a flipped bit, a deleted batch, a reordered
/// batch, and — only with a signed checkpoint — a history rewritten with every hash recomputed.
@Suite("Verification: tampering, checkpoints, incremental runs")
struct VerificationAttackTests {
    /// A log of `count` single-event batches in workspace `acme`, stream `s`, events numbered in `data`.
    private func makeLog(_ directory: TestDirectory, count: Int, payload: (Int) -> String = { #"{"n":\#($0)}"# }) async throws {
        let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: testOptions())
        for index in 1...count {
            _ = try await log.append(AppendRequest(events: [event("s-\(index % 3)", "Happened", payload(index))]))
        }
        await log.close()
    }

    private func verify(_ directory: TestDirectory, resuming: VerificationState? = nil, watching: Set<UInt64> = []) throws -> VerificationReport {
        try LogVerifier(dataDirectory: directory.path, workspace: "acme").verify(resuming: resuming, watching: watching)
    }

    @Test("a flipped bit in any batch is caught, with its position")
    func flippedBit() async throws {
        let directory = TestDirectory()
        try await makeLog(directory, count: 6)
        let all = try batches(directory)
        let target = all[3]
        let segment = directory.segments()[0]
        var bytes = try Data(contentsOf: URL(fileURLWithPath: segment))
        bytes[Int(target.offset) + 148 + 20] ^= 0x04
        try bytes.write(to: URL(fileURLWithPath: segment))
        let report = try verify(directory)
        #expect(report.problem?.position == target.firstPosition)
        #expect(report.head.position == target.firstPosition - 1)
    }

    @Test("a deleted batch is caught: the next batch does not continue the chain")
    func deletedBatch() async throws {
        let directory = TestDirectory()
        try await makeLog(directory, count: 6)
        let all = try batches(directory)
        let segment = directory.segments()[0]
        var bytes = try Data(contentsOf: URL(fileURLWithPath: segment))
        let removed = all[2]
        bytes.removeSubrange(Int(removed.offset)..<(Int(removed.offset) + removed.storedBytes))
        try bytes.write(to: URL(fileURLWithPath: segment))
        let report = try verify(directory)
        let problem = try #require(report.problem)
        #expect(problem.position == all[3].firstPosition)
        #expect(problem.reason.contains("expected \(removed.firstPosition)"))
    }

    @Test("two batches swapped are caught")
    func reorderedBatches() async throws {
        let directory = TestDirectory()
        try await makeLog(directory, count: 6)
        let all = try batches(directory)
        let segment = directory.segments()[0]
        let bytes = try Data(contentsOf: URL(fileURLWithPath: segment))
        let first = all[2]
        let second = all[3]
        let a = bytes.subdata(in: Int(first.offset)..<(Int(first.offset) + first.storedBytes))
        let b = bytes.subdata(in: Int(second.offset)..<(Int(second.offset) + second.storedBytes))
        var swapped = bytes.prefix(Int(first.offset))
        swapped.append(b)
        swapped.append(a)
        swapped.append(bytes.suffix(from: Int(second.offset) + second.storedBytes))
        try swapped.write(to: URL(fileURLWithPath: segment))
        let report = try verify(directory)
        #expect(report.problem?.position == second.firstPosition)
    }

    @Test("a history rewritten with recomputed hashes verifies on its own, and fails against a checkpoint signed before")
    func rewrittenHistoryAgainstCheckpoint() async throws {
        let original = TestDirectory("original")
        try await makeLog(original, count: 8)
        let key = try CheckpointKey.loadOrCreate(at: original.path + "/keys/checkpoint-ed25519.key")
        let head = try verify(original).head
        let checkpoint = key.sign(workspace: "acme", head: head)
        #expect(checkpoint.hasValidSignature)
        #expect(try verify(original, watching: [checkpoint.position]).hashes[checkpoint.position]?.description == checkpoint.chainHash)

        // The attacker writes the same number of events, one of them changed, through the real writer:
        // every checksum, digest and hash is recomputed, so the chain verifies from genesis.
        let forged = TestDirectory("forged")
        try await makeLog(forged, count: 8) { $0 == 3 ? #"{"n":333}"# : #"{"n":\#($0)}"# }
        let report = try verify(forged, watching: [checkpoint.position])
        #expect(report.isIntact && report.tornTail == nil)
        let hash = try #require(report.hashes[checkpoint.position])
        #expect(hash.description != checkpoint.chainHash)
    }

    @Test("a checkpoint's signature covers every field")
    func checkpointSignature() throws {
        let directory = TestDirectory()
        let key = try CheckpointKey.loadOrCreate(at: directory.path + "/keys/k")
        let checkpoint = key.sign(workspace: "acme", head: LogHead(position: 42, batchHash: .zero, committedAt: nil))
        #expect(checkpoint.hasValidSignature)
        #expect(try SignedCheckpoint.decode(checkpoint.encoded()) == checkpoint)
        for tamper in [
            { (c: inout SignedCheckpoint) in c.position = 43 }, { $0.workspace = "other" }, { $0.signedAt = "2020-01-01T00:00:00.000000Z" },
            { $0.chainHash = String(repeating: "1", count: 64) },
            { $0.publicKey = try! CheckpointKey.loadOrCreate(at: directory.path + "/keys/other").publicKeyHex },
        ] {
            var changed = checkpoint
            tamper(&changed)
            #expect(!changed.hasValidSignature)
        }
        // The same key is loaded back; its file is private, and a readable one is refused.
        #expect(try CheckpointKey.loadOrCreate(at: directory.path + "/keys/k").publicKeyHex == key.publicKeyHex)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.path + "/keys/k")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: directory.path + "/keys/k")
        #expect(throws: EventLogError.self) { try CheckpointKey.loadOrCreate(at: directory.path + "/keys/k") }
    }

    @Test("incremental: reads only what is new, and notices when the batch it stopped at changed")
    func incremental() async throws {
        let directory = TestDirectory()
        try await makeLog(directory, count: 5)
        let first = try verify(directory)
        let state = try #require(first.resumeState(workspace: "acme"))
        #expect(state.headPosition == 5 && state.events == 5)
        try state.save(directory.path + "/state.json")
        #expect(try VerificationState.load(directory.path + "/state.json") == state)

        // Nothing new: nothing read, same head.
        let again = try verify(directory, resuming: state)
        #expect(again.isIntact && again.head == first.head && again.events == 5)

        // New events: read and checked on from the saved head; the totals add up.
        let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: testOptions())
        try await appendEach(log, ["s-1", "s-2", "t"])
        await log.close()
        let more = try verify(directory, resuming: state)
        #expect(more.isIntact && more.head.position == 8 && more.events == 8)
        #expect(more.head == (try verify(directory)).head)

        // The batch the state ends with rewritten in place: the incremental run refuses to go on.
        let all = try batches(directory)
        let segment = directory.segments()[0]
        var bytes = try Data(contentsOf: URL(fileURLWithPath: segment))
        bytes[Int(all[4].offset) + 8 + 104] ^= 0x01  // a byte of the stored batch hash
        try bytes.write(to: URL(fileURLWithPath: segment))
        let refused = try verify(directory, resuming: state)
        #expect(refused.problem?.reason.contains("changed") == true)
    }

    @Test("the checkpoint store returns the newest checkpoint from its file's end, past a torn last line")
    func latestCheckpoint() throws {
        let directory = TestDirectory()
        try FileManager.default.createDirectory(atPath: directory.path + "/workspaces/acme", withIntermediateDirectories: true)
        let store = try CheckpointStore(dataDirectory: directory.path, workspace: "acme")
        #expect(try store.latest() == nil)
        let key = try CheckpointKey.loadOrCreate(at: directory.path + "/keys/k")
        // Enough lines that the newest is far past the first 4 KiB read from the end.
        var signed: [SignedCheckpoint] = []
        for position in 1...40 {
            signed.append(key.sign(workspace: "acme", head: LogHead(position: UInt64(position), batchHash: .zero, committedAt: nil)))
            try store.append(signed.last!)
        }
        #expect(try store.latest() == signed.last)
        #expect(try store.all() == signed)
        // A crash in the middle of an append leaves a partial last line: it is skipped.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: store.path))
        bytes.append(Data(#"{"chainHash":"00"#.utf8))
        try bytes.write(to: URL(fileURLWithPath: store.path))
        #expect(try store.latest() == signed.last)
    }
}
