import CommandService
import EventLog
import Synchronization
import TestSupport
import Workflow

/// A clock that advances one millisecond per reading, so every decision has its own `now`.
final class TestClock: Sendable {
    private let micros = Mutex<Int64>(1_790_000_000_000_000)

    func now() -> Instant {
        micros.withLock { value in
            value += 1_000
            return Instant(unixMicros: value)
        }
    }

    func advance(seconds: Double) { micros.withLock { $0 += Int64(seconds * 1e6) } }
}

/// The workflow the tests use (enforced):
/// backlog (initial) → todo → doing (WIP `doingLimit`) → review (read-only) → done, and canceled;
/// `accept` review→done needs one approval by a project manager or qa.
func testWorkflow(doingLimit: Int = 2) -> WorkflowDefinition {
    WorkflowDefinition(
        mode: .enforced,
        states: [
            StateDefinition(id: "backlog", name: "Backlog", category: .backlog, position: 0, isInitial: true),
            StateDefinition(id: "todo", name: "To do", category: .unstarted, position: 1),
            StateDefinition(id: "doing", name: "Doing", category: .started, position: 2, wipLimit: doingLimit),
            StateDefinition(id: "review", name: "In review", category: .started, position: 3, isReadOnly: true),
            StateDefinition(id: "done", name: "Done", category: .completed, position: 4),
            StateDefinition(id: "canceled", name: "Canceled", category: .canceled, position: 5),
        ],
        transitions: [
            TransitionDefinition(id: "plan", from: .state("backlog"), to: "todo"),
            TransitionDefinition(id: "unplan", from: .state("todo"), to: "backlog"),
            TransitionDefinition(id: "start", from: .state("todo"), to: "doing"),
            TransitionDefinition(id: "back", from: .state("doing"), to: "todo"),
            TransitionDefinition(id: "submit", from: .state("doing"), to: "review"),
            TransitionDefinition(
                id: "accept", from: .state("review"), to: "done",
                approval: ApprovalPolicy(approverRoles: [.projectManager], approverMembers: ["qa"], mode: .any)),
            TransitionDefinition(id: "cancel", from: .any, to: "canceled"),
        ])
}

/// Metadata as an API request by `member` would carry it.
func metadata(_ member: MemberID, request: String = "req", causation: String? = nil) -> CommandMetadata {
    CommandMetadata(
        member: member, tokenID: "tok-\(member)", requestID: "\(request)-\(member)", correlationID: "corr-\(request)",
        causationID: causation, origin: .api)
}

/// A workspace log on disk with a command service over it, set up through commands:
/// members admin (admin), pm, dev, dev2, qa (members); workflow `wf`; project `p1` (`OPS`) created by pm
/// with dev, dev2 and qa as project members.
struct Harness {
    let directory: TestDirectory
    let log: EventLog
    let service: CommandService
    let clock: TestClock

    static func make(
        _ name: String = #function, cacheBytesMax: Int = 64 << 20, maxRetries: Int = CommandService.defaultMaxRetries,
        wip: WIPEnforcement = .hard, doingLimit: Int = 2, limits: Limits = .standard, streamRateLimit: StreamRateLimit = .standard
    ) async throws -> Harness {
        let directory = TestDirectory(name)
        let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: testOptions())
        let clock = TestClock()
        let service = try CommandService(
            log: log,
            configuration: .init(
                cacheBytesMax: cacheBytesMax, maxRetries: maxRetries, limits: limits, clock: { clock.now() }, streamRateLimit: streamRateLimit))
        try await service.execute(
            WorkspaceCommand.create(
                NewWorkspace(
                    id: "acme", slug: "acme", name: "Acme",
                    founder: NewMember(id: "admin", displayName: "Ada Admin", email: "ada@acme.test"))),
            metadata: metadata("admin"))
        for id in ["pm", "dev", "dev2", "qa"] {
            try await service.execute(
                WorkspaceCommand.addMember(NewMember(id: MemberID(id), displayName: "Name of \(id)", email: "\(id)@acme.test")),
                metadata: metadata("admin"))
        }
        try await service.execute(
            WorkflowCommand(workflow: "wf", .create(name: "Delivery", definition: testWorkflow(doingLimit: doingLimit))),
            metadata: metadata("admin"))
        try await service.execute(
            ProjectCommand(
                project: "p1",
                .create(NewProject(key: "OPS", name: "Operations", workflow: WorkflowPin(workflow: "wf", version: 1), wipEnforcement: wip))),
            metadata: metadata("pm"))
        for id in ["dev", "dev2", "qa"] {
            try await service.execute(ProjectCommand(project: "p1", .addMember(MemberID(id), role: .member)), metadata: metadata("pm"))
        }
        return Harness(directory: directory, log: log, service: service, clock: clock)
    }

    /// Creates task `id` in p1 by dev, and moves it along `path`.
    @discardableResult
    func task(_ id: TaskID, path: [StateID] = []) async throws -> CommandOutcome {
        var outcome = try await service.execute(
            TaskCommand(task: id, .create(NewTask(title: "Task \(id)", assignees: ["dev"]))), project: "p1", metadata: metadata("dev"))
        for state in path {
            outcome = try await service.execute(TaskCommand(task: id, .move(to: state)), metadata: metadata("dev"))
        }
        return outcome
    }
}

/// Every aggregate rebuilt from its stream, straight from the log.
struct Rebuilt: AggregateFolding {
    var workspace: WorkspaceState?
    var projects: [ProjectID: ProjectState] = [:]
    var workflows: [WorkflowID: WorkflowState] = [:]
    var tasks: [TaskID: TaskState] = [:]
    var reminders: [ReminderRuleID: ReminderRuleState] = [:]
    var milestones: [MilestoneID: MilestoneState] = [:]
    var documents: [DocumentID: DocumentState] = [:]
    var tokens: [TokenID: TokenState] = [:]
    /// Each stream's version, from the log.
    var versions: [String: UInt64] = [:]

    init(_ log: EventLog) throws {
        var position: UInt64 = 1
        while true {
            let page = try log.read(from: position, maxCount: 500)
            if page.isEmpty { break }
            for recorded in page {
                let event = try EventEnvelopeMapping.domainEvent(recorded)
                versions[event.stream.rawValue] = recorded.streamVersion
                // The security audit has no aggregate; foreign streams are not the domain's.
                fold(event)
                position = recorded.position + 1
            }
        }
    }

    /// Live (neither deleted nor archived) tasks per state in `project`.
    func columnCounts(_ project: ProjectID) -> [StateID: Int] {
        var counts: [StateID: Int] = [:]
        for task in tasks.values where task.project == project && !task.isDeleted && !task.isArchived { counts[task.state, default: 0] += 1 }
        return counts
    }

    /// Whether `service` holds exactly these states.
    func matches(_ service: CommandService) async throws -> Bool {
        guard try await service.workspace() == workspace else { return false }
        for (id, state) in projects where try await service.project(id) != state { return false }
        for (id, state) in workflows where try await service.workflow(id) != state { return false }
        for (id, state) in tasks where try await service.task(id) != state { return false }
        for (id, state) in reminders where try await service.reminderRule(id) != state { return false }
        for (id, state) in milestones where try await service.milestone(id) != state { return false }
        for (id, state) in documents where try await service.document(id) != state { return false }
        for (id, state) in tokens where try await service.token(id) != state { return false }
        for id in projects.keys where try await service.columnCounts(of: id) != columnCounts(id) { return false }
        return true
    }
}

/// The code of the error `body` throws, or nil when it succeeds.
func code(_ body: () async throws -> Void) async -> String? {
    do {
        try await body()
        return nil
    } catch let error as CommandError {
        return error.code
    } catch {
        return "unexpected: \(error)"
    }
}

/// Event ids 0190…7000-8000…0001, …0002, …: the same ids on every run, for byte-for-byte comparisons.
func sequentialEventIDs() -> @Sendable (Instant) -> EventID {
    let counter = Mutex<UInt64>(0)
    return { _ in
        EventID(
            high: 0x0190_0000_0000_7000,
            low: 0x8000_0000_0000_0000
                | counter.withLock {
                    $0 += 1; return $0
                })
    }
}

/// Creates workspace `acme` with founder `admin` (Ada).
let createAcme = WorkspaceCommand.create(
    NewWorkspace(id: "acme", slug: "acme", name: "Acme", founder: NewMember(id: "admin", displayName: "Ada", email: "ada@acme.test")))
