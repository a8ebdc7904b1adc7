import Foundation
import TestSupport
import Testing

@testable import EventLog

@Suite("Limits and bad input")
struct LimitsTests {
    @Test("the largest allowed event is accepted; one byte more is refused and nothing is written")
    func eventSizeBoundary() async throws {
        let directory = TestDirectory()
        let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: testOptions())
        let limit = log.options.limits.eventDataBytesMax
        // A JSON string of exactly `limit` bytes: two quotes around `limit - 2` letters.
        let largest = "\"" + String(repeating: "x", count: limit - 2) + "\""
        let result = try await log.append(AppendRequest(events: [event("big", "Big", largest)]))
        #expect(result.positions == [1])
        let tooLarge = "\"" + String(repeating: "x", count: limit - 1) + "\""
        await #expect(throws: EventLogError.eventTooLarge(index: 0, bytes: limit + 1, limit: limit)) {
            try await log.append(AppendRequest(events: [event("big", "Big", tooLarge)]))
        }
        #expect(log.head.position == 1)
        let stored = try log.read(from: 1, maxCount: 1)
        #expect(stored.first?.data.count == limit)
        await log.close()
    }

    @Test("each limit and each malformed input has its own error, and nothing is half-written")
    func refusals() async throws {
        let directory = TestDirectory()
        let log = try EventLog.open(
            dataDirectory: directory.path, workspace: "acme",
            options: testOptions {
                $0.limits.eventsPerAppendMax = 3
                $0.limits.appendBytesMax = 4_000
            })
        func refused(_ request: AppendRequest, _ code: String) async {
            do {
                _ = try await log.append(request)
                Issue.record("expected \(code)")
            } catch {
                #expect(error.code == code, "\(error)")
            }
        }
        await refused(AppendRequest(events: []), "empty-append")
        await refused(AppendRequest(events: [event("a"), event("a"), event("a"), event("a")]), "too-many-events")
        let kilobyte = "\"" + String(repeating: "y", count: 1_400) + "\""
        await refused(AppendRequest(events: [event("a", "T", kilobyte), event("a", "T", kilobyte), event("a", "T", kilobyte)]), "append-too-large")
        await refused(AppendRequest(events: [event("")]), "invalid-stream-id")
        await refused(AppendRequest(events: [event(String(repeating: "s", count: 201))]), "invalid-stream-id")
        await refused(AppendRequest(events: [event("tab\there")]), "invalid-stream-id")
        await refused(AppendRequest(events: [event("a", "has space")]), "invalid-event-type")
        await refused(AppendRequest(events: [event("a", "")]), "invalid-event-type")
        await refused(AppendRequest(events: [event("a", "T", #"{"a":}"#)]), "invalid-json")
        await refused(AppendRequest(events: [event("a", "T", #"{"a":1} x"#)]), "invalid-json")
        await refused(AppendRequest(events: [event("a", "T", "\"\u{01}\"")]), "invalid-json")
        await refused(AppendRequest(events: [event("a", "T", "")]), "invalid-json")
        await refused(
            AppendRequest(events: [ProposedEvent(stream: "a", type: "T", data: [0x22, 0xC3, 0x28, 0x22])]), "invalid-json")
        await refused(
            AppendRequest(events: [ProposedEvent(stream: "a", type: "T", json: "{}", extensions: [("Actor", .string("x"))])]),
            "invalid-extension")
        await refused(
            AppendRequest(events: [ProposedEvent(stream: "a", type: "T", json: "{}", extensions: [("position", .integer(1))])]),
            "invalid-extension")
        let id = EventID.generate()
        await refused(AppendRequest(events: [event("a", id: id), event("b", id: id)]), "duplicate-event-id")
        // A valid event next to a bad one: the whole append is refused.
        await refused(AppendRequest(events: [event("ok"), event("a", "T", "{")]), "invalid-json")
        #expect(log.head.position == 0)
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        await refused(AppendRequest(events: [event("a", "T", deep)]), "invalid-json")
        await log.close()
        #expect(try LogVerifier(dataDirectory: directory.path, workspace: "acme").verify().events == 0)
    }

    @Test("workspace names are directory-safe")
    func workspaceNames() {
        for bad in ["", "Acme", "../x", "a/b", "-a", String(repeating: "a", count: 65)] {
            #expect(throws: EventLogError.invalidWorkspaceName(bad)) { try EventLog.validateWorkspaceName(bad) }
        }
        for good in ["a", "acme", "acme-2", "a_b", String(repeating: "a", count: 64)] {
            #expect(throws: Never.self) { try EventLog.validateWorkspaceName(good) }
        }
    }

    @Test("limits that cannot fit together are refused at open")
    func inconsistentLimits() {
        let directory = TestDirectory()
        #expect(throws: EventLogError.self) {
            _ = try EventLog.open(
                dataDirectory: directory.path, workspace: "acme",
                options: testOptions { $0.limits.segmentBytesMax = $0.limits.batchBytesMax })
        }
    }

    @Test("a second open of the same log is refused while the first holds it")
    func exclusiveOpen() async throws {
        let directory = TestDirectory()
        let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: testOptions())
        #expect(throws: EventLogError.locked(path: directory.logDirectory())) {
            _ = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: testOptions())
        }
        await log.close()
        let again = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: testOptions())
        await again.close()
    }

    @Test("opening a missing workspace without createIfMissing says so")
    func missingWorkspace() {
        let directory = TestDirectory()
        #expect(throws: EventLogError.workspaceNotFound("nope")) {
            _ = try EventLog.open(dataDirectory: directory.path, workspace: "nope", options: testOptions { $0.createIfMissing = false })
        }
    }
}
