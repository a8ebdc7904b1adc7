import EventLog
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A real process appends with durable acknowledgements and is killed with SIGKILL at random moments.
/// After each kill, every acknowledged event must be in the log, at the position acknowledged, with the
/// id it was sent with, and the chain must verify.
@Suite("kill -9 while appending")
struct KillNineTests {
    static let rounds = Int(ProcessInfo.processInfo.environment["TASKLEDGER_KILL_ROUNDS"] ?? "") ?? 20

    @Test("every acknowledged event survives SIGKILL; the chain verifies")
    func killNine() async throws {
        signal(SIGPIPE, SIG_IGN)
        let binary = try taskledgerBinary()
        let directory = TestDirectory()
        var random = SystemRandomNumberGenerator()
        var acknowledged: [UInt64: String] = [:]
        var sent = 0
        for round in 0..<Self.rounds {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["log", "append", "--each", "--concurrency", "16", "--data", directory.path, "--workspace", "crash"]
            let input = Pipe()
            let output = Pipe()
            process.standardInput = input
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            let collector = AckCollector(output.fileHandleForReading)
            // Feed events until the pipe breaks (the process is gone).
            let feeder = Thread { [start = sent] in
                var n = start
                while true {
                    var chunk = ""
                    for _ in 0..<200 {
                        chunk +=
                            #"{"stream":"s-\#(n % 13)","type":"Tick","data":{"n":\#(n),"pad":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"},"id":"\#(Self.id(n))"}"#
                            + "\n"
                        n += 1
                    }
                    do { try input.fileHandleForWriting.write(contentsOf: Data(chunk.utf8)) } catch { return }
                }
            }
            feeder.start()
            let delay = 40 + Int(random.next() % 260)
            try await Task.sleep(for: .milliseconds(delay))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            try? input.fileHandleForWriting.close()
            let acks = collector.finish()
            #expect(process.terminationReason == .uncaughtSignal, "round \(round): the child was killed, not finished")
            for (position, id) in acks {
                #expect(acknowledged[position] == nil || acknowledged[position] == id, "position \(position) acknowledged twice")
                acknowledged[position] = id
            }
            sent += 1_000_000
        }
        #expect(acknowledged.count > Self.rounds, "the child acknowledged appends before being killed")

        // Reopen (recovery runs) and check every acknowledged event.
        let log = try EventLog.open(dataDirectory: directory.path, workspace: "crash", options: testOptions())
        let stored = try log.read(from: 1, maxCount: 10_000_000)
        #expect(stored.map(\.position) == (0..<stored.count).map { UInt64($0) + 1 }, "gap-free positions")
        let byPosition = Dictionary(uniqueKeysWithValues: stored.map { ($0.position, $0.id.description) })
        var missing = 0
        for (position, id) in acknowledged where byPosition[position] != id {
            missing += 1
            if missing < 5 { Issue.record("acknowledged position \(position) (\(id)) is \(byPosition[position] ?? "missing")") }
        }
        #expect(missing == 0)
        await log.close()
        let report = try LogVerifier(dataDirectory: directory.path, workspace: "crash").verify()
        #expect(report.isIntact && report.tornTail == nil, "\(report)")
        #expect(report.events == UInt64(stored.count))
    }

    /// A deterministic UUID for event number `n` (so a test can tell which event sits where).
    static func id(_ n: Int) -> String {
        let hex = String(n, radix: 16)
        let padded = String(repeating: "0", count: 12 - hex.count) + hex
        return "00000000-0000-7000-8000-" + padded
    }
}

/// Reads `{"position":…,"id":…}` acknowledgements from a pipe on its own thread.
final class AckCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var acks: [(UInt64, String)] = []
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        let thread = Thread { [self] in
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: 0x0A) {
                    let line = pending[pending.startIndex..<newline]
                    pending.removeSubrange(pending.startIndex...newline)
                    if let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                        let position = object["position"] as? Int, let id = object["id"] as? String
                    {
                        lock.withLock { acks.append((UInt64(position), id)) }
                    }
                }
            }
            done.signal()
        }
        thread.start()
    }

    /// Waits for the end of the output (a partial last line, cut by the kill, is not an acknowledgement).
    func finish() -> [(UInt64, String)] {
        done.wait()
        return lock.withLock { acks }
    }
}
