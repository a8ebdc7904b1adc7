import EventLog
import Foundation
import TestSupport
import Testing

@testable import ProjectionEngine

@Suite("served answers kept by position")
struct ResultCacheTests {
    @Test("a repeated read is answered from the cache until the next write, then the new answer is given")
    func invalidatedByWrites() async throws {
        let fixture = try EngineFixture(definitions: ["items": try DefinitionFiles.text("items")])
        try await fixture.append(sampleEvents(30))
        let engine = try await fixture.started()
        let moved: [String: QueryValue] = ["type": .text("Moved")]
        let first = try engine.query(projection: "items", query: "by_type", parameters: moved, limit: 500)
        let again = try engine.query(projection: "items", query: "by_type", parameters: moved, limit: 500)
        #expect(again == first)
        #expect(first.position == 30 && first.rows.count == 10)
        // Other parameters, cursor or limit are other answers.
        let created = try engine.query(projection: "items", query: "by_type", parameters: ["type": .text("Created")], limit: 500)
        #expect(created.rows.count == 10 && created != first)
        #expect(try engine.query(projection: "items", query: "by_type", parameters: moved, limit: 3).rows.count == 3)

        let last = try await fixture.append(sampleEvents(6, offset: 30))
        #expect(try await engine.waitUntil(projection: "items", position: last, timeout: .seconds(10)))
        let after = try engine.query(projection: "items", query: "by_type", parameters: moved, limit: 500)
        #expect(after.position == 36 && after.rows.count == 12)
        await engine.stop()
    }

    @Test("readyAnswer gives a kept answer of the current position only, never running a query")
    func readyAnswer() async throws {
        let fixture = try EngineFixture(definitions: ["items": try DefinitionFiles.text("items")])
        try await fixture.append(sampleEvents(30))
        let engine = try await fixture.started()
        let moved: [String: QueryValue] = ["type": .text("Moved")]
        #expect(engine.servedPosition(of: "items") == 30)
        #expect(engine.servedPosition(of: "nope") == nil)
        #expect(engine.readyAnswer(projection: "items", query: "by_type", parameters: moved, limit: 500) == nil, "not computed yet")
        let first = try engine.query(projection: "items", query: "by_type", parameters: moved, limit: 500)
        #expect(engine.readyAnswer(projection: "items", query: "by_type", parameters: moved, limit: 500) == first)
        #expect(engine.readyAnswer(projection: "items", query: "by_type", parameters: moved, limit: 3) == nil, "another page size")
        #expect(engine.readyAnswer(projection: "nope", query: "by_type", parameters: moved) == nil)

        let last = try await fixture.append(sampleEvents(6, offset: 30))
        #expect(try await engine.waitUntil(projection: "items", position: last, timeout: .seconds(10)))
        #expect(engine.servedPosition(of: "items") == 36)
        #expect(engine.readyAnswer(projection: "items", query: "by_type", parameters: moved, limit: 500) == nil, "stale after a write")
        let after = try engine.query(projection: "items", query: "by_type", parameters: moved, limit: 500)
        #expect(engine.readyAnswer(projection: "items", query: "by_type", parameters: moved, limit: 500) == after)
        await engine.stop()
    }

    @Test("an \"as of\" read is never answered from the cache of the current state")
    func asOfBypasses() async throws {
        let fixture = try EngineFixture(definitions: ["items": try DefinitionFiles.text("items")])
        try await fixture.append(sampleEvents(30))
        let engine = try await fixture.started()
        let moved: [String: QueryValue] = ["type": .text("Moved")]
        _ = try engine.query(projection: "items", query: "by_type", parameters: moved, limit: 500)
        let past = try engine.query(projection: "items", query: "by_type", parameters: moved, limit: 500, asOf: .position(15))
        #expect(past.position == 15 && past.rows.count == 5)
        await engine.stop()
    }

    @Test("bounded: stale answers are dropped first, and a full cache of current answers starts over")
    func bounded() {
        let cache = ResultCache()
        func key(_ n: Int) -> ResultCache.Key { .init(query: "q", parameters: ["n": .integer(Int64(n))], cursor: nil, limit: nil, total: false) }
        func result(_ n: Int, at position: UInt64) -> QueryResult {
            QueryResult(rows: [.init(columns: ["n"], values: [.integer(Int64(n))])], next: nil, position: position)
        }
        for n in 0..<ResultCache.entriesMax { cache.keep(result(n, at: 1), for: key(n)) }
        #expect(cache.count == ResultCache.entriesMax)
        #expect(cache.answer(key(7), at: 1) == result(7, at: 1))
        #expect(cache.answer(key(7), at: 2) == nil, "an answer of another position is never returned")
        // Full: the stale answers (position 1) make room for the current one.
        cache.keep(result(1_000, at: 2), for: key(1_000))
        #expect(cache.count == 1)
        #expect(cache.answer(key(1_000), at: 2) != nil)
        // Full of current answers: it starts over rather than grow.
        for n in 0..<ResultCache.entriesMax { cache.keep(result(n, at: 2), for: key(n)) }
        #expect(cache.count <= ResultCache.entriesMax)
        // An answer larger than the per-answer bound is not kept.
        let large = QueryResult(
            rows: [.init(columns: ["text"], values: [.text(String(repeating: "x", count: ResultCache.answerBytesMax))])], next: nil, position: 2)
        cache.keep(large, for: key(-1))
        #expect(cache.answer(key(-1), at: 2) == nil)
    }
}
