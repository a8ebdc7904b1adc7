import BenchmarkSupport
import CommandService
import EventLog
import Foundation
import ProjectionEngine
import Synchronization
import Workflow

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

    /// (Not used for the figures: through the command service, a cold service loading hot task streams
    /// of a 1M-event log could not keep 1,000 commands/s here; kept for comparison runs.)
    /// Commands through the command service (durable: fdatasync before the acknowledgement) at `rate`
    /// per second, open loop (each on its schedule, not waiting for the previous one), for `seconds`,
    /// while the engine follows the log. For each command: from its acknowledgement to the board
    /// projection's checkpoint reaching its last event (`waitUntil`, woken by the writer's commit).
    static func run(log: EventLog, engine: ProjectionEngine, arguments: Arguments) async throws -> LiveRun {
        let clock = SimulatedClock()
        let service = try Workload.service(log, clock: clock)
        let zipf = Zipf(count: arguments.tasks, exponent: 1.1)
        var random = SplitMix(state: arguments.seed ^ 0x5EED)
        let total = Int(arguments.liveSeconds * arguments.liveRate)
        let interval = 1e9 / arguments.liveRate
        let results = LiveResults()
        let started = nanosNow()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<total {
                let due = started + UInt64(Double(n) * interval)
                let now = nanosNow()
                if due > now { try await Task.sleep(for: .nanoseconds(Int(due - now))) }
                let number = zipf.sample(&random)
                let member = Workload.members[2 + Int(random.next() % UInt64(Workload.members.count - 2))]
                let action: TaskAction
                switch random.next() % 10 {
                case 0..<4: action = .move(to: Workload.states[Int(random.next() % 4)])
                case 4..<6: action = .edit(title: .set("Task \(number): live edit \(n)"))
                case 6..<8: action = .addComment(CommentID("live-\(n)"), body: Workload.comments[n % Workload.comments.count])
                default: action = .setPriority(Priority.allCases[Int(random.next() % 5)])
                }
                let command = TaskCommand(task: TaskID("t\(number)"), action)
                group.addTask {
                    let sent = nanosNow()
                    let outcome: CommandOutcome
                    do {
                        outcome = try await service.execute(command, metadata: Workload.metadata(member, n))
                    } catch {
                        results.run.withLock {
                            $0.refused += 1; $0.commands += 1
                        }
                        return
                    }
                    let acknowledged = nanosNow()
                    guard let last = outcome.events.last?.position else {
                        results.run.withLock { $0.commands += 1 }
                        return
                    }
                    guard try await engine.waitUntil(projection: "board", position: last, timeout: .seconds(30)) else {
                        fatalError("the board did not reach \(last)")
                    }
                    let visible = nanosNow()
                    results.run.withLock {
                        $0.commands += 1
                        $0.appendedEvents += outcome.events.count
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
