import BenchmarkSupport
import EventLog
import Foundation
import ProjectionEngine
import Synchronization

struct LiveRun {
    var lag = Latencies()
    var appendedEvents = 0
    var commands = 0
    var refused = 0
    var seconds = 0.0
    var ackLatency = Latencies()
}

final class LiveResults: Sendable {
    let run = Mutex(LiveRun())
}

enum LiveLag {
    /// Domain events appended to the log (durable: fdatasync before the acknowledgement) at `rate` per
    /// second, open loop (each on its schedule, not waiting for the previous one), for `seconds`, while the
    /// engine follows the log. The events are copies (new ids, same stream, type, payload and attributes)
    /// of the workspace's own latest TaskMoved, TaskEdited, TaskPriorityChanged and TaskEstimateChanged
    /// events: real payloads that every projection applies again without conflicts. For each append: from
    /// its acknowledgement to the board projection's checkpoint reaching it (`waitUntil`, woken by the
    /// board writer's commit).
    static func appendRun(log: EventLog, engine: ProjectionEngine, arguments: Arguments) async throws -> LiveRun {
        let total = Int(arguments.liveSeconds * arguments.liveRate)
        let kinds: Set<String> = ["TaskMoved", "TaskEdited", "TaskPriorityChanged", "TaskEstimateChanged"]
        var sources: [ProposedEvent] = []
        var next = log.head.position > 400_000 ? log.head.position - 400_000 : 1
        while sources.count < total, next <= log.head.position {
            let events = try log.read(from: next, maxCount: 4_096)
            guard let last = events.last else { break }
            for event in events where kinds.contains(event.type) && sources.count < total {
                sources.append(
                    ProposedEvent(
                        stream: event.stream, type: event.type, data: Array(event.data),
                        extensions: event.extensions.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }))
            }
            next = last.position + 1
        }
        precondition(sources.count == total, "only \(sources.count) source events")
        let interval = 1e9 / arguments.liveRate
        let results = LiveResults()
        let started = nanosNow()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (n, event) in sources.enumerated() {
                let due = started + UInt64(Double(n) * interval)
                let now = nanosNow()
                if due > now { try await Task.sleep(for: .nanoseconds(Int(due - now))) }
                group.addTask {
                    let sent = nanosNow()
                    let result = try await log.append(AppendRequest(events: [event]))
                    let acknowledged = nanosNow()
                    guard let last = result.positions.last else { return }
                    guard try await engine.waitUntil(projection: "board", position: last, timeout: .seconds(60)) else {
                        fatalError("the board did not reach \(last): \(engine.status().map { "\($0.name) \($0.state) \($0.checkpoint)" })")
                    }
                    let visible = nanosNow()
                    results.run.withLock {
                        $0.commands += 1
                        $0.appendedEvents += 1
                        $0.lag.samples.append(Double(visible - acknowledged) / 1e6)
                        $0.ackLatency.samples.append(Double(acknowledged - sent) / 1e6)
                    }
                }
            }
            try await group.waitForAll()
        }
        var run = results.run.withLock { $0 }
        run.seconds = seconds(since: started)
        return run
    }
}
