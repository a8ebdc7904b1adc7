import BenchmarkSupport
import CommandService
import EventLog
import Foundation
import Synchronization
import Workflow

/// `CommandBenchmark [--tasks N] [--clients C] [--seconds S] [--repeats R] [--dir DIR] [--json FILE] [--service-only 1] [--cache-mib M]`
///
/// Commands through the whole command service — load, decide, durable append — with C concurrent clients
/// and a realistic mix (create 10 %, edit 20 %, move 40 %, assign 15 %, comment 15 %) on a workspace of N
/// tasks; and `decide` alone (no I/O) on the same mix. Prints Markdown.
struct Arguments {
    var tasks = 50_000
    var clients = 16
    var seconds = 5.0
    var repeats = 3
    var directory = NSTemporaryDirectory() + "taskledger-command-bench"
    var json: String?
    /// Skip the decide-alone runs (to profile the service alone).
    var serviceOnly = false
    /// The aggregate cache's limit: the service's default, or less to make commands miss it (a workspace
    /// larger than its cache).
    var cacheMiB = CommandService.Configuration().cacheBytesMax >> 20

    init() {
        let options = BenchmarkOptions(
            usage:
                "CommandBenchmark [--tasks N] [--clients C] [--seconds S] [--repeats R] [--dir DIR] [--json FILE] [--service-only 1] [--cache-mib M]")
        for (name, value) in options {
            switch name {
            case "--tasks": tasks = options.number(value, for: name)
            case "--clients": clients = options.number(value, for: name)
            case "--seconds": seconds = options.number(value, for: name)
            case "--repeats": repeats = options.number(value, for: name)
            case "--dir": directory = value
            case "--json": json = value
            case "--service-only": serviceOnly = value == "1"
            case "--cache-mib": cacheMiB = options.number(value, for: name)
            default: options.unknown(name)
            }
        }
    }
}

func nanos() -> UInt64 { nanosNow() }
func say(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }

let members: [MemberID] = (0..<12).map { MemberID("m\($0)") }
let states: [StateID] = ["backlog", "todo", "doing", "review", "done"]

/// An open workflow (any state to any state): the mix moves tasks at random, as a busy board does.
let definition = WorkflowDefinition(
    mode: .open,
    states: [
        StateDefinition(id: "backlog", name: "Backlog", category: .backlog, position: 0, isInitial: true),
        StateDefinition(id: "todo", name: "To do", category: .unstarted, position: 1),
        StateDefinition(id: "doing", name: "Doing", category: .started, position: 2),
        StateDefinition(id: "review", name: "Review", category: .started, position: 3),
        StateDefinition(id: "done", name: "Done", category: .completed, position: 4),
    ],
    transitions: [])

func meta(_ member: MemberID, _ n: Int) -> CommandMetadata {
    CommandMetadata(member: member, tokenID: "tok-\(member)", requestID: "req-\(n)", correlationID: "corr-\(n)", origin: .api)
}

/// A workspace with `count` tasks in project p1, made through the service.
func setUp(_ arguments: Arguments) async throws -> (EventLog, CommandService) {
    try? FileManager.default.removeItem(atPath: arguments.directory)
    var options = EventLogOptions()
    options.logger.logLevel = .error
    let log = try EventLog.open(dataDirectory: arguments.directory, workspace: "bench", options: options)
    let service = try CommandService(log: log, configuration: .init(cacheBytesMax: arguments.cacheMiB << 20))
    try await service.execute(
        WorkspaceCommand.create(
            NewWorkspace(id: "bench", slug: "bench", name: "Bench", founder: NewMember(id: "m0", displayName: "Admin", email: "m0@bench.test"))),
        metadata: meta("m0", 0))
    for member in members.dropFirst() {
        try await service.execute(
            WorkspaceCommand.addMember(NewMember(id: member, displayName: "Member \(member)", email: "\(member)@bench.test")),
            metadata: meta("m0", 0))
    }
    try await service.execute(WorkflowCommand(workflow: "wf", .create(name: "Board", definition: definition)), metadata: meta("m0", 0))
    try await service.execute(
        ProjectCommand(project: "p1", .create(NewProject(key: "OPS", name: "Operations", workflow: WorkflowPin(workflow: "wf", version: 1)))),
        metadata: meta("m1", 0))
    for member in members.dropFirst(2) {
        try await service.execute(ProjectCommand(project: "p1", .addMember(member, role: .member)), metadata: meta("m1", 0))
    }
    let started = nanos()
    try await withThrowingTaskGroup(of: Void.self) { group in
        for client in 0..<arguments.clients {
            group.addTask {
                for n in stride(from: client, to: arguments.tasks, by: arguments.clients) {
                    let member = members[2 + n % (members.count - 2)]
                    try await service.execute(
                        TaskCommand(task: TaskID("t\(n)"), .create(NewTask(title: "Task \(n): rotate the keys", assignees: [member]))),
                        project: "p1", metadata: meta(member, n))
                }
            }
        }
        try await group.waitForAll()
    }
    say("set up \(arguments.tasks) tasks in \(Double(nanos() - started) / 1e9) s")
    return (log, service)
}

enum Kind: CaseIterable { case create, edit, move, assign, comment }

/// The mix: create 10 %, edit 20 %, move 40 %, assign 15 %, comment 15 %.
func kind(_ roll: UInt64) -> Kind {
    switch roll % 100 {
    case 0..<10: .create
    case 10..<30: .edit
    case 30..<70: .move
    case 70..<85: .assign
    default: .comment
    }
}

let nextTask = Atomic<Int>(0)

/// One command of the mix for client `client`, number `n`.
/// Where the clients believe each task is, as a board UI does: updated from their own successful moves.
/// Another client's move can make it stale; then the move is refused (counted) rather than read first.
let board = Mutex<[TaskID: StateID]>([:])

func command(_ kind: Kind, random: inout SplitMix, taskCount: Int) -> (TaskCommand, MemberID) {
    let member = members[2 + Int(random.next() % UInt64(members.count - 2))]
    let task = TaskID("t\(random.next() % UInt64(taskCount))")
    switch kind {
    case .create:
        let n = nextTask.add(1, ordering: .relaxed).newValue
        return (TaskCommand(task: TaskID("new\(n)"), .create(NewTask(title: "New task \(n)", assignees: [member]))), member)
    case .edit:
        return (TaskCommand(task: task, .edit(title: .set("Edited \(random.next() % 1_000_000)"))), member)
    case .move:
        let now = board.withLock { $0[task] } ?? "backlog"
        var target = states[Int(random.next() % UInt64(states.count))]
        if target == now { target = states[(states.firstIndex(of: target)! + 1) % states.count] }
        return (TaskCommand(task: task, .move(to: target)), member)
    case .assign:
        return (TaskCommand(task: task, .assign(members[2 + Int(random.next() % UInt64(members.count - 2))])), member)
    case .comment:
        let id = CommentID("c\(random.next())")
        return (TaskCommand(task: task, .addComment(id, body: "Checked on staging; the smoke tests pass.")), member)
    }
}

/// Commands per second through the service, with `clients` concurrent clients for `seconds`.
func runService(_ service: CommandService, _ arguments: Arguments, seed: UInt64) async throws -> (
    perSecond: Double, refused: Int, cpuMicros: Double
) {
    let deadline = nanos() + UInt64(arguments.seconds * 1e9)
    let started = nanos()
    let cpuStarted = processCPUNanos()
    let (done, refused) = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
        for client in 0..<arguments.clients {
            group.addTask {
                var random = SplitMix(state: seed &+ UInt64(client) &* 7_919)
                var done = 0
                var refused = 0
                while nanos() < deadline {
                    let (command, member) = command(kind(random.next()), random: &random, taskCount: arguments.tasks)
                    do {
                        try await service.execute(command, project: "p1", metadata: meta(member, done))
                        if case .move(let target, _, _) = command.action { board.withLock { $0[command.task] = target } }
                    } catch {
                        refused += 1
                    }
                    done += 1
                }
                return (done, refused)
            }
        }
        var total = (0, 0)
        for try await (done, refused) in group {
            total.0 += done
            total.1 += refused
        }
        return total
    }
    let cpuMicros = Double(processCPUNanos() - cpuStarted) / 1e3 / Double(max(done, 1))
    return (Double(done) / (Double(nanos() - started) / 1e9), refused, cpuMicros)
}

/// `decide` alone: the same mix on states held in memory, no loading, no appending.
func runDecide(_ service: CommandService, _ arguments: Arguments) async throws -> Double {
    guard let workspace = try await service.workspace(), let project = try await service.project("p1"),
        let workflow = try await service.workflow("wf")
    else { fatalError("set-up missing") }
    var tasks: [TaskState] = []
    for n in 0..<min(arguments.tasks, 5_000) {
        if let task = try await service.task(TaskID("t\(n)")) { tasks.append(task) }
    }
    let actors = try members.dropFirst(2).map { try Actor.resolve(member: $0, workspace: workspace, project: project) }
    var random = SplitMix(state: 42)
    let context = TaskContext(now: Instant(unixMicros: 1_800_000_000_000_000), workspace: workspace, project: project, workflow: workflow)
    var decided = 0
    var events = 0
    let started = nanos()
    let deadline = started + UInt64(arguments.seconds * 1e9)
    while nanos() < deadline {
        for _ in 0..<1_000 {
            let task = tasks[Int(random.next() % UInt64(tasks.count))]
            let actor = actors[Int(random.next() % UInt64(actors.count))]
            let action: TaskAction
            switch kind(random.next()) {
            case .create: action = .create(NewTask(title: "New task", assignees: [actor.member]))
            case .edit: action = .edit(title: .set("Edited title"))
            case .move: action = .move(to: task.state == "doing" ? "review" : "doing")
            case .assign: action = .assign(members[2 + Int(random.next() % 10)])
            case .comment: action = .addComment("c-new", body: "Checked on staging; the smoke tests pass.")
            }
            let id: TaskID = if case .create = action { "brand-new" } else { task.id }
            let state: TaskState? = if case .create = action { nil } else { task }
            if let produced = try? TaskDecider.decide(state, TaskCommand(task: id, action), actor: actor, context: context) {
                events += produced.count
            }
            decided += 1
        }
    }
    precondition(events > 0)
    return Double(decided) / (Double(nanos() - started) / 1e9)
}

let arguments = Arguments()
let (eventLog, service) = try await setUp(arguments)
var serviceRates: [Double] = []
var refusedCounts: [Int] = []
var cpuPerCommand: [Double] = []
var decideRates: [Double] = []
for repeatIndex in 0..<arguments.repeats {
    let (rate, refused, cpuMicros) = try await runService(service, arguments, seed: UInt64(repeatIndex))
    serviceRates.append(rate)
    cpuPerCommand.append(cpuMicros)
    refusedCounts.append(refused)
    decideRates.append(arguments.serviceOnly ? 0 : try await runDecide(service, arguments))
    say(
        "run \(repeatIndex + 1): \(Int(rate)) commands/s (\(refused) refused), \(Int(cpuMicros)) µs CPU per command, decide alone \(Int(decideRates.last!))/s"
    )
}
await eventLog.close()
try? FileManager.default.removeItem(atPath: arguments.directory)
print("## Commands through the command service (\(arguments.tasks) tasks, \(arguments.clients) clients)\n")
print("| measure | median | runs |")
print("|---|---:|---|")
print(
    "| commands/s, load + decide + durable append (mix: create 10 %, edit 20 %, move 40 %, assign 15 %, comment 15 %) | \(Int(median(serviceRates))) | \(serviceRates.map { String(Int($0)) }.joined(separator: ", ")) |"
)
print(
    "| CPU time per command, all threads (user + system) | \(Int(median(cpuPerCommand))) µs | \(cpuPerCommand.map { String(Int($0)) }.joined(separator: ", ")) |"
)
print("| decide alone (no I/O), same mix | \(Int(median(decideRates))) | \(decideRates.map { String(Int($0)) }.joined(separator: ", ")) |")
print(
    "\nRefused commands (counted in the rate; e.g. assigning someone already assigned is accepted with no event): \(refusedCounts.map(String.init).joined(separator: ", "))."
)

if let path = arguments.json {
    let figures: [String: Any] = [
        "tasks": arguments.tasks, "clients": arguments.clients, "commandsPerSecond": median(serviceRates), "commandRuns": serviceRates,
        "cpuMicrosPerCommand": median(cpuPerCommand),
        "decidePerSecond": median(decideRates), "decideRuns": decideRates,
    ]
    try JSONSerialization.data(withJSONObject: figures, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: path))
}
