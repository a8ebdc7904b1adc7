import Foundation
import Testing

@testable import ProjectionEngine

/// SQLite plans a query once, for any parameters: a filter written `(:stream IS NULL OR e.stream =
/// :stream)` can never start from its index. The audit trail's `events` query therefore has one branch
/// per index a filter can start from; this checks, on the built-in definition, that each is planned on
/// its index and that the unfiltered branch walks the trail newest first without sorting it.
@Suite("audit trail: query plans")
struct AuditPlanTests {
    @Test("the events query starts from the stream, actor and type indexes, and never sorts the whole trail")
    func eventsQueryUsesIndexes() throws {
        let projections = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Projections").path
        let audit = try #require(try DefinitionLoader.load(directory: projections).definitions.first { $0.name == "audit" })
        let database = try SQLiteDatabase.inMemory()
        try audit.createSchema(in: database)
        for query in [try #require(audit.queries["events"])] {
            for sql in [query.statement.sql, query.countSQL] {
                let plan = try database.prepare("EXPLAIN QUERY PLAN " + sql)
                var details: [String] = []
                while try plan.step() { details.append(plan.string(3)) }
                let text = details.joined(separator: "\n")
                for index in ["events_by_stream", "events_by_actor", "events_by_type"] {
                    #expect(text.contains("USING INDEX \(index) ") || text.contains("USING COVERING INDEX \(index) "), "\(index):\n\(text)")
                }
                #expect(!text.contains("TEMP B-TREE FOR ORDER BY"), "\(text)")
            }
        }
    }
}
