import Foundation
import TestSupport
import Testing

@testable import EventLog

@Suite("Crash recovery: torn tails and damage")
struct RecoveryTests {
    /// A torn write leaves a prefix of the new batch (and none of what follows it) on disk. This builds
    /// that state for every possible prefix length of the last batch, from the files before and after the
    /// append, and checks that reopening keeps exactly the earlier batches and goes on correctly.
    @Test("torn tail: cut at every byte offset inside the last batch", arguments: [0, 64 << 10])
    func tornTailAtEveryOffset(preallocationBytes: Int) async throws {
        let directory = TestDirectory("torn\(preallocationBytes)")
        let options = testOptions {
            $0.preallocationBytes = preallocationBytes
            $0.durability = .unsafeNoSync  // the bytes on disk are built by hand; fsync adds only time here
        }
        let logDirectory = directory.logDirectory()
        do {
            let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: options)
            try await appendEach(log, ["a", "b"])
            _ = try await log.append(AppendRequest(events: [event("a"), event("c", "Happened", #"{"x":"y"}"#)]))
            await log.close()
        }
        let before = try LogFiles(logDirectory)
        do {
            let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: options)
            _ = try await log.append(AppendRequest(events: [event("b", "Torn", #"{"last":true}"#)]))
            await log.close()
        }
        let after = try LogFiles(logDirectory)
        let last = try #require(try batches(directory).last)
        #expect(last.firstPosition == 5)
        let segment = try #require(after.segmentNames.last)
        let old = before.files[segment]!
        let new = after.files[segment]!
        let batchStart = Int(last.offset)
        // The write covered the batch and, with pre-allocation, the 8-byte filler header behind it.
        let writeEnd = batchStart + last.storedBytes + (preallocationBytes > 0 ? 8 : 0)
        var checked = 0
        for cut in batchStart..<(batchStart + last.storedBytes) {
            var torn = before
            var bytes = Data(new.prefix(cut))
            if preallocationBytes > 0 { bytes.append(old.suffix(from: cut).prefix(max(0, old.count - cut))) }
            _ = writeEnd
            torn.files[segment] = bytes
            try torn.restore(to: logDirectory)
            let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: options)
            // With pre-allocation the bytes past the cut are the old zeros: a batch whose last bytes are
            // zero is then whole on disk (its checksums hold), and is rightly kept. Only a truly torn batch must go.
            let range = batchStart..<(batchStart + last.storedBytes)
            let whole = bytes.count >= range.upperBound && bytes[range] == new[range]
            #expect(log.head.position == (whole ? 5 : 4), "cut at \(cut)")
            if whole {
                await log.close()
                continue
            }
            if cut % 37 == 0 || cut == batchStart || cut == batchStart + last.storedBytes - 1 {
                // Appends go on at the right position with a valid chain.
                let next = try await log.append(AppendRequest(stream: "b", expected: .exactly(1), events: [event("b", "After")]))
                #expect(next.positions == [5] && next.streamVersions == [2], "cut at \(cut)")
                await log.close()
                let report = try LogVerifier(dataDirectory: directory.path, workspace: "acme").verify()
                #expect(report.isIntact && report.tornTail == nil && report.events == 5, "cut at \(cut): \(report)")
                checked += 1
            } else {
                await log.close()
            }
        }
        #expect(checked >= 3)
    }

    @Test("a flipped bit in any batch: verify names that batch; open refuses or reading fails there, never skips")
    func bitFlips() async throws {
        let directory = TestDirectory()
        let options = testOptions { $0.durability = .unsafeNoSync }
        do {
            let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: options)
            for n in 0..<5 {
                _ = try await log.append(AppendRequest(events: (0..<4).map { event("s-\($0 % 2)", "E", #"{"batch":\#(n),"i":\#($0)}"#) }))
            }
            await log.close()
        }
        let logDirectory = directory.logDirectory()
        let pristine = try LogFiles(logDirectory)
        let all = try batches(directory)
        #expect(all.count == 5)
        let segment = pristine.segmentNames[0]
        var random = Xoshiro256(seed: 42)
        for (number, batch) in all.enumerated() {
            let isLast = number == all.count - 1
            var offsets = [0, 8, 20, 150, batch.storedBytes - 1]
            for _ in 0..<10 { offsets.append(Int(random.next() % UInt64(batch.storedBytes))) }
            for within in offsets {
                var damaged = pristine
                var bytes = damaged.files[segment]!
                let at = Int(batch.offset) + within
                bytes[at] ^= UInt8(1) << UInt8(random.next() % 8)
                damaged.files[segment] = bytes
                try damaged.restore(to: logDirectory)
                let report = try LogVerifier(dataDirectory: directory.path, workspace: "acme").verify()
                let named = report.problem ?? (isLast ? report.tornTail : nil)
                #expect(named?.position == batch.firstPosition, "batch \(number), byte \(within): \(report)")
                #expect(report.events == UInt64(number * 4))
                // Opening either refuses, naming the batch, or opens and refuses to read it.
                do {
                    let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: options)
                    #expect(log.head.position == 20, "open kept every batch the index knows")
                    #expect(throws: EventLogError.self) { _ = try log.read(from: 1, maxCount: 100) }
                    await log.close()
                } catch {
                    guard case .corrupted(let position, _, _, _) = error else {
                        Issue.record("unexpected \(error)")
                        continue
                    }
                    #expect(position == batch.firstPosition)
                }
            }
        }
    }

    @Test("without its index, a damaged middle batch stops open with its position")
    func damageInTheMiddleStopsOpen() async throws {
        let directory = TestDirectory()
        let options = testOptions { $0.durability = .unsafeNoSync }
        do {
            let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: options)
            for _ in 0..<3 { try await appendEach(log, ["x"]) }
            await log.close()
        }
        let middle = try batches(directory)[1]
        let path = directory.segments()[0]
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[Int(middle.offset) + BatchHeader.encodedSize + 10] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: path))
        try FileManager.default.removeItem(atPath: directory.logDirectory() + "/index.sqlite3")
        do {
            _ = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: options)
            Issue.record("a damaged middle batch must stop open")
        } catch {
            guard case .corrupted(let position, _, _, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(position == middle.firstPosition)
        }
    }

    @Test("deleted or stale indexes are rebuilt and answer the same")
    func indexRebuild() async throws {
        let directory = TestDirectory()
        let options = testOptions { $0.durability = .unsafeNoSync }
        var expected: [String: [UInt64]] = [:]
        do {
            let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: options)
            for n in 0..<60 {
                let stream = "s-\(n % 7)"
                let result = try await log.append(AppendRequest(events: [event(stream)]))
                expected[stream, default: []].append(result.positions[0])
            }
            await log.close()
        }
        func check(_ label: String) async throws {
            let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: options)
            for (stream, positions) in expected {
                let read = try log.readStream(stream)
                #expect(read.map(\.position) == positions, "\(label) \(stream)")
                #expect(read.map(\.streamVersion) == Array(1...UInt64(positions.count)))
            }
            #expect(log.head.position == 60)
            // The rebuilt index also knows the stream versions for expected-version checks.
            await #expect(throws: EventLogError.wrongExpectedVersion(stream: "s-0", expected: .noStream, actual: 9)) {
                try await log.append(AppendRequest(stream: "s-0", expected: .noStream, events: [event("s-0")]))
            }
            await log.close()
        }
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: directory.logDirectory() + "/index.sqlite3" + suffix)
        }
        try await check("deleted")
        // An index from another log (same workspace name, other events) is stale: detected and rebuilt.
        let other = TestDirectory("other")
        do {
            let log = try EventLog.open(dataDirectory: other.path, workspace: "acme", options: options)
            try await appendEach(log, ["zzz", "zzz"])
            await log.close()
        }
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: directory.logDirectory() + "/index.sqlite3" + suffix) }
        try FileManager.default.removeItem(atPath: directory.logDirectory() + "/index.sqlite3")
        try FileManager.default.copyItem(atPath: other.logDirectory() + "/index.sqlite3", toPath: directory.logDirectory() + "/index.sqlite3")
        try await check("stale")
        // A garbage index file is replaced.
        try Data("not a database".utf8).write(to: URL(fileURLWithPath: directory.logDirectory() + "/index.sqlite3"))
        try await check("garbage")
    }

    @Test("segments roll over at the size limit; reads, verify and recovery span them")
    func segmentRollover() async throws {
        let directory = TestDirectory()
        let options = testOptions {
            $0.limits.segmentBytesMax = 64 << 10
            $0.limits.batchBytesMax = 16 << 10
            $0.limits.appendBytesMax = 16 << 10
            $0.limits.eventsPerAppendMax = 100
            $0.limits.eventDataBytesMax = 8 << 10
            $0.preallocationBytes = 16 << 10
            $0.durability = .unsafeNoSync
        }
        var random = Xoshiro256(seed: 7)
        do {
            let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: options)
            for n in 0..<300 {
                // Random text compresses poorly, so the segments fill up.
                let noise = (0..<200).map { _ in String(UnicodeScalar(UInt8(97 + random.next() % 26))) }.joined()
                _ = try await log.append(AppendRequest(events: [event("s-\(n % 5)", "E", #"{"noise":"\#(noise)"}"#)]))
            }
            await log.close()
        }
        let segments = directory.segments()
        #expect(segments.count > 2)
        let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: options)
        #expect(try log.read(from: 1, maxCount: 1_000).map(\.position) == Array(1...300))
        #expect(try log.readStream("s-3").count == 60)
        _ = try await log.append(AppendRequest(events: [event("s-0")]))
        await log.close()
        let report = try LogVerifier(dataDirectory: directory.path, workspace: "acme").verify()
        #expect(report.isIntact && report.events == 301 && report.segments == directory.segments().count)
        // Sealed segments carry no filler: their size is exactly their batches.
        for path in segments.dropLast() {
            let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
            let base = UInt64(path.split(separator: "-").last!.dropLast(4))!
            let inSegment = try batches(directory).filter { UInt64($0.segment.dropFirst(8).dropLast(4)) == base }
            #expect(size == inSegment.map(\.storedBytes).reduce(0, +))
        }
    }
}

@Suite("Recovery leaves a well-formed tail")
struct RecoveryTailTests {
    /// Recovery zeroes a torn batch in place; a later, shorter batch can then leave 1-7 bytes behind it,
    /// too few for a filler frame. Those must be cut off, or `lz4` and the next open see stray bytes.
    @Test("after a cut, batches of any size leave no stray bytes", arguments: [0, 16 << 10])
    func noStrayBytes(preallocationBytes: Int) async throws {
        let directory = TestDirectory("stray\(preallocationBytes)")
        let options = testOptions {
            $0.preallocationBytes = preallocationBytes
            $0.durability = .unsafeNoSync
        }
        do {
            let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: options)
            try await appendEach(log, ["a"])
            await log.close()
        }
        let path = directory.segments()[0]
        let pristine = try Data(contentsOf: URL(fileURLWithPath: path))
        let end = Int(try batches(directory).last.map { $0.offset + Int64($0.storedBytes) }!)
        for padding in 300..<700 {
            // A torn write of `padding` bytes after the last batch (header-like garbage that fails its checks).
            var bytes = Data(pristine.prefix(end))
            bytes.append(contentsOf: [0x5A, 0x2A, 0x4D, 0x18] + [UInt8](repeating: 0xEE, count: padding - 4))
            try bytes.write(to: URL(fileURLWithPath: path))
            let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: options)
            #expect(log.head.position == 1)
            _ = try await log.append(AppendRequest(events: [event("b", "E", #"{"p":\#(padding)}"#)]))
            await log.close()
            let report = try LogVerifier(dataDirectory: directory.path, workspace: "acme").verify()
            #expect(report.isIntact && report.tornTail == nil && report.events == 2, "padding \(padding): \(report)")
            let lz4 = try run(try #require(which("lz4")), ["-dc", path])
            #expect(lz4.status == 0 && String(decoding: lz4.stdout, as: UTF8.self).split(separator: "\n").count == 2, "padding \(padding)")
            try Data(pristine).write(to: URL(fileURLWithPath: path))
            try? FileManager.default.removeItem(atPath: directory.logDirectory() + "/index.sqlite3")
        }
    }
}
