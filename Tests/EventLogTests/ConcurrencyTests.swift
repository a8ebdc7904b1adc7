import Foundation
import Synchronization
import TestSupport
import Testing

@testable import EventLog

@Suite("Concurrent appends, expected versions and idempotency")
struct ConcurrencyTests {
    @Test("many appenders racing on expected versions: exactly one wins each version; positions are gap-free")
    func racingAppenders() async throws {
        let directory = TestDirectory()
        let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: testOptions())
        let streams = (0..<4).map { "hot-\($0)" }
        let appenders = 32
        let rounds = 25
        // Each appender reads the version it believes current and tries to write the next one.
        let outcomes = await withTaskGroup(of: [Win].self) { group in
            for appender in 0..<appenders {
                group.addTask { await Self.claim(log, streams: streams, appender: appender, rounds: rounds) }
            }
            var all: [Win] = []
            for await won in group { all.append(contentsOf: won) }
            return all
        }
        // Every (stream, version) was won exactly once, and versions per stream are 1...n with no gap.
        for stream in streams {
            let versions = outcomes.filter { $0.stream == stream }.map(\.version).sorted()
            #expect(versions == Array(1...UInt64(versions.count)), "\(stream)")
        }
        let positions = outcomes.map(\.position).sorted()
        #expect(positions == Array(1...UInt64(outcomes.count)))
        #expect(log.head.position == UInt64(outcomes.count))
        let all = try log.read(from: 1, maxCount: 100_000)
        #expect(all.map(\.position) == positions)
        await log.close()
        let report = try LogVerifier(dataDirectory: directory.path, workspace: "acme").verify()
        #expect(report.isIntact && report.tornTail == nil)
        #expect(report.events == UInt64(outcomes.count))
    }

    struct Win {
        let stream: String
        let version: UInt64
        let position: UInt64
    }

    static func claim(_ log: EventLog, streams: [String], appender: Int, rounds: Int) async -> [Win] {
        var won: [Win] = []
        for round in 0..<rounds {
            let stream = streams[(appender + round) % streams.count]
            let current = (try? log.readStream(stream, fromVersion: 1, maxCount: 10_000))?.last?.streamVersion ?? 0
            do {
                let result = try await log.append(
                    AppendRequest(stream: stream, expected: .exactly(current), events: [event(stream, "Claimed", #"{"by":\#(appender)}"#)]))
                won.append(Win(stream: stream, version: result.streamVersions[0], position: result.positions[0]))
            } catch {
                guard case .wrongExpectedVersion(stream, .exactly(current), let actual) = error, actual > current else {
                    Issue.record("unexpected \(error)")
                    return won
                }
            }
        }
        return won
    }

    @Test("concurrent appends to many streams commit in batches, with no gap and no duplicate")
    func groupCommit() async throws {
        let directory = TestDirectory()
        let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: testOptions())
        let results = try await withThrowingTaskGroup(of: [UInt64].self) { group in
            for appender in 0..<64 {
                group.addTask {
                    var positions: [UInt64] = []
                    for n in 0..<20 {
                        let result = try await log.append(
                            AppendRequest(events: [event("s-\(appender)", "A", "{}"), event("t-\(n)", "B", "{}")]))
                        #expect(result.positions[1] == result.positions[0] + 1, "one append's events are contiguous")
                        positions.append(contentsOf: result.positions)
                    }
                    return positions
                }
            }
            var all: [UInt64] = []
            for try await positions in group { all.append(contentsOf: positions) }
            return all
        }
        #expect(results.sorted() == Array(1...UInt64(64 * 20 * 2)))
        #expect(log.batchLocations.count < 64 * 20, "appends were grouped into fewer batches than appends")
        await log.close()
    }

    @Test("onCommit sees each append's positions once durable, before any reader can; never for a refused append")
    func onCommitRunsBeforeTheHeadMoves() async throws {
        let directory = TestDirectory()
        let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: testOptions())
        let seen = HeadsSeen()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for appender in 0..<16 {
                group.addTask {
                    for n in 0..<10 {
                        let request = AppendRequest(events: [event("s-\(appender)", "A", "{}"), event("t-\(n)", "B", "{}")]) { positions in
                            // Runs on the writer thread: the head must not have reached these positions yet.
                            let head = log.head.position
                            seen.table.withLock { for position in positions { $0[position] = head } }
                        }
                        let result = try await log.append(request)
                        let heads = seen.table.withLock { table in result.positions.map { table[$0] } }
                        #expect(heads.allSatisfy { $0 != nil && $0! < result.firstPosition })
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(seen.table.withLock { $0.count } == 16 * 10 * 2)
        let refused = AppendRequest(events: [event("s-0", "A", "{}")], expectations: ["s-0": .noStream]) { _ in
            Issue.record("onCommit called for a refused append")
        }
        await #expect(throws: EventLogError.self) { try await log.append(refused) }
        await log.close()
    }

    @Test("a retried append with the same ids returns the first positions and writes nothing")
    func idempotentRetry() async throws {
        let directory = TestDirectory()
        let ids = [EventID.generate(), EventID.generate()]
        let request = AppendRequest(
            events: [event("task-1", "Created", "{}", id: ids[0]), event("task-1", "Moved", "{}", id: ids[1])],
            expectations: ["task-1": .noStream])
        let first: AppendResult
        do {
            let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: testOptions())
            _ = try await appendEach(log, ["other"])
            first = try await log.append(request)
            let retry = try await log.append(request)
            #expect(retry.positions == first.positions)
            #expect(retry.streamVersions == first.streamVersions)
            #expect(retry.wasDuplicate)
            #expect(log.head.position == 3)
            await log.close()
        }
        // After a restart the ids come from the index.
        let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: testOptions())
        let retry = try await log.append(request)
        #expect(retry.positions == first.positions && retry.wasDuplicate)
        // Some ids known, some new: neither a retry nor a new append.
        await #expect(throws: EventLogError.partialDuplicate(eventID: ids[1], position: first.positions[1])) {
            try await log.append(AppendRequest(events: [event("task-1", "Moved", "{}", id: ids[1]), event("task-1")]))
        }
        #expect(log.head.position == 3)
        await log.close()
    }

    @Test("expected versions: any, no stream, stream exists, exact")
    func expectations() async throws {
        let directory = TestDirectory()
        let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: testOptions())
        _ = try await log.append(AppendRequest(stream: "s", expected: .noStream, events: [event("s")]))
        await #expect(throws: EventLogError.wrongExpectedVersion(stream: "s", expected: .noStream, actual: 1)) {
            try await log.append(AppendRequest(stream: "s", expected: .noStream, events: [event("s")]))
        }
        await #expect(throws: EventLogError.wrongExpectedVersion(stream: "new", expected: .streamExists, actual: 0)) {
            try await log.append(AppendRequest(stream: "new", expected: .streamExists, events: [event("new")]))
        }
        _ = try await log.append(AppendRequest(stream: "s", expected: .streamExists, events: [event("s")]))
        _ = try await log.append(AppendRequest(stream: "s", expected: .exactly(2), events: [event("s")]))
        _ = try await log.append(AppendRequest(stream: "s", expected: .any, events: [event("s")]))
        // Several streams in one append: one wrong expectation refuses all of it.
        await #expect(throws: EventLogError.wrongExpectedVersion(stream: "t", expected: .exactly(3), actual: 0)) {
            try await log.append(AppendRequest(events: [event("s"), event("t")], expectations: ["s": .exactly(4), "t": .exactly(3)]))
        }
        let both = try await log.append(AppendRequest(events: [event("s"), event("t")], expectations: ["s": .exactly(4), "t": .noStream]))
        #expect(both.streamVersions == [5, 1])
        #expect(log.head.position == 6)
        await log.close()
    }
}

/// The head each position's onCommit saw (a class: a Mutex cannot be captured by an escaping closure).
private final class HeadsSeen: Sendable {
    let table = Mutex<[UInt64: UInt64]>([:])
}
