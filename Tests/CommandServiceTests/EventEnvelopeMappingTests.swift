import CommandService
import EventLog
import TestSupport
import Testing
import Workflow

@Suite("Event envelope mapping")
struct EventEnvelopeMappingTests {
    @Test("a domain event round-trips through the log with its decision time and metadata")
    func roundTrip() async throws {
        let directory = TestDirectory()
        let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: testOptions())
        let at = Instant(unixMicros: 1_790_000_000_123_456)
        // Payloads are made by deciders only (they have no public initialisers): decide one.
        let founder = NewMember(id: "m1", displayName: "Mo", email: "mo@acme.test")
        let decided = try WorkspaceDecider.decide(
            nil, .create(NewWorkspace(id: "acme", slug: "acme", name: "Acme", founder: founder)),
            actor: Actor(member: "m1", workspaceRole: .admin), context: DecisionContext(now: at))
        let event = try #require(decided.first)
        let proposed = try EventEnvelopeMapping.proposedEvent(
            event, metadata: CommandMetadata(member: "m1", requestID: "r1", origin: .import), actorKind: .service)
        #expect(proposed.type == "WorkspaceCreated" && proposed.stream == "workspace")
        #expect(proposed.extensions.map { $0.name } == ["schemaversion", "decidedat", "actorkind", "actor", "requestid", "origin"])
        // Keys sorted: the same event always has the same bytes.
        #expect(String(decoding: proposed.data, as: UTF8.self).hasPrefix(#"{"name":"Acme","slug":"acme""#))
        _ = try await log.append(AppendRequest(events: [proposed]))
        let recorded = try log.readStream("workspace")[0]
        #expect(try EventEnvelopeMapping.domainEvent(recorded) == event)
        #expect(recorded.extensions["decidedat"] == .string("2026-09-21T14:13:20.123456Z"))
        #expect(EventEnvelopeMapping.actor(of: recorded)?.member == "m1")
        #expect(EventEnvelopeMapping.actor(of: recorded)?.kind == .service)
        await log.close()
    }

    @Test("an unknown type or a newer schema version is a typed error")
    func unreadable() async throws {
        let directory = TestDirectory()
        let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: testOptions())
        _ = try await log.append(AppendRequest(events: [ProposedEvent(stream: "task-t1", type: "TaskTeleported", json: "{}")]))
        _ = try await log.append(
            AppendRequest(events: [
                ProposedEvent(
                    stream: "task-t1", type: "TaskEdited", json: #"{"taskID":"t1","changes":[]}"#,
                    extensions: [("schemaversion", .integer(99))])
            ]))
        _ = try await log.append(
            AppendRequest(events: [
                ProposedEvent(
                    stream: "task-t1", type: "TaskEdited", json: #"{"taskID":"t1","changes":[]}"#,
                    extensions: [("decidedat", .string("yesterday"))])
            ]))
        let events = try log.readStream("task-t1")
        #expect(throws: EventMappingError.unknownType("TaskTeleported")) { try EventEnvelopeMapping.domainEvent(events[0]) }
        #expect(throws: EventMappingError.unsupportedSchema(type: "TaskEdited", version: 99, known: 1)) {
            try EventEnvelopeMapping.domainEvent(events[1])
        }
        #expect(throws: EventMappingError.invalidAttribute(name: "decidedat", value: "yesterday")) {
            try EventEnvelopeMapping.domainEvent(events[2])
        }
        // The service reports such a stream with the event's position rather than guessing.
        let service = try CommandService(log: log)
        await #expect(throws: CommandError.undecodableEvent(stream: "task-t1", position: 1, .unknownType("TaskTeleported"))) {
            _ = try await service.task("t1")
        }
        await log.close()
    }
}
