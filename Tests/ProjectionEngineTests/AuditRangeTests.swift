import EventLog
import Foundation
import TestSupport
import Testing

@testable import ProjectionEngine

/// The audit trail's `events` query bounds the positions it reads by the time range (`span` in
/// audit.sql), found through the `at` index, and starts a narrow stream prefix (under 10,000 events)
/// from the stream index. `at` is the decision time, which need not grow with the position (two
/// commands decided in one order can commit in the other), so a bound taken as "the position where the
/// range starts" would drop rows. This checks the query against a plain filter of the same rows, on a
/// trail whose decision times are out of order, for random filters, prefixes (narrow and broad), page
/// sizes and ranges (open, closed, empty, outside the trail), page by page through the cursor, and the
/// totals (counted by the query's `-- total:` statement, or by the query itself for a stream prefix).
@Suite("audit trail: time ranges and stream prefixes")
struct AuditRangeTests {
    struct Row {
        let position: Int64
        let at: String
        let actor: String
        let type: String
        let stream: String
    }

    static let start = Date(timeIntervalSince1970: 1_790_000_000)  // 2026-09-21T14:13:20Z

    static func text(_ date: Date) -> String {
        Timestamp(unixMicros: Int64((date.timeIntervalSince1970 * 1_000_000).rounded())).description
    }

    @Test("pages and totals equal a plain filter of the rows, with decision times out of order")
    func rangesMatchPlainFilter() throws {
        let (query, database) = try AuditPlanTests.eventsQuery()

        // 12,000 events, one every 150 s over ~three weeks; one in five decided up to two hours before or
        // after its neighbours' times. Task streams hold 10,800 of them (`task-` is a broad prefix), the
        // others a few hundred or thousand (narrow ones).
        var random = SplitMix64(seed: 20_261_128)
        let actors = ["ana", "ben", "cy"]
        let types = ["TaskMoved", "TaskEdited", "CommentAdded", "AccessDenied"]
        var rows: [Row] = []
        try database.execute("BEGIN")
        let insert = try database.prepare(
            "INSERT INTO events (position, id, at, actor, type, stream, stream_version, summary, data) VALUES (?, ?, ?, ?, ?, ?, 1, 's', '{}')")
        func stream() -> String {
            switch Int.random(in: 0..<100, using: &random) {
            case 0..<90: "task-t\(Int.random(in: 1...400, using: &random))"
            case 90..<96: "document-d\(Int.random(in: 1...50, using: &random))"
            case 96..<99: "project-p\(Int.random(in: 1...5, using: &random))"
            default: "milestone-m1"
            }
        }
        for position in Int64(1)...12_000 {
            var seconds = Double(position) * 150
            if Int.random(in: 0..<5, using: &random) == 0 { seconds += Double(Int.random(in: -7_200...7_200, using: &random)) }
            let row = Row(
                position: position, at: Self.text(Self.start.addingTimeInterval(seconds)), actor: actors.randomElement(using: &random)!,
                type: types.randomElement(using: &random)!, stream: stream())
            insert.bind(1, row.position)
            insert.bind(2, "e\(position)")
            insert.bind(3, row.at)
            insert.bind(4, row.actor)
            insert.bind(5, row.type)
            insert.bind(6, row.stream)
            _ = try insert.step()
            insert.reset()
            rows.append(row)
        }
        try database.execute("COMMIT")
        #expect(zip(rows, rows.dropFirst()).contains { $0.at > $1.at }, "the trail must have decision times out of order")

        let statement = try database.prepare(query.statement.sql)
        var cases = 0
        var nonEmpty = 0
        for _ in 0..<300 {
            // Ends anywhere from a day before the trail to a day after it; days or exact times; either
            // end left open now and then; sometimes the wrong way round (an empty range).
            func end() -> String {
                let date = Self.start.addingTimeInterval(Double(Int.random(in: -86_400...(12_000 * 150 + 86_400), using: &random)))
                let time = Self.text(date)
                return Bool.random(using: &random) ? String(time.prefix(10)) : time
            }
            var parameters: [String: QueryValue] = [:]
            let from: String? = Int.random(in: 0..<5, using: &random) == 0 ? nil : end()
            var to: String? = Int.random(in: 0..<5, using: &random) == 0 ? nil : end()
            if let lower = from, let upper = to, lower > upper, Bool.random(using: &random) { to = lower }
            if let from { parameters["from"] = .text(from) }
            if let to { parameters["to"] = .text(to) }
            if Int.random(in: 0..<4, using: &random) == 0 { parameters["actor"] = .text(actors.randomElement(using: &random)!) }
            // One type, or a list of two (with a space after the comma, which the filter ignores).
            var typeList: Set<String>?
            if Int.random(in: 0..<4, using: &random) == 0 {
                let chosen =
                    Int.random(in: 0..<3, using: &random) == 0
                    ? Array(types.shuffled(using: &random).prefix(2)) : [types.randomElement(using: &random)!]
                parameters["type"] = .text(chosen.joined(separator: ", "))
                typeList = Set(chosen)
            }
            if Int.random(in: 0..<6, using: &random) == 0 { parameters["stream"] = .text(stream()) }
            let prefixes = ["task-", "task-t1", "document-", "project-", "milestone-", "nope-", ""]
            if Int.random(in: 0..<3, using: &random) == 0 { parameters["stream_prefix"] = .text(prefixes.randomElement(using: &random)!) }
            let limit = [7, 50, 500].randomElement(using: &random)!

            let expected = rows.filter { row in
                if let from, row.at < from { return false }
                if let to, row.at >= to { return false }
                if case .text(let actor) = parameters["actor"], row.actor != actor { return false }
                if let typeList, !typeList.contains(row.type) { return false }
                if case .text(let stream) = parameters["stream"], row.stream != stream { return false }
                if case .text(let prefix) = parameters["stream_prefix"], !row.stream.hasPrefix(prefix) { return false }
                return true
            }.map(\.position).reversed()

            var got: [Int64] = []
            var cursor: String?
            var total: Int?
            var pages = 0
            repeat {
                let request = QueryRequest(
                    projection: "audit", query: "events", parameters: parameters, cursor: cursor, limit: limit, total: cursor == nil)
                let bindings = try QueryRunner.check(request, query)
                let result = try QueryRunner.run(
                    query, bindings, statement: statement, prepare: { (sql) throws(SQLiteError) in try database.prepare(sql) },
                    position: 3_000,
                    timeSecondsMax: 10)
                if cursor == nil { total = result.total }
                for row in result.rows {
                    guard case .integer(let position) = row["position"] else { Issue.record("no position"); return }
                    got.append(position)
                }
                cursor = result.next
                pages += 1
            } while cursor != nil && got.count <= expected.count && pages < 30
            // The first 30 pages (all of them, mostly): in order, none missing, none extra.
            #expect(cursor == nil ? got == Array(expected) : got == Array(expected.prefix(got.count)), "\(parameters), limit \(limit)")
            #expect(total == expected.count, "\(parameters)")
            cases += 1
            if !expected.isEmpty { nonEmpty += 1 }
        }
        #expect(cases == 300 && nonEmpty > 150)
        // Both ways of starting a prefix were taken: `task-` holds more than 10,000 events, the others fewer.
        #expect(rows.count { $0.stream.hasPrefix("task-") } > 10_000 && rows.count { $0.stream.hasPrefix("document-") } < 10_000)
    }
}
