import Foundation
import TestSupport
import Testing

@testable import EventLog

/// `append(contentsOf:)`: several appends handed to the writer at once (a bulk loader's path).
@Suite("Group appends")
struct GroupAppendTests {
    @Test("each request is checked as if appended alone after the ones before it; together they make one batch")
    func checkedInOrderInOneBatch() async throws {
        let directory = TestDirectory()
        let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: testOptions())
        let results = try await log.append(contentsOf: [
            AppendRequest(stream: "s1", expected: .noStream, events: [event("s1"), event("s1")]),
            // Expects what s1 was before the first request: refused, and only this one.
            AppendRequest(stream: "s1", expected: .noStream, events: [event("s1")]),
            AppendRequest(events: []),
            // Expects the first request's version: it sees it.
            AppendRequest(stream: "s1", expected: .exactly(2), events: [event("s1")]),
            AppendRequest(stream: "s2", expected: .noStream, events: [event("s2")]),
        ])
        #expect(results.count == 5)
        #expect(try results[0].get().positions == [1, 2])
        #expect(try results[0].get().streamVersions == [1, 2])
        guard case .failure(.wrongExpectedVersion(let stream, _, let actual)) = results[1] else {
            Issue.record("expected a version conflict, got \(results[1])")
            return
        }
        #expect(stream == "s1" && actual == 2)
        guard case .failure(.emptyAppend) = results[2] else {
            Issue.record("expected emptyAppend, got \(results[2])")
            return
        }
        #expect(try results[3].get().positions == [3])
        #expect(try results[3].get().streamVersions == [3])
        #expect(try results[4].get().positions == [4])
        #expect(log.head.position == 4)
        #expect(log.writerStatistics.batches == 1)
        #expect(try log.read(from: 1, maxCount: 10).map(\.stream) == ["s1", "s1", "s1", "s2"])
        await log.close()
        let report = try LogVerifier(dataDirectory: directory.path, workspace: "acme").verify()
        #expect(report.isIntact && report.events == 4)
    }

    @Test("a group larger than a batch is split where the batch limit says, the same way every time")
    func splitByTheBatchLimit() async throws {
        var batches: [[UInt64]] = []
        for _ in 0..<2 {
            let directory = TestDirectory()
            let log = try EventLog.open(
                dataDirectory: directory.path, workspace: "acme",
                options: testOptions {
                    $0.limits.batchEventsMax = 10
                    $0.limits.eventsPerAppendMax = 4
                })
            let requests = (0..<9).map { n in AppendRequest(events: (0...(n % 3)).map { _ in event("s\(n)") }) }
            let results = try await log.append(contentsOf: requests)
            #expect(results.allSatisfy { (try? $0.get()) != nil })
            #expect(log.head.position == 18)
            #expect(log.writerStatistics.batches == 2)
            batches.append(log.batchLocations.map(\.firstPosition))
            await log.close()
        }
        // Requests of 1, 2, 3, 1, 2 events (9: the next 3 would pass 10), then 3, 1, 2, 3.
        #expect(batches[0] == [1, 10])
        #expect(batches[0] == batches[1])
    }

    @Test("appends after the log closed are refused")
    func closedLog() async throws {
        let directory = TestDirectory()
        let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: testOptions())
        await log.close()
        await #expect(throws: EventLogError.closed) { try await log.append(contentsOf: [AppendRequest(events: [event("s1")])]) }
    }
}
