import Foundation
import TestSupport
import Testing

@testable import ProjectionEngine

/// SQLite plans a query once, for any parameters: a filter written `(:stream IS NULL OR e.stream =
/// :stream)` can never start from its index. The audit trail's `events` query therefore has one branch
/// per index a filter can start from; this checks, on the built-in definition, that each is planned on
/// its index and that the unfiltered branch walks the trail newest first without sorting it (only a
/// narrow stream prefix's few rows are sorted).
@Suite("audit trail: query plans")
struct AuditPlanTests {
    @Test("the events query starts from the stream, actor and type indexes at the range's positions, and never sorts the whole trail")
    func eventsQueryUsesIndexes() throws {
        let (query, database) = try Self.eventsQuery()
        for sql in [query.statement.sql, query.countSQL] {
            let plan = try database.prepare("EXPLAIN QUERY PLAN " + sql)
            var details: [String] = []
            while try plan.step() { details.append(plan.string(3)) }
            let text = details.joined(separator: "\n")
            // Each branch seeks to the positions the cursor and the time range leave (audit.sql's `span`),
            // which are found through the `at` index, once for all branches.
            for index in ["events_by_stream", "events_by_actor", "events_by_type"] {
                let field = index.replacingOccurrences(of: "events_by_", with: "")
                #expect(text.contains("USING INDEX \(index) (\(field)=? AND position>? AND position<?)"), "\(index):\n\(text)")
            }
            #expect(text.contains("USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)"), "\(text)")
            #expect(text.components(separatedBy: "USING COVERING INDEX events_by_at (at>? AND at<?)").count == 3, "\(text)")
            #expect(text.components(separatedBy: "MATERIALIZE bounds").count == 2, "\(text)")
            // Only the narrow prefix's branch sorts (its streams' rows, fewer than 10,000), never the trail.
            let prefixBranch = details.firstIndex { $0.contains("USING INDEX events_by_stream (stream>? AND stream<?)") }
            let typeBranch = details.firstIndex { $0.contains("USING INDEX events_by_type") }
            let sorts = details.indices.filter { details[$0].contains("TEMP B-TREE FOR ORDER BY") }
            #expect(sorts.count == 1, "\(text)")
            if let prefixBranch, let typeBranch, let sort = sorts.first {
                #expect(prefixBranch < sort && sort < typeBranch, "\(text)")
            } else {
                Issue.record("no narrow-prefix branch on the stream index:\n\(text)")
            }
        }
    }

    @Test("the events query's total counts from an index for every filter it answers, and never reads the whole table")
    func totalUsesIndexes() throws {
        let (query, database) = try Self.eventsQuery()
        let total = try #require(query.total)
        let plan = try database.prepare("EXPLAIN QUERY PLAN " + total.sql)
        var details: [String] = []
        while try plan.step() { details.append(plan.string(3)) }
        let text = details.joined(separator: "\n")
        for expected in [
            "SEARCH events USING INDEX events_by_stream (stream=?)", "SEARCH events USING INDEX events_by_actor (actor=?)",
            "SEARCH events USING INDEX events_by_at (at>? AND at<?)", "SEARCH events USING COVERING INDEX events_by_type (type=?)",
            "SEARCH events USING COVERING INDEX events_by_stream (stream>? AND stream<?)",
        ] {
            #expect(text.contains(expected), "\(expected):\n\(text)")
        }
        // The whole trail and a list of types are counted over an index, a fraction of the table's pages.
        #expect(text.components(separatedBy: "SCAN events USING COVERING INDEX").count == 3, "\(text)")
        #expect(!details.contains { $0.hasPrefix("SCAN events") && !$0.contains("COVERING INDEX") }, "\(text)")
    }

    /// The built-in audit definition's `events` query, and an empty in-memory database with its whole
    /// schema (the filter indexes and the full-text table included).
    static func eventsQuery() throws -> (QueryDefinition, SQLiteDatabase) {
        let audit = try #require(try DefinitionLoader.load(directory: builtInProjectionsDirectory).definitions.first { $0.name == "audit" })
        let database = try SQLiteDatabase.inMemory()
        try audit.createSchema(in: database)
        return (try #require(audit.queries["events"]), database)
    }
}
