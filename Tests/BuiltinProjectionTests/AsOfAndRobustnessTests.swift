import EventLog
import Foundation
import ProjectionEngine
import Testing

@Suite("Built-in projections: as of, and events they do not know", .serialized)
struct AsOfAndRobustnessTests {
    /// Every query of the golden table answered "as of" a past position equals the same query over a log
    /// that holds only the events up to that position: the read models depend on the events alone (no
    /// clock, no commit times), so time travel is exact.
    @Test(arguments: [120, 300])
    func asOfAPositionEqualsAReplayOfThePrefix(position: Int) async throws {
        let world = try await ReplayedWorld.make()
        let prefix = try await ReplayedWorld.make(prefix: position)
        for golden in try GoldenCase.loadAll() {
            let past = try await world.allRows(
                golden.projection, golden.query, golden.queryParameters, asOf: .position(UInt64(position))
            ).0
            let replayed = try await prefix.allRows(golden.projection, golden.query, golden.queryParameters).0
            #expect(jsonEqual(past, replayed), "\(golden.projection).\(golden.query) \(golden.parameters) as of \(position)")
        }
        await prefix.close()
        await world.close()
    }

    /// Events of types no built-in names (types still to come, another service's events, a payload that
    /// is not even an object, an event without metadata) stop no projection; the audit trail and the
    /// activity record them like any other.
    @Test func unknownEventTypesAreRecordedAndHarmless() async throws {
        let world = try await ReplayedWorld.make()
        let metadata: [(name: String, value: ExtensionValue)] = [
            ("decidedat", .string("2026-10-31T09:00:00.000000Z")), ("actor", .string("pm")), ("actorkind", .string("user")),
        ]
        let foreign = [
            ProposedEvent(
                stream: "task-ops-1", type: "TaskAddedToMilestone", json: #"{"taskID":"ops-1","milestoneID":"m-1"}"#, extensions: metadata),
            ProposedEvent(
                stream: "project-ops", type: "LabelCreated", json: #"{"projectID":"ops","label":"infra","color":"red"}"#,
                extensions: metadata),
            ProposedEvent(stream: "workspace", type: "AccessDenied", json: #"{"memberID":"ux","permission":"task.delete"}"#, extensions: metadata),
            ProposedEvent(stream: "billing-7", type: "InvoicePaid", json: "[1,2,3]", extensions: metadata),
            ProposedEvent(stream: "billing-7", type: "InvoiceVoided", json: "null"),
        ]
        let before = try await world.rows("board", "columns", ["project": .text("ops")])
        let appended = try await world.log.append(AppendRequest(events: foreign))
        try await world.engine.reach(appended.lastPosition)

        let trail = try await world.rows("audit", "events", ["stream_prefix": .text("billing-"), "limit": .integer(10)])
        #expect(trail.map { $0["summary"] as? String } == ["InvoiceVoided on billing-7", "InvoicePaid on billing-7"])
        let milestone = try await world.rows("audit", "events", ["type": .text("TaskAddedToMilestone")])
        #expect(milestone.first?["actor_name"] as? String == "Priya Patel")
        let activity = try await world.rows("activity", "activity", ["member": .text("pm"), "from": .text("2026-10-31")])
        #expect(activity.first?["events"] as? Int == 4)
        // The board is as it was, apart from the day the overdue rule counts from.
        let after = try await world.rows("board", "columns", ["project": .text("ops")])
        #expect(after.map { $0["count"] as? Int } == before.map { $0["count"] as? Int })
        await world.close()
    }
}
