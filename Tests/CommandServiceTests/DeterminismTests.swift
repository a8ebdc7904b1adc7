import CommandService
import EventLog
import Foundation
import Synchronization
import TestSupport
import Testing
import Workflow

/// The two injection points that make a log's bytes reproducible (the demo generator uses them): the
/// log's commit clock (`EventLogOptions.clock`) and the service's event ids (`Configuration.eventIDs`).
@Suite("Deterministic clocks and event ids")
struct DeterminismTests {
    @Test("events carry the injected ids and the injected commit time; commit times never go backwards")
    func injectedClockAndIDs() async throws {
        let directory = TestDirectory()
        let commitMicros = Mutex<Int64>(1_780_000_000_000_000)
        let log = try EventLog.open(
            dataDirectory: directory.path, workspace: "acme",
            options: testOptions { $0.clock = { Timestamp(unixMicros: commitMicros.withLock { $0 }) } })
        let service = try CommandService(
            log: log,
            configuration: .init(
                clock: { Instant(unixMicros: 1_780_000_000_000_000) },
                eventIDs: sequentialEventIDs()))
        try await service.execute(createAcme, metadata: metadata("admin"))
        commitMicros.withLock { $0 -= 5_000_000 }  // a clock that jumps back must not make time run backwards
        try await service.execute(
            WorkspaceCommand.addMember(NewMember(id: "lin", displayName: "Lin", email: "lin@acme.test")), metadata: metadata("admin"))
        let events = try log.read(from: 1, maxCount: 10)
        #expect(events.count == 3)
        #expect(events.map(\.id.low) == [0x8000_0000_0000_0001, 0x8000_0000_0000_0002, 0x8000_0000_0000_0003])
        #expect(events.allSatisfy { $0.time == Timestamp(unixMicros: 1_780_000_000_000_000) })
        await log.close()
    }

    @Test("a bulk load with injected clocks and ids writes the same segment bytes every time, its batches included")
    func bulkLoadSameBytes() async throws {
        var digests: [[UInt8]] = []
        for _ in 0..<2 {
            let directory = TestDirectory()
            let commitMicros = Mutex<Int64>(1_780_000_000_000_000)
            let log = try EventLog.open(
                dataDirectory: directory.path, workspace: "acme",
                options: testOptions {
                    $0.durability = .unsafeNoSync
                    $0.clock = {
                        Timestamp(
                            unixMicros: commitMicros.withLock {
                                $0 += 1_000; return $0
                            })
                    }
                })
            let counter = Mutex<UInt64>(0)
            let clock = TestClock()
            let service = try CommandService(
                log: log,
                configuration: .init(
                    clock: { clock.now() },
                    eventIDs: { at in
                        EventID(
                            high: UInt64(at.unixMicros),
                            low: 0x8000_0000_0000_0000
                                | counter.withLock {
                                    $0 += 1; return $0
                                })
                    },
                    bulkLoad: BulkLoad(commandsMax: 3)))
            try await service.execute(createAcme, metadata: metadata("admin"))
            for n in 0..<10 {
                try await service.execute(
                    WorkspaceCommand.addMember(NewMember(id: MemberID("m\(n)"), displayName: "M \(n)", email: "m\(n)@acme.test")),
                    metadata: metadata("admin"))
            }
            try await service.flush()
            #expect(log.writerStatistics.batches == 4)
            await log.close()
            digests.append(try directory.segments().flatMap { Array(try Data(contentsOf: URL(fileURLWithPath: $0))) })
        }
        #expect(!digests[0].isEmpty)
        #expect(digests[0] == digests[1])
    }
}
