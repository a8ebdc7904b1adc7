import BenchmarkSupport
import EventLog
import Foundation
import Histogram
import Synchronization

/// `concurrency` tasks append one event each, waiting for the durable acknowledgement, for `seconds`.
func runLogAppends(directory: String, concurrency: Int, seconds: Double, workload: Workload, seed: UInt64) async throws -> RunResult {
    try? FileManager.default.removeItem(atPath: directory)
    var options = EventLogOptions()
    options.logger.logLevel = .error
    options.lingerMicros = Int(ProcessInfo.processInfo.environment["TASKLEDGER_LINGER_MICROS"] ?? "") ?? options.lingerMicros
    let log = try EventLog.open(dataDirectory: directory, workspace: "bench", options: options)
    let pools = (0..<concurrency).map { workload.pool(count: 50_000 / concurrency + 1_000, seed: seed &+ UInt64($0)) }
    let start = nanosNow()
    let deadline = start + UInt64(seconds * 1e9)
    let results = try await withThrowingTaskGroup(of: (Int, Histogram<UInt64>).self) { group in
        for appender in 0..<concurrency {
            group.addTask {
                let pool = pools[appender]
                var histogram = newHistogram()
                var count = 0
                while nanosNow() < deadline {
                    // Client-supplied ids, so the event-id check runs as it would for retries.
                    var event = pool[count % pool.count]
                    event.id = EventID.generate()
                    let began = nanosNow()
                    _ = try await log.append(AppendRequest(events: [event]))
                    _ = histogram.record(nanosNow() - began)
                    count += 1
                }
                return (count, histogram)
            }
        }
        var total = 0
        var merged = newHistogram()
        for try await (count, histogram) in group {
            total += count
            merged.add(histogram)
        }
        return (total, merged)
    }
    let elapsed = Double(nanosNow() - start) / 1e9
    await log.close()
    return RunResult(system: "taskledger", concurrency: concurrency, events: results.0, seconds: elapsed, latency: results.1)
}
