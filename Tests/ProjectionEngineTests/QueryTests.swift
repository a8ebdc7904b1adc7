import EventLog
import Foundation
import TestSupport
import Testing

@testable import ProjectionEngine

@Suite("queries")
struct QueryTests {
    @Test("cursor paging walks a column fully, with no duplicates or omissions", arguments: [1, 7, 50, 500])
    func paging(limit: Int) async throws {
        let fixture = try EngineFixture(definitions: ["items": try DefinitionFiles.text("items")])
        try await fixture.append(sampleEvents(1_000))
        let engine = try await fixture.started()
        var seen: [String] = []
        var cursor: String?
        var pages = 0
        repeat {
            let page = try engine.query(projection: "items", query: "by_type", parameters: ["type": .text("Moved")], cursor: cursor, limit: limit)
            #expect(page.rows.count <= limit)
            #expect(page.position == 1_000)
            seen += page.rows.map { row in
                guard case .integer(let position) = row["position"] else { return "?" }
                return String(position)
            }
            cursor = page.next
            pages += 1
        } while cursor != nil && pages < 1_000
        let expected = (0..<1_000).filter { $0 % 3 == 1 }.map { String($0 + 1) }
        #expect(seen == expected)
        #expect(pages == (expected.count + limit - 1) / limit)
        await engine.stop()
    }

    @Test("total: the rows over every page, whatever the page, limit or cursor; as of a position; absent unless asked")
    func totals() async throws {
        // A query ending in a comment: the count wraps it on lines of its own.
        let items =
            try DefinitionFiles.text("items") + """

                -- query: all_entries(limit = 5)
                -- cursor: position
                SELECT position FROM entries WHERE (:cursor_position IS NULL OR position > :cursor_position)
                ORDER BY position LIMIT :limit -- oldest first
                """
        let fixture = try EngineFixture(definitions: ["items": items])
        try await fixture.append(sampleEvents(1_000))
        let engine = try await fixture.started()
        let moved: [String: QueryValue] = ["type": .text("Moved")]
        let first = try engine.query(projection: "items", query: "by_type", parameters: moved, limit: 7, total: true)
        #expect(first.rows.count == 7 && first.total == 333)
        #expect(first.json.hasSuffix(#","position":1000,"total":333}"#), "\(first.json.suffix(60))")
        let second = try engine.query(projection: "items", query: "by_type", parameters: moved, cursor: first.next, limit: 7, total: true)
        #expect(second.total == 333 && second.rows.first?["position"] != first.rows.first?["position"])
        // Not asked: not counted, and not the kept answer that was.
        let plain = try engine.query(projection: "items", query: "by_type", parameters: moved, limit: 7)
        #expect(plain.total == nil && !plain.json.contains("total") && plain.rows == first.rows)
        #expect(engine.readyAnswer(projection: "items", query: "by_type", parameters: moved, limit: 7, total: true)?.total == 333)
        // As of a position: the rows then. Of the first 500 events, every third from the second is a move.
        let past = try engine.query(projection: "items", query: "by_type", parameters: moved, limit: 7, asOf: .position(500), total: true)
        #expect(past.position == 500 && past.total == (0..<500).filter { $0 % 3 == 1 }.count)
        #expect(try engine.query(projection: "items", query: "by_type", parameters: ["type": .text("Nope")], total: true).total == 0)
        #expect(try engine.query(projection: "items", query: "all_entries", total: true).total == 1_000)
        #expect(
            try engine.query(projection: "items", query: "items", total: true).total
                == (try engine.query(projection: "items", query: "items")).rows.count)
        await engine.stop()
    }

    @Test("a query's own '-- total:' statement gives the total; NULL has the query counted; anything but a count is an error")
    func ownTotal() async throws {
        // The total statement counts from the type index; for type 'Moved' it answers 1,000,000 instead,
        // so that the test sees which count was used; for 'Created' it answers NULL: count the query.
        let items =
            try DefinitionFiles.text("items") + """

                -- query: by_kind(type, limit = 5)
                -- cursor: position
                SELECT position FROM entries
                WHERE type = :type AND (:cursor_position IS NULL OR position > :cursor_position)
                ORDER BY position LIMIT :limit;
                -- total:
                -- (a comment inside the total's body is fine)
                SELECT CASE :type WHEN 'Moved' THEN 1000000 WHEN 'Created' THEN NULL WHEN 'Odd' THEN 'many' WHEN 'Less' THEN -1
                    ELSE (SELECT count(*) FROM entries WHERE type = :type) END;
                """
        let fixture = try EngineFixture(definitions: ["items": items])
        try await fixture.append(sampleEvents(1_000))
        let engine = try await fixture.started()
        func total(_ type: String, asOf: ProjectionEngine.AsOf? = nil) throws -> Int? {
            try engine.query(projection: "items", query: "by_kind", parameters: ["type": .text(type)], asOf: asOf, total: true).total
        }
        #expect(try total("Moved") == 1_000_000)
        #expect(try total("Created") == 334)
        #expect(try total("Closed") == 333)
        // As of a position: the total statement runs on the replayed database too.
        #expect(try total("Closed", asOf: .position(500)) == (0..<500).filter { $0 % 3 == 2 }.count)
        #expect(try total("Created", asOf: .position(500)) == (0..<500).filter { $0 % 3 == 0 }.count)
        for odd in ["Odd", "Less"] {
            #expect {
                try total(odd)
            } throws: { error in
                guard case .sqlite(let message) = error as? ProjectionError else { return false }
                return message.contains("query 'by_kind'") && message.contains("not a count or NULL")
            }
        }
        // Without `total`, the statement does not run at all.
        #expect(try engine.query(projection: "items", query: "by_kind", parameters: ["type": .text("Odd")]).rows.count == 0)
        await engine.stop()
    }

    @Test("a query running longer than the time limit is stopped with queryTimeout, its total too; the connection goes on serving")
    func timeLimit() async throws {
        let slow =
            try DefinitionFiles.text("items") + """

                -- query: slow(n = 1000000000)
                WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < :n) SELECT count(*) AS n FROM c

                -- query: numbers(n = 1000000000, limit = 5)
                WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < :n) SELECT x FROM c LIMIT :limit
                """
        let fixture = try EngineFixture(definitions: ["items": slow])
        try await fixture.append(sampleEvents(100))
        let engine = try await fixture.started { $0.queryTimeSecondsMax = 0.2 }
        for _ in 0..<2 {
            let started = ContinuousClock.now
            #expect(throws: ProjectionError.queryTimeout(query: "slow", seconds: 0.2)) { try engine.query(projection: "items", query: "slow") }
            #expect(ContinuousClock.now - started < .seconds(5))
            // The same reader connection answers the next query, stopped or not.
            #expect(try engine.query(projection: "items", query: "slow", parameters: ["n": .integer(10)]).rows.first?["n"] == .integer(10))
        }
        // A total is counted under the same limit: a fast page does not let a slow count run on.
        #expect(try engine.query(projection: "items", query: "numbers").rows.count == 5)
        #expect(throws: ProjectionError.queryTimeout(query: "numbers", seconds: 0.2)) {
            try engine.query(projection: "items", query: "numbers", total: true)
        }
        #expect(try engine.query(projection: "items", query: "numbers", parameters: ["n": .integer(12)], total: true).total == 12)
        #expect(ProjectionError.queryTimeout(query: "slow", seconds: 0.2).description.hasPrefix("query 'slow' ran longer than 0.2 s"))
        await engine.stop()
    }

    @Test("the default limit comes from the declaration; the engine caps it at 500")
    func limits() async throws {
        let fixture = try EngineFixture(definitions: ["items": try DefinitionFiles.text("items")])
        try await fixture.append(sampleEvents(3_000))
        let engine = try await fixture.started()
        #expect(try engine.query(projection: "items", query: "by_type", parameters: ["type": .text("Moved")]).rows.count == 50)
        #expect(try engine.query(projection: "items", query: "by_type", parameters: ["type": .text("Moved"), "limit": .integer(3)]).rows.count == 3)
        #expect(try engine.query(projection: "items", query: "by_type", parameters: ["type": .text("Moved")], limit: 10_000).rows.count == 500)
        await engine.stop()
    }

    @Test("JSON output: _json columns are emitted parsed under the name without the suffix")
    func json() async throws {
        let fixture = try EngineFixture(definitions: [
            "docs": """
            -- projection: docs
            -- schema
            CREATE TABLE docs (stream TEXT PRIMARY KEY, body TEXT, note TEXT);
            -- on: *
            INSERT OR REPLACE INTO docs VALUES (:stream, :data, :data.note);
            -- query: all()
            SELECT stream, body AS body_json, note, 1.5 AS real, NULL AS absent FROM docs ORDER BY stream;
            """
        ])
        try await fixture.append([event("a", "X", #"{"note":"say \"hi\"\n","list":[1,2]}"#)])
        let engine = try await fixture.started()
        let result = try engine.query(projection: "docs", query: "all")
        #expect(
            result.json
                == #"{"rows":[{"stream":"a","body":{"note":"say \"hi\"\n","list":[1,2]},"note":"say \"hi\"\n","real":1.5,"absent":null}],"next":null,"position":1}"#
        )
        await engine.stop()
    }

    @Test("parameter, cursor and name errors say what is wrong")
    func errors() async throws {
        let fixture = try EngineFixture(definitions: ["items": try DefinitionFiles.text("items")])
        try await fixture.append(sampleEvents(100))
        let engine = try await fixture.started()
        #expect(throws: ProjectionError.missingParameter("type")) { try engine.query(projection: "items", query: "by_type") }
        #expect(throws: ProjectionError.invalidParameter(name: "kind", reason: "query 'by_type' has no such parameter")) {
            try engine.query(projection: "items", query: "by_type", parameters: ["type": .text("Moved"), "kind": .text("x")])
        }
        #expect(throws: ProjectionError.invalidParameter(name: "limit", reason: "must be at least 1")) {
            try engine.query(projection: "items", query: "by_type", parameters: ["type": .text("Moved")], limit: 0)
        }
        #expect(throws: ProjectionError.invalidCursor) {
            try engine.query(projection: "items", query: "by_type", parameters: ["type": .text("Moved")], cursor: "not-a-cursor")
        }
        let page = try engine.query(projection: "items", query: "by_type", parameters: ["type": .text("Moved")], limit: 2)
        #expect(throws: ProjectionError.invalidCursor) { try engine.query(projection: "items", query: "items", cursor: page.next) }
        #expect(throws: ProjectionError.unknownQuery(projection: "items", query: "nope")) { try engine.query(projection: "items", query: "nope") }
        #expect(throws: ProjectionError.unknownProjection("nope")) { try engine.query(projection: "nope", query: "all") }
        #expect(throws: ProjectionError.positionBeyondHead(requested: 101, head: 100)) {
            try engine.query(projection: "items", query: "items", asOf: .position(101))
        }
        await engine.stop()
    }

    @Test("typed parameters: a value not of its type is an error naming it; a time is bound in UTC in the events' form")
    func typedParameters() async throws {
        let definition = """
            -- projection: typed
            -- schema
            CREATE TABLE t (a);
            -- query: echo(day: date = NULL, at: time = NULL, n: integer = NULL, free = NULL)
            SELECT :day AS day, :at AS at, :n AS n, :free AS free;
            """
        let fixture = try EngineFixture(definitions: ["typed": definition])
        try await fixture.append(sampleEvents(3))
        let engine = try await fixture.started()
        func echo(_ parameters: [String: QueryValue]) throws -> QueryResult.Row {
            try #require(try engine.query(projection: "typed", query: "echo", parameters: parameters).rows.first)
        }
        let accepted: [(String, QueryValue, QueryValue)] = [
            ("day", .text("2024-02-29"), .text("2024-02-29")),
            ("day", .text("1900-01-01"), .text("1900-01-01")),
            ("at", .text("2026-11-27"), .text("2026-11-27")),
            ("at", .text("2026-11-27T10:03:43+02:00"), .text("2026-11-27T08:03:43.000000Z")),
            ("at", .text("2026-11-27T10:03:43.5Z"), .text("2026-11-27T10:03:43.500000Z")),
            ("n", .integer(-3), .integer(-3)),
            ("free", .text("anything at all"), .text("anything at all")),
            ("day", .null, .null),
        ]
        for (name, given, bound) in accepted { #expect(try echo([name: given])[name] == bound, "\(name) = \(given)") }
        let refused: [(String, QueryValue, String)] = [
            ("day", .text("2026-13-01"), "must be a day, YYYY-MM-DD"),
            ("day", .text("2026-02-29"), "must be a day, YYYY-MM-DD"),
            ("day", .text("2026-11-27T10:00:00Z"), "must be a day, YYYY-MM-DD"),
            ("day", .integer(20261127), "must be a day, YYYY-MM-DD"),
            ("at", .text("yesterday"), "must be a day (YYYY-MM-DD) or an RFC 3339 time (2026-11-27T10:03:43Z)"),
            ("at", .text("2026-11-27 10:03"), "must be a day (YYYY-MM-DD) or an RFC 3339 time (2026-11-27T10:03:43Z)"),
            ("at", .text("2026-02-30T10:00:00Z"), "must be a day (YYYY-MM-DD) or an RFC 3339 time (2026-11-27T10:03:43Z)"),
            ("n", .text("five"), "must be a whole number"),
            ("n", .real(2.5), "must be a whole number"),
        ]
        for (name, given, reason) in refused {
            #expect(throws: ProjectionError.invalidParameter(name: name, reason: reason), "\(name) = \(given)") { try echo([name: given]) }
        }
        await engine.stop()
    }

    @Test("cursors round-trip every value kind")
    func cursorEncoding() {
        let values: [QueryValue] = [.null, .integer(-7), .real(2.25), .text("a:b;c\u{0}é"), .text("")]
        let cursor = QueryCursor.encode(query: "q", values: values)
        #expect(!cursor.contains("=") && !cursor.contains("+") && !cursor.contains("/"))
        #expect(QueryCursor.decode(cursor, query: "q", count: 5) == values)
        #expect(QueryCursor.decode(cursor, query: "other", count: 5) == nil)
        #expect(QueryCursor.decode(cursor, query: "q", count: 4) == nil)
    }
}
