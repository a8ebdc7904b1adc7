import Foundation
import TestSupport
import Testing

@testable import EventLog

/// Every decoder that reads bytes from disk must survive any bytes: random damage to a segment (several
/// bytes changed, a range zeroed, the file cut short, garbage appended) must make verify report and open
/// refuse or cut, never trap, hang or serve wrong events.
@Suite("Fuzzing segments with random damage")
struct DamageFuzzTests {
    @Test("random damage never crashes verify, open or read, and never changes a served event")
    func randomDamage() async throws {
        let directory = TestDirectory()
        let options = testOptions {
            $0.durability = .unsafeNoSync
            $0.preallocationBytes = 8 << 10
        }
        do {
            let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: options)
            for n in 0..<12 {
                let events = (0..<(1 + n % 4)).map { event("s-\($0 % 3)", "E", #"{"n":\#(n),"i":\#($0),"text":"ünïcødé \"q\" \\ /"}"#) }
                _ = try await log.append(AppendRequest(events: events))
            }
            await log.close()
        }
        let logDirectory = directory.logDirectory()
        let pristine = try LogFiles(logDirectory)
        let segment = pristine.segmentNames[0]
        let original = pristine.files[segment]!
        let expected: [String]
        do {
            let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: options)
            expected = try log.read(from: 1, maxCount: 1_000).map(\.json)
            await log.close()
        }
        var random = Xoshiro256(seed: 99)
        let dataEnd = Int(try batches(directory).last.map { $0.offset + Int64($0.storedBytes) } ?? 0)
        for round in 0..<600 {
            var bytes = original
            switch random.next() % 4 {
            case 0:
                for _ in 0..<(1 + random.next() % 8) { bytes[Int(random.next() % UInt64(dataEnd))] = UInt8(truncatingIfNeeded: random.next()) }
            case 1:
                let start = Int(random.next() % UInt64(dataEnd))
                let count = min(bytes.count - start, 1 + Int(random.next() % 300))
                bytes.replaceSubrange(start..<(start + count), with: repeatElement(0, count: count))
            case 2:
                bytes = bytes.prefix(Int(random.next() % UInt64(dataEnd)))
            default:
                bytes = bytes.prefix(dataEnd) + Data((0..<(1 + random.next() % 400)).map { _ in UInt8(truncatingIfNeeded: random.next()) })
            }
            var damaged = pristine
            damaged.files[segment] = bytes
            // Without the index, open must judge the segment alone.
            damaged.files["index.sqlite3"] = nil
            damaged.files["index.sqlite3-wal"] = nil
            damaged.files["index.sqlite3-shm"] = nil
            try damaged.restore(to: logDirectory)

            let report = try LogVerifier(dataDirectory: directory.path, workspace: "acme").verify()
            #expect(report.events <= UInt64(expected.count), "round \(round)")
            do {
                let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: options)
                do {
                    let served = try log.read(from: 1, maxCount: 1_000).map(\.json)
                    // Whatever is served is a prefix of what was written, byte for byte.
                    #expect(Array(expected.prefix(served.count)) == served, "round \(round) served a changed event")
                } catch {
                    guard case .corrupted = error else {
                        Issue.record("round \(round): unexpected \(error)")
                        await log.close()
                        continue
                    }
                }
                await log.close()
            } catch {
                switch error {
                case .corrupted: break
                default: Issue.record("round \(round): open failed with \(error)")
                }
            }
        }
    }
}
