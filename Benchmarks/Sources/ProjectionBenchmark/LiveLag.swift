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
                        results.run.withLock { $0.refused += 1; $0.commands += 1 }
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
