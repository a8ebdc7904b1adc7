import Foundation
import TestSupport
import Testing

@testable import EventLog

@Suite("Envelope round trip")
struct EnvelopeTests {
    @Test("every envelope field round-trips, unicode included")
    func roundTrip() async throws {
        let directory = TestDirectory()
        let id = EventID("0192f4a1-7b3c-7def-8123-456789abcdef")!
        let data = #"{ "title" : "Überprüfung 🚀 \"quoted\"\n", "n": -1.5e3, "tags": ["a", {"b": null}], "ok": true }"#
        let stream = "task-ÄÖÜ-🚀-\"x\""
        do {
            let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: testOptions())
            let result = try await log.append(
                AppendRequest(
                    events: [
                        ProposedEvent(
                            id: id, stream: stream, type: "Task.Created:v1", json: data,
                            extensions: [("actor", .string("m-ñ")), ("attempt", .integer(-42)), ("urgent", .boolean(true))])
                    ], expectations: [stream: .noStream]))
            #expect(result.positions == [1])
            #expect(result.streamVersions == [1])
            #expect(result.ids == [id])
            #expect(result.wasDuplicate == false)
            await log.close()
        }
        let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: testOptions())
        let read = try log.read(from: 1, maxCount: 10)
        #expect(read.count == 1)
        let stored = try #require(read.first)
        #expect(stored.id == id)
        #expect(stored.stream == stream)
        #expect(stored.isInStream(stream))
        #expect(stored.type == "Task.Created:v1")
        #expect(stored.hasType("Task.Created:v1"))
        #expect(stored.position == 1)
        #expect(stored.streamVersion == 1)
        #expect(stored.extensions == ["actor": .string("m-ñ"), "attempt": .integer(-42), "urgent": .boolean(true)])
        // The payload is stored compact but otherwise as given: same JSON value, number text preserved.
        let storedData = String(decoding: stored.data, as: UTF8.self)
        #expect(storedData == #"{"title":"Überprüfung 🚀 \"quoted\"\n","n":-1.5e3,"tags":["a",{"b":null}],"ok":true}"#)
        let expected = try JSONSerialization.jsonObject(with: Data(data.utf8)) as! NSDictionary
        let actual = try JSONSerialization.jsonObject(with: Data(stored.data)) as! NSDictionary
        #expect(expected == actual)
        // The whole line is a CloudEvents 1.0 envelope any JSON parser reads.
        let envelope = try JSONSerialization.jsonObject(with: Data(stored.line)) as! [String: Any]
        #expect(envelope["specversion"] as? String == "1.0")
        #expect(envelope["source"] as? String == "/workspaces/acme")
        #expect(envelope["subject"] as? String == stream)
        #expect(envelope["datacontenttype"] as? String == "application/json")
        #expect(envelope["id"] as? String == id.description)
        #expect((envelope["time"] as? String).flatMap(Timestamp.init(rfc3339:)) == stored.time)
        let streamRead = try log.readStream(stream)
        #expect(streamRead.map(\.position) == [1])
        await log.close()
    }

    @Test("time is RFC 3339 with microseconds and parses back")
    func timestamps() {
        for micros: Int64 in [0, 1, 999_999, 1_700_000_000_123_456, 253_402_300_799_999_999, -1] {
            let time = Timestamp(unixMicros: micros)
            #expect(Timestamp(rfc3339: time.description) == time, "\(time)")
        }
        #expect(Timestamp(unixMicros: 1_700_000_000_123_456).description == "2023-11-14T22:13:20.123456Z")
        #expect(Timestamp(rfc3339: "2023-11-14T23:13:20.5+01:00") == Timestamp(unixMicros: 1_700_000_000_500_000))
        #expect(Timestamp(rfc3339: "2023-11-14") == nil)
        #expect(Timestamp(rfc3339: "2023-13-14T00:00:00Z") == nil)
    }

    @Test("event ids parse, print and are version 7")
    func eventIDs() {
        let id = EventID.generate()
        #expect(EventID(id.description) == id)
        #expect(id.description.count == 36)
        #expect(Array(id.description)[14] == "7")
        #expect(EventID("not-a-uuid") == nil)
        #expect(EventID("0192f4a1-7b3c-7def-8123-456789abcdefa") == nil)
        let later = EventID.generate(nowMillis: Timestamp.now().unixMillis + 10)
        #expect(id < later)
    }
}
