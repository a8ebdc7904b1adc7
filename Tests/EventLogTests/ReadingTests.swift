import Foundation
import TestSupport
import Testing

@testable import EventLog

@Suite("Readers: live tail and standard tools")
struct ReadingTests {
    @Test("a live tail yields stored events, then new ones as they commit, and ends on cancel")
    func liveTail() async throws {
        let directory = TestDirectory()
        let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: testOptions())
        try await appendEach(log, ["a", "b", "c"])
        let seen = ReceivedPositions()
        let reader = Task {
            for try await event in log.events(from: 2) { seen.add(event.position) }
        }
        // New events arrive while the reader waits at the head.
        for round in 0..<5 {
            try await Task.sleep(for: .milliseconds(20))
            _ = try await log.append(AppendRequest(events: [event("live", "E", #"{"round":\#(round)}"#), event("live")]))
        }
        let deadline = ContinuousClock.now + .seconds(5)
        while seen.count < 12 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(seen.all == Array(2...13))
        reader.cancel()
        _ = await reader.result
        await log.close()
    }

    @Test("a live tail ends when the log closes")
    func tailEndsOnClose() async throws {
        let directory = TestDirectory()
        let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: testOptions())
        let reader = Task { () -> Int in
            var count = 0
            for try await _ in log.events(from: 1) { count += 1 }
            return count
        }
        try await appendEach(log, ["a"])
        try await Task.sleep(for: .milliseconds(50))
        await log.close()
        #expect(try await reader.value == 1)
    }

    @Test("`lz4 -dc` on every segment prints exactly the stored events")
    func standardLZ4Tool() async throws {
        let lz4 = try #require(which("lz4"), "the lz4 command-line tool is needed (make deps installs it)")
        let directory = TestDirectory()
        let options = testOptions {
            $0.limits.segmentBytesMax = 48 << 10
            $0.limits.batchBytesMax = 16 << 10
            $0.limits.appendBytesMax = 16 << 10
            $0.limits.eventDataBytesMax = 8 << 10
            $0.preallocationBytes = 16 << 10
        }
        let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: options)
        var random = Xoshiro256(seed: 3)
        for n in 0..<200 {
            let noise = (0..<150).map { _ in String(UnicodeScalar(UInt8(97 + random.next() % 26))) }.joined()
            _ = try await log.append(AppendRequest(events: [event("s-\(n % 3)", "E", #"{"n":\#(n),"ü":"\#(noise)"}"#)]))
        }
        let stored = try log.read(from: 1, maxCount: 1_000)
        await log.close()
        let segments = directory.segments()
        #expect(segments.count >= 3, "sealed segments and the pre-allocated active one are all covered")
        var printed: [String] = []
        for segment in segments {
            let result = try run(lz4, ["-dc", segment])
            #expect(result.status == 0, "\(String(decoding: result.stderr, as: UTF8.self))")
            printed.append(contentsOf: String(decoding: result.stdout, as: UTF8.self).split(separator: "\n").map(String.init))
        }
        #expect(printed == stored.map(\.json))
        // Every printed line is a JSON object with the envelope's position.
        for (index, line) in printed.enumerated() {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            #expect(object["position"] as? Int == index + 1)
        }
    }
}

/// Positions a reader task has seen, readable from the test.
final class ReceivedPositions: @unchecked Sendable {
    private let lock = NSLock()
    private var positions: [UInt64] = []
    func add(_ position: UInt64) { lock.withLock { positions.append(position) } }
    var all: [UInt64] { lock.withLock { positions } }
    var count: Int { lock.withLock { positions.count } }
}
