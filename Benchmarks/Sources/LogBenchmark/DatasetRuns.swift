import BenchmarkSupport
import EventLog
import Foundation

/// Writes `count` workload events into a fresh workspace log, 500 per append with 4 appends in flight.
func buildDataset(directory: String, count: Int, workload: Workload, seed: UInt64) async throws -> Double {
    try? FileManager.default.removeItem(atPath: directory)
    var options = EventLogOptions()
    options.logger.logLevel = .error
    let log = try EventLog.open(dataDirectory: directory, workspace: "bench", options: options)
    let start = nanosNow()
    let perAppend = 500
    let appends = (count + perAppend - 1) / perAppend
    try await withThrowingTaskGroup(of: Void.self) { group in
        for lane in 0..<4 {
            group.addTask {
                var random = SplitMix(state: seed &+ UInt64(lane))
                for append in stride(from: lane, to: appends, by: 4) {
                    let first = append * perAppend
                    let events = (first..<min(count, first + perAppend)).map { workload.event($0, random: &random) }
                    _ = try await log.append(AppendRequest(events: events))
                }
            }
        }
        try await group.waitForAll()
    }
    let seconds = Double(nanosNow() - start) / 1e9
    await log.close()
    return seconds
}

/// Reads the whole log in order, decoding every event's envelope; returns events per second.
func runSequentialRead(directory: String) async throws -> (eventsPerSecond: Double, events: Int) {
    var options = EventLogOptions()
    options.logger.logLevel = .error
    options.createIfMissing = false
    let log = try EventLog.open(dataDirectory: directory, workspace: "bench", options: options)
    let start = nanosNow()
    var next: UInt64 = 1
    var events = 0
    var checksum: UInt64 = 0
    while true {
        let page = try log.read(from: next, maxCount: 8_192)
        guard let last = page.last else { break }
        for event in page {
            // Touch what a consumer uses, so the decode cannot be optimised away.
            checksum &+= event.position &+ event.streamVersion &+ event.id.low &+ UInt64(event.data.count)
        }
        events += page.count
        next = last.position + 1
    }
    let seconds = Double(nanosNow() - start) / 1e9
    await log.close()
    precondition(checksum != 0)
    return (Double(events) / seconds, events)
}

/// Time from `EventLog.open` to a log ready to append and read, in milliseconds.
func runOpen(directory: String, dropIndex: Bool) async throws -> Double {
    if dropIndex {
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: directory + "/workspaces/bench/log/index.sqlite3" + suffix)
        }
    }
    var options = EventLogOptions()
    options.logger.logLevel = .error
    options.createIfMissing = false
    let start = nanosNow()
    let log = try EventLog.open(dataDirectory: directory, workspace: "bench", options: options)
    let milliseconds = Double(nanosNow() - start) / 1e6
    precondition(log.head.position > 0)
    await log.close()
    return milliseconds
}

/// Offline verification of the whole chain; returns events per second.
func runVerify(directory: String) throws -> (eventsPerSecond: Double, report: VerificationReport) {
    let start = nanosNow()
    let report = try LogVerifier(dataDirectory: directory, workspace: "bench").verify()
    let seconds = Double(nanosNow() - start) / 1e9
    precondition(report.isIntact)
    return (Double(report.events) / seconds, report)
}
