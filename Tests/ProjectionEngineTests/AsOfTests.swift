import EventLog
import Foundation
import TestSupport
import Testing

@testable import ProjectionEngine

@Suite("as of")
struct AsOfTests {
    @Test("as of P equals a fresh rebuild stopped at P, across snapshot boundaries")
    func asOfPosition() async throws {
        let fixture = try EngineFixture(definitions: ["items": try DefinitionFiles.text("items")])
        try await fixture.append(sampleEvents(2_000))
        let engine = try await fixture.started {
            $0.batchEventsMax = 100
            $0.snapshotEveryEvents = 300
            $0.snapshotsMax = 4
        }
        let version = try #require(engine.status().first?.servingVersion)
        let snapshots = SnapshotStore(
            directory: fixture.projectionsDirectory + "/items/snapshots/\(version)", everyEvents: 300, keepMax: 4, bytesMax: 1 << 30)
        // Every 300 events, at batch ends; thinned to 4 (300 went when 1,500 came, 900 when 1,800 came).
        #expect(snapshots.positions() == [600, 1_200, 1_500, 1_800])
        let definition = try #require(try fixture.load().definitions.first)
        var generator = SystemRandomNumberGenerator()
        let positions: [UInt64] =
            [0, 1, 899, 900, 901, 1_200, 1_799, 1_999, 2_000] + (0..<6).map { _ in UInt64.random(in: 1...2_000, using: &generator) }
        for position in positions {
            let reference = try freshRebuild(definition, log: fixture.log, through: position)
            let items = try engine.query(projection: "items", query: "items", asOf: .position(position))
            #expect(items.position == position)
            let expected = try reference.prepare("SELECT stream, state, n, events FROM items ORDER BY stream")
            var rows: [String] = []
            while try expected.step() { rows.append((0..<4).map { expected.string($0) }.joined(separator: "|")) }
            #expect(items.texts == rows, "as of \(position)")
            let moved = try engine.query(
                projection: "items", query: "by_type", parameters: ["type": .text("Moved")], limit: 500, asOf: .position(position))
            #expect(moved.rows.count == min(500, (0..<Int(position)).filter { $0 % 3 == 1 }.count), "as of \(position)")
        }
        await engine.stop()
    }

    @Test("as of a time resolves to the last position committed at or before it")
    func asOfTime() async throws {
        let fixture = try EngineFixture(definitions: ["counter": try DefinitionFiles.text("counter")])
        try await fixture.append(sampleEvents(30))
        let between = Timestamp.now()
        try await Task.sleep(for: .milliseconds(5))
        try await fixture.append(sampleEvents(30, offset: 30))
        let engine = try await fixture.started()
        let past = try engine.query(projection: "counter", query: "all", asOf: .time(between))
        #expect(past.position == 30)
        #expect(past.texts == ["Closed|10", "Created|10", "Moved|10"])
        let now = try engine.query(projection: "counter", query: "all", asOf: .time(Timestamp.now()))
        #expect(now.position == 60)
        #expect(now.texts == ["Closed|20", "Created|20", "Moved|20"])
        let before = try engine.query(projection: "counter", query: "all", asOf: .time(Timestamp(unixMicros: 0)))
        #expect(before.position == 0)
        #expect(before.rows.isEmpty)
        await engine.stop()
    }
}
