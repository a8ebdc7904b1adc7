import Foundation
import TestSupport
import Testing

@testable import EventLog

@Suite("Redaction keeps the chain")
struct RedactionTests {
    private let member = #"{"displayName":"Dora Diaz","email":"dora@acme.test","memberID":"dora","role":"member","tags":["a","b"]}"#

    private func makeLog(_ directory: TestDirectory) async throws {
        let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: testOptions())
        try await appendEach(log, ["a", "b"])
        _ = try await log.append(
            AppendRequest(events: [
                event("workspace", "MemberAdded", member), event("task-1", "CommentAdded", #"{"author":"dora","body":"call me at 555-0100"}"#),
            ]))
        try await appendEach(log, ["c"])
        await log.close()
    }

    private func readAll(_ directory: TestDirectory) throws -> [String] {
        var lines: [String] = []
        try OfflineLogReader(dataDirectory: directory.path, workspace: "acme").forEachEvent { event in
            lines.append(event.json)
            return true
        }
        return lines
    }

    @Test("the strings are gone, the chain verifies, the record is in the log and verify reports the redactions")
    func redactsAndVerifies() async throws {
        let directory = TestDirectory()
        try await makeLog(directory)
        let before = try LogVerifier(dataDirectory: directory.path, workspace: "acme").verify()
        let hashesBefore = try batches(directory).map(\.batchHash)
        let originalLines = try readAll(directory)
        let redactor = try LogRedactor(dataDirectory: directory.path, workspace: "acme", options: testOptions())
        let (position, record) = try await redactor.record(
            RedactionRecord(positions: [3, 4], fields: ["3": ["/displayName", "/email"], "4": ["/body"]], reason: "erasure 7", orderedBy: "admin"))
        #expect(position == 6)
        // Recorded but not applied yet: verify names the pending positions (an interrupted redaction).
        let pending = try LogVerifier(dataDirectory: directory.path, workspace: "acme").verify()
        #expect(pending.isIntact && pending.pendingRedactions == [3, 4] && pending.redactionRecords == 1)
        #expect(try redactor.pending().map(\.position) == [6])

        let result = try redactor.apply(recordAt: position, record)
        #expect(result.eventsRedacted == 2 && result.batchesRewritten == 1 && result.segmentsRewritten == 1)
        #expect(try redactor.pending().isEmpty)

        let lines = try readAll(directory)
        #expect(!lines.joined().contains("Dora Diaz") && !lines.joined().contains("dora@acme.test") && !lines.joined().contains("555-0100"))
        #expect(lines[2].contains(#""data":{"displayName":"[redacted]","email":"[redacted]","memberID":"dora","role":"member","tags":["a","b"]}"#))
        #expect(lines[2].contains(#""redactedby":6"#))
        // The kept digest is the digest of the line as first written.
        let originalDigest = Array(originalLines[2].utf8).withUnsafeBytes { Digest32.sha256($0) }
        #expect(lines[2].contains(#""redacteddigest":"\#(originalDigest)""#))
        // Untouched events are byte for byte the same.
        #expect(lines[0] == originalLines[0] && lines[4] == originalLines[4])

        let after = try LogVerifier(dataDirectory: directory.path, workspace: "acme").verify()
        #expect(after.isIntact && after.tornTail == nil)
        #expect(after.redactedPositions == [3, 4] && after.redactionRecords == 1 && after.pendingRedactions.isEmpty)
        // Same chain: every batch keeps its hash; only the rewritten batch's frame changed.
        #expect(Array(try batches(directory).map(\.batchHash).prefix(hashesBefore.count)) == hashesBefore)
        #expect(after.events == before.events + 1)

        // The log reopens (its index is rebuilt), reads the redacted event, and takes appends.
        let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: testOptions())
        #expect(try log.read(from: 3, maxCount: 1).first?.extensions["redactedby"] == .integer(6))
        try await appendEach(log, ["d"])
        await log.close()
        #expect(try LogVerifier(dataDirectory: directory.path, workspace: "acme").verify().isIntact)

        // Applying the same record again changes nothing.
        let repeated = try redactor.apply(recordAt: position, record)
        #expect(repeated.eventsRedacted == 0 && repeated.batchesRewritten == 0)
    }

    @Test("a second redaction of an event keeps the first digest and names the newer record")
    func redactTwice() async throws {
        let directory = TestDirectory()
        try await makeLog(directory)
        let original = try readAll(directory)[2]
        let redactor = try LogRedactor(dataDirectory: directory.path, workspace: "acme", options: testOptions())
        let first = try await redactor.record(RedactionRecord(positions: [3], fields: ["3": ["/email"]], reason: "r1", orderedBy: "admin"))
        _ = try redactor.apply(recordAt: first.position, first.record)
        let second = try await redactor.record(
            RedactionRecord(positions: [3], fields: ["3": ["/displayName", "/tags/1"]], reason: "r2", orderedBy: "admin"))
        _ = try redactor.apply(recordAt: second.position, second.record)
        let line = try readAll(directory)[2]
        let digest = Array(original.utf8).withUnsafeBytes { Digest32.sha256($0) }
        #expect(line.contains(#""redacteddigest":"\#(digest)","redactedby":\#(second.position),"time""#))
        #expect(line.contains(#""displayName":"[redacted]","email":"[redacted]""#) && line.contains(#""tags":["a","[redacted]"]"#))
        let report = try LogVerifier(dataDirectory: directory.path, workspace: "acme").verify()
        #expect(report.isIntact && report.redactedPositions == [3] && report.redactionRecords == 2)
    }

    @Test("a field that is not there or not a string is refused and nothing is written")
    func refusesBadFields() async throws {
        let directory = TestDirectory()
        try await makeLog(directory)
        let redactor = try LogRedactor(dataDirectory: directory.path, workspace: "acme", options: testOptions())
        let headBefore = try LogVerifier(dataDirectory: directory.path, workspace: "acme").verify().head
        for (position, pointer) in [(3 as UInt64, "/nope"), (3, "/tags"), (99, "/x"), (3, "email")] {
            await #expect(throws: EventLogError.self) {
                _ = try await redactor.record(
                    RedactionRecord(positions: [position], fields: [String(position): [pointer]], reason: "r", orderedBy: "a"))
            }
        }
        #expect(try LogVerifier(dataDirectory: directory.path, workspace: "acme").verify().head == headBefore)
    }

    @Test("a line marked redacted without a record that lists it is damage")
    func unrecordedRedactionIsDamage() async throws {
        let directory = TestDirectory()
        try await makeLog(directory)
        let redactor = try LogRedactor(dataDirectory: directory.path, workspace: "acme", options: testOptions())
        // Rewrite event 3 as if record 5 (an ordinary event) had ordered it: the chain still verifies,
        // but the redaction is not backed by an EventsRedacted record.
        let forged = RedactionRecord(positions: [3], fields: ["3": ["/email"]], reason: "forged", orderedBy: "mallory")
        _ = try redactor.apply(recordAt: 5, forged)
        let report = try LogVerifier(dataDirectory: directory.path, workspace: "acme").verify()
        #expect(report.problem?.reason.contains("redacted") == true)
    }

    @Test("the redaction is refused while the log is open elsewhere")
    func needsTheLock() async throws {
        let directory = TestDirectory()
        try await makeLog(directory)
        let redactor = try LogRedactor(dataDirectory: directory.path, workspace: "acme", options: testOptions())
        let record = try await redactor.record(RedactionRecord(positions: [3], fields: ["3": ["/email"]], reason: "r", orderedBy: "a"))
        let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: testOptions())
        #expect(throws: EventLogError.self) { try redactor.apply(recordAt: record.position, record.record) }
        await log.close()
        #expect(try redactor.apply(recordAt: record.position, record.record).eventsRedacted == 1)
    }
}
