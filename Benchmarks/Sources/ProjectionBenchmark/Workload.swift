import BenchmarkSupport
import CommandService
import EventLog
import Foundation
import Synchronization
import Workflow

/// The workspace the benchmark projects: generated through the real `CommandService` (load, decide,
/// append), so the log holds exactly the domain's events with their real payloads and metadata.
///
/// Four projects on one workflow (backlog → to do → doing (WIP 300) → review (WIP 150) → done,
/// canceled; open mode, so any move is allowed), two with hard WIP enforcement (moves into a full column
/// are refused) and two with soft; 24 members; `tasks` tasks created along the way; every other command
/// picks its task Zipf-like (exponent 1.1 over the tasks created so far: a few hot tasks, a long tail).
/// Mix: create 8 %, edit 14 %, move 30 %, assign 10 %, unassign 3 %, comment 18 %, priority 5 %,
/// estimate 5 %, labels 4 %, due date 3 %. Each client draws from its own SplitMix seeded from
/// `seed`; with several clients the interleaving (and so positions) varies between generations, the
/// command streams do not.
enum Workload {
    static let workspace = "bench"
    static let members: [MemberID] = (0..<24).map { MemberID("m\($0)") }
    static let projects: [(id: ProjectID, key: String, hard: Bool)] = [
        ("ops", "OPS", true), ("web", "WEB", false), ("data", "DATA", true), ("app", "APP", false),
    ]
    static let states: [StateID] = ["backlog", "todo", "doing", "review", "done", "canceled"]
    static let labels = ["infra", "security", "cost", "design", "bug", "docs"]

    static let definition = WorkflowDefinition(
        mode: .open,
        states: [
            StateDefinition(id: "backlog", name: "Backlog", category: .backlog, position: 0, isInitial: true),
            StateDefinition(id: "todo", name: "To do", category: .unstarted, position: 1),
            StateDefinition(id: "doing", name: "Doing", category: .started, position: 2, wipLimit: 300),
            StateDefinition(id: "review", name: "Review", category: .started, position: 3, wipLimit: 150),
            StateDefinition(id: "done", name: "Done", category: .completed, position: 4),
            StateDefinition(id: "canceled", name: "Canceled", category: .canceled, position: 5),
        ],
        transitions: [])

    static func metadata(_ member: MemberID, _ n: Int) -> CommandMetadata {
        CommandMetadata(member: member, tokenID: "tok-\(member)", requestID: "req-\(n)", correlationID: "corr-\(n)", origin: .api)
    }

    static func openLog(_ directory: String, durability: EventLogOptions.Durability) throws -> EventLog {
        var options = EventLogOptions()
        options.logger.logLevel = .error
        options.durability = durability
        return try EventLog.open(dataDirectory: directory, workspace: workspace, options: options)
    }

    static func service(_ log: EventLog, clock: SimulatedClock) throws -> CommandService {
        try CommandService(log: log, configuration: .init(clock: { clock.now() }, streamRateLimit: .unlimited))
    }

    /// The cached dataset in `<dir>/dataset` when it has `events` events made with `seed`; else a new one.
    /// Returns the data directory holding the log and how long generating took (nil when cached).
    static func dataset(_ arguments: Arguments) async throws -> (directory: String, generatedSeconds: Double?) {
        let directory = arguments.directory + "/dataset"
        let marker = "\(directory)/generated-\(arguments.events)-\(arguments.tasks)-\(arguments.seed)"
        if FileManager.default.fileExists(atPath: marker) { return (directory, nil) }
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let started = nanosNow()
        // Acknowledged after pwrite: the dataset is scratch data, rebuilt if the machine dies.
        let log = try openLog(directory, durability: .unsafeNoSync)
        let clock = SimulatedClock()
        let service = try service(log, clock: clock)
        try await setUp(service)
        let refused = try await generate(service, log: log, arguments: arguments)
        let head = log.head.position
        await log.close()
        let elapsed = seconds(since: started)
        say("generated \(head) events through the command service in \(String(format: "%.1f", elapsed)) s (\(refused) commands refused)")
        _ = FileManager.default.createFile(atPath: marker, contents: Data("\(head) \(elapsed)\n".utf8))
        return (directory, elapsed)
    }

    static func setUp(_ service: CommandService) async throws {
        try await service.execute(
            WorkspaceCommand.create(
                NewWorkspace(
                    id: "bench", slug: "bench", name: "Bench", timeZone: "UTC",
                    founder: NewMember(id: "m0", displayName: "Ada Admin", email: "m0@bench.test"))), metadata: metadata("m0", 0))
        for member in members.dropFirst() {
            try await service.execute(
                WorkspaceCommand.addMember(NewMember(id: member, displayName: "Member \(member)", email: "\(member)@bench.test")),
                metadata: metadata("m0", 0))
        }
        try await service.execute(WorkflowCommand(workflow: "wf", .create(name: "Delivery", definition: definition)), metadata: metadata("m0", 0))
        for (index, project) in projects.enumerated() {
            try await service.execute(
                ProjectCommand(
                    project: project.id,
                    .create(
                        NewProject(
                            key: project.key, name: "Project \(project.key)", lead: "m1", workflow: WorkflowPin(workflow: "wf", version: 1),
                            wipEnforcement: project.hard ? .hard : .soft))), metadata: metadata("m1", index))
            for member in members.dropFirst(2) {
                try await service.execute(ProjectCommand(project: project.id, .addMember(member, role: .member)), metadata: metadata("m1", 0))
            }
            for (n, label) in labels.enumerated() {
                try await service.execute(
                    ProjectCommand(project: project.id, .createLabel(name: label, color: ["#d73a4a", "#0e8a16", "#1d76db"][n % 3])),
                    metadata: metadata("m1", 0))
            }
        }
    }

    /// Runs the clients until the log holds `events` events; returns the refused commands.
    static func generate(_ service: CommandService, log: EventLog, arguments: Arguments) async throws -> Int {
        let zipf = Zipf(count: arguments.tasks, exponent: 1.1)
        let shared = GeneratorState()
        let created = shared
        let board = shared
        let target = UInt64(arguments.events)
        let started = nanosNow()
        return try await withThrowingTaskGroup(of: Int.self) { group in
            for client in 0..<arguments.clients {
                group.addTask {
                    var random = SplitMix(state: arguments.seed &+ UInt64(client) &* 0x9E37_79B9)
                    var refused = 0
                    var n = 0
                    while log.head.position < target {
                        n += 1
                        let member = members[2 + Int(random.next() % UInt64(members.count - 2))]
                        let roll = Int(random.next() % 100)
                        let existing = created.created.load(ordering: .relaxed)
                        // Creates until `tasks` exist (and always while there are too few to pick from).
                        if existing < 50 || (roll < 8 && existing < arguments.tasks) {
                            let number = created.created.add(1, ordering: .relaxed).oldValue
                            guard number < arguments.tasks else { continue }
                            let project = projects[number % projects.count].id
                            let title = "Task \(number): \(titles[Int(random.next() % UInt64(titles.count))])"
                            let command = TaskCommand(
                                task: TaskID("t\(number)"),
                                .create(
                                    NewTask(
                                        title: title, description: random.next() % 3 == 0 ? descriptions[number % descriptions.count] : "",
                                        priority: Priority.allCases[Int(random.next() % 5)], assignees: [member])))
                            do { try await service.execute(command, project: project, metadata: metadata(member, n)) } catch { refused += 1 }
                            continue
                        }
                        let number = zipf.sample(&random) % existing
                        let task = TaskID("t\(number)")
                        let action: TaskAction
                        var move: StateID?
                        switch roll {
                        case 8..<22: action = .edit(title: .set("Task \(number): \(titles[Int(random.next() % UInt64(titles.count))]) (rev \(n))"))
                        case 22..<52:
                            let now = board.board.withLock { $0[number] } ?? "backlog"
                            var next = states[Int(random.next() % 5)]
                            if next == now { next = states[(states.firstIndex(of: next)! + 1) % 5] }
                            move = next
                            action = .move(to: next)
                        case 52..<62: action = .assign(members[2 + Int(random.next() % UInt64(members.count - 2))])
                        case 62..<65: action = .unassign(members[2 + Int(random.next() % UInt64(members.count - 2))])
                        case 65..<83: action = .addComment(CommentID("c\(client)-\(n)"), body: comments[Int(random.next() % UInt64(comments.count))])
                        case 83..<88: action = .setPriority(Priority.allCases[Int(random.next() % 5)])
                        case 88..<93:
                            action = .setEstimate(Estimate(amount: 1 + Int(random.next() % 13), unit: random.next() % 4 == 0 ? .hours : .points))
                        case 93..<97: action = .setLabels(Array(labels.shuffled(using: &random).prefix(Int(random.next() % 3))))
                        default:
                            action = .setDates(
                                start: nil, due: CalendarDate(year: 2027, month: 1 + Int(random.next() % 12), day: 1 + Int(random.next() % 28)))
                        }
                        do {
                            try await service.execute(TaskCommand(task: task, action), metadata: metadata(member, n))
                            if let move { board.board.withLock { $0[number] = move } }
                        } catch {
                            refused += 1
                        }
                        if client == 0, n % 20_000 == 0 {
                            let head = log.head.position
                            if head > shared.lastReport.load(ordering: .relaxed) {
                                shared.lastReport.store(head, ordering: .relaxed)
                                say("  generating: \(head) events, \(Int(Double(head) / seconds(since: started))) events/s")
                            }
                        }
                    }
                    return refused
                }
            }
            var refused = 0
            for try await count in group { refused += count }
            return refused
        }
    }

    static let titles = [
        "rotate the TLS keys", "migrate the billing cron to the new queue", "fix the flaky login test", "write the on-call runbook",
        "reduce the image sizes on the landing page", "add rate limits to the public API", "upgrade PostgreSQL to 16",
        "translate the onboarding e-mails", "investigate the memory growth in the importer", "remove the legacy feature flags",
    ]
    static let descriptions = [
        "The current keys expire at the end of the quarter. Generate new ones, roll them out to the load balancers and update the runbook.",
        "Customers in the EU see timeouts after 30 s; the trace shows the importer waiting on the lock held by the nightly job.",
        "Acceptance: the page loads in under 1.5 s on a 3G profile, Lighthouse score above 90, no layout shift.",
    ]
    static let comments = [
        "Checked on staging; the smoke tests pass.", "I can take this one after the release.",
        "Blocked on the vendor's answer, pinged them again this morning.",
        "The fix is in review: https://git.example.test/ops/pull/1432 — please look at the migration part first.",
        "Reproduced with the customer's data set; it only happens when the export holds more than 10k rows.", "+1",
    ]
}

/// What the generating clients share.
final class GeneratorState: Sendable {
    let created = Atomic<Int>(0)
    let board = Mutex<[Int: StateID]>([:])
    let lastReport = Atomic<UInt64>(0)
}

/// A clock that moves 2 s per reading from 2026-09-01, so the history spans weeks and "as of a time" means something.
final class SimulatedClock: Sendable {
    private let micros = Atomic<Int64>(1_788_220_800 * 1_000_000)
    func now() -> Instant { Instant(unixMicros: micros.add(2_000_000, ordering: .relaxed).newValue) }
}

/// Zipf-like ranks in [0, count): P(rank k) ∝ 1 / (k + 1)^s, drawn by binary search in the cumulative table.
struct Zipf: Sendable {
    private let cumulative: [Double]

    init(count: Int, exponent: Double) {
        var sum = 0.0
        var table: [Double] = []
        table.reserveCapacity(count)
        for k in 0..<count {
            sum += 1 / pow(Double(k + 1), exponent)
            table.append(sum)
        }
        cumulative = table.map { $0 / sum }
    }

    func sample(_ random: inout SplitMix) -> Int {
        let u = Double(random.next() >> 11) / Double(1 << 53)
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let mid = (low + high) / 2
            if cumulative[mid] < u { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
