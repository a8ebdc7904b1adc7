import Foundation
import ProjectionEngine
import TestSupport
import Testing

/// One query run of the golden table (`Fixtures/projections/golden/cases.json`).
struct GoldenCase {
    let projection: String
    let query: String
    /// The parameters as JSON values (strings, integers), in the table's form.
    let parameters: [String: Any]

    static func loadAll() throws -> [GoldenCase] {
        let url = FixtureFile.goldenDirectory.appendingPathComponent("cases.json")
        guard let table = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [[String: Any]] else {
            throw FixtureError("cases.json is not an array of objects")
        }
        return try table.map { entry in
            guard let projection = entry["projection"] as? String, let query = entry["query"] as? String,
                let parameters = entry["params"] as? [String: Any]
            else { throw FixtureError("bad case \(entry)") }
            return GoldenCase(projection: projection, query: query, parameters: parameters)
        }
    }

    /// The parameters as the engine takes them.
    var queryParameters: [String: QueryValue] {
        parameters.mapValues { value in
            if let text = value as? String { return .text(text) }
            if let number = value as? Int { return .integer(Int64(number)) }
            return .null
        }
    }
}

@Suite("Built-in projections: golden outputs", .serialized)
struct GoldenTests {
    /// Replays the fixture history, runs every built-in projection to the log's head, runs each query of
    /// the golden table (following `next` cursors to the last page) and compares the rows with
    /// `Fixtures/projections/golden/<projection>/<query>.json`. `TASKLEDGER_WRITE_GOLDEN=1` rewrites them.
    @Test func everyQueryMatchesItsGoldenFile() async throws {
        let world = try await ReplayedWorld.make()
        var results: [String: [[String: Any]]] = [:]
        var order: [String] = []
        for golden in try GoldenCase.loadAll() {
            let (rows, pages) = try await world.allRows(golden.projection, golden.query, golden.queryParameters)
            let file = golden.projection + "/" + golden.query + ".json"
            if results[file] == nil { order.append(file) }
            results[file, default: []].append(["params": golden.parameters, "pages": pages, "rows": rows])
        }
        for file in order {
            let url = FixtureFile.goldenDirectory.appendingPathComponent(file)
            let actual = results[file]!
            if FixtureFile.isWritingGolden {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                var data = try JSONSerialization.data(withJSONObject: actual, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
                data.append(0x0A)
                try data.write(to: url)
                continue
            }
            guard let stored = try? JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [[String: Any]] else {
                Issue.record("\(file) is missing or unreadable; run with TASKLEDGER_WRITE_GOLDEN=1")
                continue
            }
            #expect(stored.count == actual.count, "\(file): \(actual.count) cases, golden has \(stored.count)")
            for (index, (expected, got)) in zip(stored, actual).enumerated() where !jsonEqual(expected, got) {
                Issue.record("\(file) case \(index) (\(got["params"] ?? "")) differs from the golden output:\n\(firstDifference(expected, got))")
            }
        }
        await world.close()
    }

    /// Pages of every size give the same rows as one big page.
    @Test func cursorPagingIsSeamless() async throws {
        let world = try await ReplayedWorld.make()
        let checks: [(String, String, [String: QueryValue])] = [
            ("board", "column", ["project": .text("web"), "state": .text("todo")]),
            ("task", "tasks", ["project": .text("ops")]),
            ("task_history", "history", ["task": .text("ops-1")]),
            ("task_history", "history", ["task": .text("ops-1"), "order": .text("oldest")]),
            ("audit", "events", ["actor": .text("pm")]),
        ]
        for (projection, query, parameters) in checks {
            var whole = parameters
            whole["limit"] = .integer(500)
            let (all, pages) = try await world.allRows(projection, query, whole)
            #expect(pages == 1)
            for size in [1, 2, 3, 7] {
                var paged = parameters
                paged["limit"] = .integer(Int64(size))
                let (rows, pageCount) = try await world.allRows(projection, query, paged)
                #expect(jsonEqual(rows, all), "\(projection).\(query) in pages of \(size)")
                #expect(pageCount == max(1, (all.count + size - 1) / size), "\(projection).\(query) in pages of \(size)")
            }
        }
        await world.close()
    }
}

/// Whether two parsed JSON values are equal: compared as their canonical JSON text (sorted keys), since
/// `NSDictionary.isEqual` does not see through nested Swift collections on Linux.
func jsonEqual(_ left: Any, _ right: Any) -> Bool {
    canonicalJSON(left) == canonicalJSON(right)
}

func canonicalJSON(_ value: Any) -> Data? {
    try? JSONSerialization.data(withJSONObject: [value], options: [.sortedKeys, .withoutEscapingSlashes])
}

/// A short description of where two JSON values first differ.
func firstDifference(_ expected: Any, _ actual: Any, path: String = "") -> String {
    if let left = expected as? [String: Any], let right = actual as? [String: Any] {
        for key in Set(left.keys).union(right.keys).sorted() {
            guard let l = left[key], let r = right[key] else { return "\(path).\(key): only on one side" }
            if !jsonEqual(l, r) { return firstDifference(l, r, path: path + "." + key) }
        }
    } else if let left = expected as? [Any], let right = actual as? [Any] {
        for (index, (l, r)) in zip(left, right).enumerated() where !jsonEqual(l, r) {
            return firstDifference(l, r, path: path + "[\(index)]")
        }
        if left.count != right.count { return "\(path): \(left.count) elements, now \(right.count)" }
    }
    return "\(path): expected \(expected), got \(actual)"
}
