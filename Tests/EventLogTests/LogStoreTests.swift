import Foundation
import TestSupport
import Testing

@testable import EventLog

@Suite("Many workspaces: the open-log bound")
struct LogStoreTests {
    /// Open file descriptors of this process on files under `directory` (other tests run in parallel, so
    /// counting every descriptor of the process would measure them too).
    static func openDescriptors(under directory: String) -> Int {
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return descriptors.filter { name in
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + name))?.hasPrefix(directory) ?? false
        }.count
    }

    @Test("at most openLogsMax logs are open; evicted logs reopen with their data")
    func boundedOpenLogs() async throws {
        let directory = TestDirectory()
        let store = LogStore(dataDirectory: directory.path, options: testOptions(), openLogsMax: 3)
        for round in 0..<3 {
            for n in 0..<10 {
                let result = try await store.withLog("ws-\(n)") { log in
                    try await log.append(AppendRequest(events: [event("s", "E", #"{"round":\#(round)}"#)]))
                }
                #expect(result.positions == [UInt64(round + 1)], "workspace \(n) round \(round)")
                #expect(await store.openCount <= 3)
            }
        }
        // Three logs stay open, each with a bounded number of descriptors.
        let open = Self.openDescriptors(under: directory.path)
        #expect(open > 0 && open <= 3 * (testOptions().readHandlesMax + 5), "descriptors: \(open)")
        await store.close()
        for n in 0..<10 {
            let report = try LogVerifier(dataDirectory: directory.path, workspace: "ws-\(n)").verify()
            #expect(report.isIntact && report.events == 3)
        }
    }

    @Test("when every open log is held, one more is refused with its own error")
    func allHeld() async throws {
        let directory = TestDirectory()
        let store = LogStore(dataDirectory: directory.path, options: testOptions(), openLogsMax: 2)
        _ = try await store.acquire("a")
        _ = try await store.acquire("b")
        await #expect(throws: EventLogError.tooManyOpenLogs(limit: 2)) { _ = try await store.acquire("c") }
        await store.release("a")
        let c = try await store.acquire("c")
        #expect(c.workspace == "c")
        #expect(await store.openCount == 2)
        await store.close()
        await #expect(throws: EventLogError.closed) { _ = try await store.acquire("a") }
    }
}
