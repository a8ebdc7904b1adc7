import CommandService
import EventLog
import Synchronization
import TestSupport
import Workflow

/// The simulated clock of the fixture history: the builder sets the working day and time, and every
/// reading advances four minutes, so each decision has its own, reproducible `now`.
final class FixtureClock: Sendable {
    /// 2026-10-01T00:00:00Z, a Thursday: day 0 of the history.
    static let startMicros: Int64 = 1_790_812_800 * 1_000_000
    private let micros = Mutex<Int64>(FixtureClock.startMicros)

    /// Moves the clock to `hour`:00 UTC of history day `day` (never backwards).
    func set(day: Int, hour: Int) {
        let target = Self.startMicros + (Int64(day) * 86_400 + Int64(hour) * 3_600) * 1_000_000
        micros.withLock { $0 = max($0, target) }
    }

    /// The time the next reading will be near, without taking a reading.
    func peek() -> Instant { Instant(unixMicros: micros.withLock { $0 }) }

    func now() -> Instant {
        micros.withLock { value in
            value += 240 * 1_000_000
            return Instant(unixMicros: value)
        }
    }
}

/// The fixture's draws (the generator itself is TestSupport's: the same sequence as ever).
extension SplitMix64 {
    /// True with probability `percent` / 100.
    mutating func chance(_ percent: Int) -> Bool { Int(next() % 100) < percent }

    mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }
}

/// The calendar day `offset` days after 2026-10-01 (the history stays within October to December).
func fixtureDate(_ offset: Int) -> CalendarDate {
    let lengths = [31, 30, 31]
    var day = offset
    var month = 10
    while day >= lengths[month - 10] {
        day -= lengths[month - 10]
        month += 1
    }
    return CalendarDate(year: 2026, month: month, day: day + 1)!
}

/// The workflow of the fixture: backlog → to do → doing (WIP 3) → review (read-only) → done, and
/// canceled. Starting needs an estimate; submitting is for an assignee; accepting needs one approval by a
/// project manager or qa, and a rejection sends the task back to doing; only project managers reopen.
func fixtureWorkflow(withBlocked: Bool = false) -> WorkflowDefinition {
    var states = [
        StateDefinition(id: "backlog", name: "Backlog", category: .backlog, position: 0, isInitial: true),
        StateDefinition(id: "todo", name: "To do", category: .unstarted, position: 1),
        StateDefinition(id: "doing", name: "Doing", category: .started, position: 2, wipLimit: 3),
        StateDefinition(id: "review", name: "In review", category: .started, position: 3, isReadOnly: true),
        StateDefinition(id: "done", name: "Done", category: .completed, position: 4),
        StateDefinition(id: "canceled", name: "Canceled", category: .canceled, position: 5),
    ]
    var transitions = [
        TransitionDefinition(id: "plan", from: .state("backlog"), to: "todo"),
        TransitionDefinition(id: "unplan", from: .state("todo"), to: "backlog"),
        TransitionDefinition(id: "start", from: .state("todo"), to: "doing", requiredFields: [.estimate]),
        TransitionDefinition(id: "back", from: .state("doing"), to: "todo"),
        TransitionDefinition(id: "submit", from: .state("doing"), to: "review", actorRule: .assignee),
        TransitionDefinition(
            id: "accept", from: .state("review"), to: "done",
            approval: ApprovalPolicy(approverRoles: [.projectManager], approverMembers: ["qa"], mode: .any, stateOnReject: "doing")),
        TransitionDefinition(id: "reopen", from: .state("done"), to: "todo", allowedRoles: [.projectManager]),
        TransitionDefinition(id: "cancel", from: .any, to: "canceled", allowedRoles: [.projectManager]),
    ]
    if withBlocked {
        // Version 2 adds a Blocked column between Doing and In review, and approvals that lapse after two days.
        if let accept = transitions.firstIndex(where: { $0.id == "accept" }) { transitions[accept].approval?.expiresAfterSeconds = 2 * 86_400 }
        states.insert(StateDefinition(id: "blocked", name: "Blocked", category: .started, position: 3, wipLimit: 2), at: 3)
        for index in states.indices where states[index].position >= 3 && states[index].id != "blocked" { states[index].position += 1 }
        transitions.append(TransitionDefinition(id: "block", from: .state("doing"), to: "blocked"))
        transitions.append(TransitionDefinition(id: "unblock", from: .state("blocked"), to: "doing"))
    }
    return WorkflowDefinition(mode: .enforced, states: states, transitions: transitions)
}

/// Drives the real `CommandService` through a month of work in workspace `acme` (2026-10-01 to
/// 2026-10-30), deterministically: three projects (OPS with a hard WIP limit, WEB with a soft one that
/// runs over and a workflow version 2 pinned mid-way, DATA started later, archived and restored), ten
/// members with every workspace role and several project roles (a contractor who leaves, a guest who is
/// promoted, a CI bot and the scheduler as services), ~50 tasks created, edited, assigned, estimated,
/// moved, reordered, approved, rejected, expired and withdrawn, completed, reopened, canceled, deleted and
/// restored, comments added, edited, deleted and restored, due dates of which some pass, and reminder
/// rules that fire.
///
/// Randomness comes from a seeded generator, so the same history is built on every run; commands the
/// domain refuses (a full column, a rule not met) leave no event and are refused on every run too.
struct FixtureHistory {
    let service: CommandService
    let clock: FixtureClock
    private var random = SplitMix64(seed: 20_261_001)
    /// Tasks in creation order, with their project.
    private(set) var tasks: [(id: TaskID, project: ProjectID)] = []
    private var commentCount = 0
    private var decisionCount = 0
    /// Whether the contractor `temp` is a member (days 1 to 18).
    private var isTempHere = false
    /// Refused commands by error code (kept for the builder's own sanity checks).
    private(set) var refusals: [String: Int] = [:]

    /// How many days the history spans.
    static let days = 30

    static let members: [NewMember] = [
        NewMember(id: "pm", displayName: "Priya Patel", email: "priya@acme.test"),
        NewMember(id: "dev", displayName: "Dan Dev", email: "dan@acme.test"),
        NewMember(id: "dev2", displayName: "Dora Diaz", email: "dora@acme.test"),
        NewMember(id: "qa", displayName: "Quinn Quality", email: "quinn@acme.test"),
        NewMember(id: "ux", displayName: "Uma Designer", email: "uma@partner.test", role: .guest),
        NewMember(id: "audit", displayName: "Audrey Auditor", email: "audrey@acme.test", role: .auditor),
        NewMember(id: "ci", displayName: "CI bot", email: "ci@acme.test", kind: .service),
        NewMember(id: "scheduler", displayName: "Scheduler", email: "scheduler@acme.test", kind: .service),
    ]

    init(service: CommandService, clock: FixtureClock) {
        self.service = service
        self.clock = clock
    }

    /// Builds the whole history into a fresh log.
    static func build(log: EventLog) async throws -> FixtureHistory {
        let clock = FixtureClock()
        let service = try CommandService(log: log, configuration: .init(clock: { clock.now() }))
        var history = FixtureHistory(service: service, clock: clock)
        try await history.run()
        return history
    }

    // MARK: The story

    private mutating func run() async throws {
        try await setUp()
        for day in 0..<Self.days {
            let weekday = (day + 3) % 7  // 0 = Monday; day 0 is a Thursday
            let isWeekend = weekday >= 5
            clock.set(day: day, hour: isWeekend ? 11 : 8)
            try await scripted(day: day)
            if isWeekend { continue }
            clock.set(day: day, hour: 7)
            try await fireReminders()
            try await createTasks(day: day)
            try await work(day: day)
        }
    }

    private mutating func setUp() async throws {
        clock.set(day: 0, hour: 8)
        try await must(
            WorkspaceCommand.create(
                NewWorkspace(
                    id: "acme", slug: "acme", name: "Acme", timeZone: "UTC",
                    founder: NewMember(id: "admin", displayName: "Ada Admin", email: "ada@acme.test"))), by: "admin")
        for member in Self.members { try await must(WorkspaceCommand.addMember(member), by: "admin") }
        try await mustRun(WorkflowCommand(workflow: "delivery", .create(name: "Delivery", definition: fixtureWorkflow())), by: "admin")
        let pin = WorkflowPin(workflow: "delivery", version: 1)
        try await mustRun(
            ProjectCommand(
                project: "ops",
                .create(
                    NewProject(
                        key: "OPS", name: "Operations", description: "Keeps the lights on", lead: "pm", startDate: fixtureDate(0),
                        targetDate: fixtureDate(34), workflow: pin, wipEnforcement: .hard))), by: "pm")
        try await mustRun(
            ProjectCommand(
                project: "web",
                .create(
                    NewProject(
                        key: "WEB", name: "Website relaunch", lead: "pm", startDate: fixtureDate(0), targetDate: fixtureDate(27),
                        workflow: pin, wipEnforcement: .soft))), by: "pm")
        for (member, role) in [("dev", ProjectRole.member), ("dev2", .member), ("qa", .member), ("ci", .member)] {
            try await mustRun(ProjectCommand(project: "ops", .addMember(MemberID(member), role: role)), by: "pm")
        }
        for (member, role) in [("dev", ProjectRole.member), ("dev2", .member), ("qa", .member), ("ux", .viewer)] {
            try await mustRun(ProjectCommand(project: "web", .addMember(MemberID(member), role: role)), by: "pm")
        }
        // Tasks may carry only the labels their project defines.
        try await defineLabels(["infra", "security", "cost"], in: "ops", by: "pm")
        try await defineLabels(["design", "content", "seo"], in: "web", by: "pm")
    }

    private mutating func defineLabels(_ names: [String], in project: ProjectID, by member: MemberID) async throws {
        for (index, name) in names.enumerated() {
            let color = ["#d73a4a", "#0e8a16", "#1d76db"][index % 3]
            try await mustRun(ProjectCommand(project: project, .createLabel(name: name, color: color)), by: member)
        }
    }

    /// One-off events on given days.
    private mutating func scripted(day: Int) async throws {
        switch day {
        case 1:
            try await must(WorkspaceCommand.addMember(NewMember(id: "temp", displayName: "Tom Temp", email: "tom@agency.test")), by: "admin")
            try await mustRun(ProjectCommand(project: "web", .addMember("temp", role: .member)), by: "pm")
            isTempHere = true
        case 2:
            try await reminder(.create(ReminderRuleDefinition(name: "Overdue", trigger: .overdue)))
        case 4:
            try await must(WorkspaceCommand.changeSettings(timeZone: .set("Europe/Berlin")), by: "admin")
        case 9:
            try await reminder(
                .change(
                    ReminderRuleDefinition(name: "Overdue tasks", trigger: .overdue, recipients: ReminderRecipients(assignees: true, author: true))))
        case 20:
            try await reminder(.disable)
        case 22:
            try await reminder(.enable)
        case 25:
            // The DATA pilot pauses for a day: archived, then restored.
            try await mustRun(ProjectCommand(project: "data", .archive), by: "dev2")
        case 26:
            try await mustRun(ProjectCommand(project: "data", .restore), by: "dev2")
        case 7:
            try await mustRun(
                ProjectCommand(project: "ops", .update(ProjectChanges(description: .set("Keeps the lights on, and the pagers quiet")))), by: "pm")
        case 8:
            // DATA starts late, with dev2 as its project manager (members may create projects).
            try await mustRun(
                ProjectCommand(
                    project: "data",
                    .create(
                        NewProject(
                            key: "DATA", name: "Data platform", lead: "dev2", startDate: fixtureDate(8), targetDate: fixtureDate(40),
                            workflow: WorkflowPin(workflow: "delivery", version: 1), wipEnforcement: .hard))), by: "dev2")
            for member in ["dev", "qa"] {
                try await mustRun(ProjectCommand(project: "data", .addMember(MemberID(member), role: .member)), by: "dev2")
            }
            try await defineLabels(["infra", "security", "cost"], in: "data", by: "dev2")
        case 11:
            try await mustRun(WorkflowCommand(workflow: "delivery", .publish(fixtureWorkflow(withBlocked: true))), by: "admin")
            try await mustRun(ProjectCommand(project: "web", .pinWorkflow(WorkflowPin(workflow: "delivery", version: 2))), by: "pm")
        case 13:
            try await must(WorkspaceCommand.changeMemberRole("ux", to: .member), by: "admin")
            try await mustRun(ProjectCommand(project: "web", .changeMemberRole("ux", to: .member)), by: "pm")
        case 19:
            for task in tasks where task.project == "web" {
                _ = try await attempt(TaskCommand(task: task.id, .unassign("temp")), by: "pm")
            }
            try await mustRun(ProjectCommand(project: "web", .removeMember("temp")), by: "pm")
            try await must(WorkspaceCommand.removeMember("temp"), by: "admin")
            isTempHere = false
        default:
            break
        }
        try await scriptedTaskEvents(day: day)
    }

    /// One-off task events: the history's corner cases. Refusals are tolerated (a task may sit in a
    /// read-only column that day); `historyCoversTheCornerCases` checks that each kind happened somewhere.
    private mutating func scriptedTaskEvents(day: Int) async throws {
        try await approvalStory(day: day)
        switch day {
        case 3:
            try await attempt(TaskCommand(task: "ops-1", .edit(title: .set("Rotate the TLS certificates before they expire"))), by: "pm")
        case 6:
            // Deleted by mistake and restored the same afternoon.
            try await attempt(TaskCommand(task: "ops-3", .delete), by: "pm")
            clock.set(day: day, hour: 15)
            try await attempt(TaskCommand(task: "ops-3", .restore), by: "pm")
            try await attempt(TaskCommand(task: "ops-2", .setLabels(["security", "urgent"])), by: "dev")
            try await attempt(TaskCommand(task: "ops-2", .setLabels(["security"])), by: "dev")
        case 12:
            try await attempt(TaskCommand(task: "ops-3", .edit(description: .set("Budget approved on the 12th; see the finance thread."))), by: "pm")
        case 14:
            // A duplicate, deleted for good.
            try await attempt(TaskCommand(task: "ops-9", .delete), by: "pm")
        case 16:
            try await attempt(TaskCommand(task: "ops-12", .setPriority(.urgent)), by: "pm")
            try await attempt(TaskCommand(task: "ops-12", .setDates(start: fixtureDate(16), due: fixtureDate(18))), by: "pm")
        case 21:
            // Reopen the first done task PM can reach: the customer found a bug.
            for entry in tasks where entry.project != "data" {
                guard let state = try await service.task(entry.id), state.category == .completed, !state.isDeleted else { continue }
                guard try await attempt(TaskCommand(task: entry.id, .move(to: "todo")), by: "pm") else { continue }
                try await attempt(
                    TaskCommand(task: entry.id, .addComment(nextComment(), body: "Reopened: the customer still sees the old page.")), by: "pm")
                break
            }
        case 17, 18:
            // A project manager removes an off-topic comment, and puts it back the next day.
            for entry in tasks where entry.project == "ops" {
                let action: TaskAction = day == 17 ? .deleteComment("c3") : .restoreComment("c3")
                if try await attempt(TaskCommand(task: entry.id, action), by: "pm") { break }
            }
        case 24:
            try await attempt(TaskCommand(task: "web-10", .move(to: "canceled", reason: "Not in scope for the relaunch")), by: "pm")
            // A requester withdraws a pending request.
            for entry in tasks {
                guard let state = try await service.task(entry.id), let pending = state.pendingApproval else { continue }
                let withdrawn = TaskCommand(task: entry.id, .cancelApproval(pending.id, reason: "Found a bug while writing the release notes"))
                if try await attempt(withdrawn, by: pending.requester) { break }
            }
        default:
            break
        }
    }

    /// One task whose approvals take every path, whatever the random work does: requested, expired,
    /// requested again and rejected, withdrawn by its requester, and finally granted. The task stays out
    /// of the random work (it is not in `tasks`).
    private mutating func approvalStory(day: Int) async throws {
        let kit: TaskID = "web-kit"
        func request() async throws {
            try await mustRun(TaskCommand(task: kit, .move(to: "done", reason: "Ready for the press day")), by: "dev")
        }
        func pending() async throws -> ApprovalID {
            guard let id = try await service.task(kit)?.pendingApproval?.id else {
                throw FixtureError("\(kit) has no pending approval on day \(day)")
            }
            return id
        }
        switch day {
        case 12:
            clock.set(day: day, hour: 9)
            let new = NewTask(
                title: "Press kit", priority: .high, assignees: ["dev"], dueDate: fixtureDate(19), estimate: Estimate(amount: 2, unit: .points))
            try await mustRun(TaskCommand(task: kit, .create(new)), project: "web", by: "pm")
            try await mustRun(TaskCommand(task: kit, .move(to: "todo")), by: "pm")
            try await mustRun(TaskCommand(task: kit, .move(to: "doing")), by: "dev")
            try await mustRun(TaskCommand(task: kit, .move(to: "review")), by: "dev")
            try await request()
        case 15:
            // Nobody decided within two days.
            clock.set(day: day, hour: 9)
            try await mustRun(TaskCommand(task: kit, .expireApproval(try await pending())), by: "pm")
            try await request()
        case 16:
            clock.set(day: day, hour: 9)
            try await mustRun(TaskCommand(task: kit, .decideApproval(try await pending(), .reject, comment: "The logo files are missing")), by: "qa")
        case 17:
            clock.set(day: day, hour: 9)
            try await mustRun(TaskCommand(task: kit, .move(to: "review")), by: "dev")
            try await request()
            try await mustRun(TaskCommand(task: kit, .cancelApproval(try await pending(), reason: "Wrong logo version attached")), by: "dev")
        case 19:
            clock.set(day: day, hour: 9)
            try await request()
            try await mustRun(TaskCommand(task: kit, .decideApproval(try await pending(), .approve, comment: "Ship it")), by: "pm")
        default:
            break
        }
    }

    private static let titles: [ProjectID: [String]] = [
        "ops": [
            "Rotate TLS certificates", "Upgrade PostgreSQL to 17", "Buy a second backup disk", "Alert on disk usage above 80%",
            "Document the on-call rota", "Patch the VPN gateway", "Move DNS to the new provider", "Clean up old snapshots",
            "Duplicate: rotate certificates", "Add a status page", "Replace the old CDN", "Tune nginx worker count",
            "Audit SSH keys", "Automate log rotation", "Fix failing nightly backup", "Load test the API gateway",
            "Write the incident template", "Retire the staging VM", "Rotate the database passwords", "Cost report for October",
            "Restore test from backups", "Upgrade the Kubernetes nodes",
        ],
        "web": [
            "New landing page", "Pricing page copy", "Cookie banner", "Blog migration", "Image compression in the build",
            "Accessibility audit", "Contact form spam filter", "Search results page", "Localise the footer",
            "Dark mode styles", "Careers page", "Newsletter signup", "404 page", "Sitemap and robots.txt",
            "Analytics without cookies", "Speed up the home page", "Customer stories section", "Fix mobile menu",
            "Legal notice update", "Font loading",
        ],
        "data": [
            "Nightly export to the warehouse", "Schema for events", "Dashboard for sales", "Deduplicate customers",
            "Backfill October orders", "Data retention policy", "Churn model features", "Anonymise test data",
        ],
    ]

    private mutating func createTasks(day: Int) async throws {
        var plan: [(ProjectID, MemberID)] = [("ops", "pm"), ("web", "pm")]
        if day >= 8, day <= 22 { plan.append(("data", "dev2")) }
        if day > 22 { plan = [("ops", "dev"), ("web", "ux")] }
        // Mondays bring a second OPS ticket (the weekend's pages).
        if (day + 3) % 7 == 0 { plan.append(("ops", "pm")) }
        for (project, author) in plan {
            let existing = tasks.filter { $0.project == project }.count
            guard let titles = Self.titles[project], existing < titles.count, random.chance(project == "data" ? 55 : 90) else { continue }
            let id = TaskID(project.rawValue + "-" + String(existing + 1))
            let assignees: [MemberID] = random.chance(60) ? [random.pick(developers(of: project))] : []
            let estimate = random.chance(50) ? Estimate(amount: random.pick([1, 2, 3, 5, 8]), unit: .points) : nil
            let due = random.chance(55) ? fixtureDate(day + random.pick([3, 5, 7, 10, 14])) : nil
            let priority = random.pick([Priority.unset, .low, .medium, .medium, .high])
            let labels = random.chance(40) ? [random.pick(project == "web" ? ["design", "content", "seo"] : ["infra", "security", "cost"])] : []
            let rank = random.chance(70) ? "m" + String(existing + 1, radix: 36) : nil
            try await mustRun(
                TaskCommand(
                    task: id,
                    .create(
                        NewTask(
                            title: titles[existing], priority: priority, assignees: assignees, labels: labels,
                            dueDate: due, estimate: estimate, rank: rank))),
                project: project, by: author)
            tasks.append((id, project))
        }
    }

    private func developers(of project: ProjectID) -> [MemberID] {
        switch project.rawValue {
        case "web": isTempHere ? ["dev", "dev2", "ux", "temp"] : ["dev", "dev2", "ux"]
        case "data": ["dev", "dev2"]
        default: ["dev", "dev2", "qa"]
        }
    }

    /// A day of ordinary work on every live task.
    private mutating func work(day: Int) async throws {
        clock.set(day: day, hour: 10)
        for (id, project) in tasks {
            guard let task = try await service.task(id), !task.isDeleted else { continue }
            // The contractor's tasks wait for someone else once they have left.
            let assignee = task.assignees.first { $0 != "temp" || isTempHere }
            let worker = assignee ?? "pm"
            switch task.state.rawValue {
            case "backlog":
                if random.chance(30) { try await attempt(TaskCommand(task: id, .move(to: "todo")), by: project == "data" ? "dev2" : "pm") }
            case "todo":
                if assignee == nil, random.chance(70) {
                    try await attempt(TaskCommand(task: id, .assign(random.pick(developers(of: project)))), by: project == "data" ? "dev2" : "pm")
                    continue
                }
                if task.estimate == nil, random.chance(60) {
                    try await attempt(
                        TaskCommand(task: id, .setEstimate(Estimate(amount: random.pick([1, 2, 3, 5, 8, 13]), unit: .points))), by: worker)
                    continue
                }
                if random.chance(35), let assignee {
                    let rank = random.chance(50) ? "c" + String(day, radix: 36) + String(task.number, radix: 36) : nil
                    try await attempt(TaskCommand(task: id, .move(to: "doing", rank: rank)), by: assignee)
                }
            case "doing":
                if random.chance(20) {
                    try await attempt(
                        TaskCommand(task: id, .addComment(nextComment(), body: random.pick(Self.progressNotes))), by: worker)
                }
                if random.chance(12) {
                    try await attempt(
                        TaskCommand(task: id, .reorder(rank: "a" + String(day, radix: 36) + String(task.number, radix: 36))), by: worker)
                }
                if project == "web", task.workflow.version == 2, random.chance(15) {
                    try await attempt(TaskCommand(task: id, .move(to: "blocked")), by: worker)
                } else if random.chance(35), let assignee {
                    try await attempt(TaskCommand(task: id, .move(to: "review")), by: assignee)
                }
            case "blocked":
                if random.chance(50) { try await attempt(TaskCommand(task: id, .move(to: "doing")), by: worker) }
            case "review":
                if let pending = task.pendingApproval, let expiresAt = pending.expiresAt, expiresAt <= clock.peek() {
                    // The scheduler's job, done by whoever looks at the board first.
                    try await attempt(TaskCommand(task: id, .expireApproval(pending.id)), by: "pm")
                } else if let pending = task.pendingApproval {
                    // The website's approvers are at a conference from day 20 to 23: its requests wait, and lapse.
                    if project == "web", (20...23).contains(day) { continue }
                    guard random.chance(70) else { continue }
                    let approver: MemberID = pending.requester == "qa" || random.chance(50) ? "pm" : "qa"
                    // Every fifth decision (the third, the eighth, …) sends the work back.
                    decisionCount += 1
                    let verdict: ApprovalVerdict = decisionCount % 5 == 3 ? .reject : .approve
                    let comment = verdict == .approve ? "Looks good" : "Needs another pass: the edge cases are missing"
                    try await attempt(TaskCommand(task: id, .decideApproval(pending.id, verdict, comment: comment)), by: approver)
                    if project == "ops", verdict == .approve, random.chance(40) {
                        try await attempt(
                            TaskCommand(task: id, .addComment(nextComment(), body: "Deployed by pipeline #\(day * 7 + task.number)")), by: "ci")
                    }
                } else if random.chance(60), let assignee {
                    try await attempt(TaskCommand(task: id, .move(to: "done", reason: "Ready to ship")), by: assignee)
                }
            default:
                break
            }
        }
        try await chores(day: day)
    }

    private static let progressNotes = [
        "Started on this; first draft by tomorrow.", "Blocked on access to the staging account.", "Halfway there.",
        "Pairing with Quinn on the tests.", "Found a simpler approach.",
    ]

    /// Edits that do not move anything: due dates, priorities, labels, comments and their edits.
    private mutating func chores(day: Int) async throws {
        clock.set(day: day, hour: 15)
        var live: [(id: TaskID, project: ProjectID)] = []
        for entry in tasks where random.chance(12) { live.append(entry) }
        for (id, project) in live {
            guard let task = try await service.task(id), !task.isDeleted, task.category != .completed else { continue }
            let actor: MemberID = project == "data" ? "dev2" : "pm"
            switch random.next() % 6 {
            case 0:
                try await attempt(
                    TaskCommand(task: id, .setDates(start: task.startDate, due: fixtureDate(day + random.pick([-2, 2, 4, 6])))), by: actor)
            case 1:
                try await attempt(TaskCommand(task: id, .setPriority(random.pick([.low, .medium, .high, .urgent]))), by: actor)
            case 2:
                let extra = project == "web" ? "content" : "infra"
                try await attempt(TaskCommand(task: id, .setLabels(Array(Set(task.labels + [extra])).sorted())), by: actor)
            case 3:
                let comment = nextComment()
                let author = random.pick(["dev", "dev2", "qa"].map { MemberID($0) })
                if try await attempt(TaskCommand(task: id, .addComment(comment, body: "Is this still planned for this sprint?")), by: author),
                    random.chance(50)
                {
                    try await attempt(TaskCommand(task: id, .editComment(comment, body: "Is this still planned for this month?")), by: author)
                } else if random.chance(30) {
                    try await attempt(TaskCommand(task: id, .deleteComment(comment)), by: actor)
                }
            case 4:
                if let member = task.assignees.first, task.assignees.count == 1, random.chance(50) {
                    let other = random.pick(developers(of: project).filter { $0 != member })
                    try await attempt(TaskCommand(task: id, .assign(other)), by: actor)
                    try await attempt(TaskCommand(task: id, .unassign(member)), by: actor)
                } else {
                    try await attempt(TaskCommand(task: id, .edit(title: .set(task.title + " (v2)"))), by: actor)
                }
            default:
                let estimate = Estimate(amount: random.pick([2, 3, 5, 8]), unit: .points)
                try await attempt(TaskCommand(task: id, .setEstimate(estimate)), by: actor)
            }
        }
    }

    private mutating func nextComment() -> CommentID {
        commentCount += 1
        return CommentID("c" + String(commentCount))
    }

    // MARK: Reminders

    private func reminder(_ action: ReminderCommand.Action) async throws {
        try await service.execute(ReminderCommand(rule: "overdue", action), metadata: metadata("admin"))
    }

    /// What the scheduler will do: evaluate the rules against every task and append what fires, as
    /// the system acting through the scheduler's service account.
    private func fireReminders() async throws {
        guard let rule = try await service.reminderRule("overdue") else { return }
        var states: [TaskState] = []
        for entry in tasks { if let state = try await service.task(entry.id) { states.append(state) } }
        let fired = ReminderEvaluation.evaluate(rules: [rule], tasks: states, now: clock.now())
        guard !fired.isEmpty else { return }
        let scheduler = CommandMetadata(member: "scheduler", actorKind: .system, origin: .scheduler)
        let proposed = try fired.map { try EventEnvelopeMapping.proposedEvent($0, metadata: scheduler, actorKind: .system) }
        let stream = StreamName.reminder("overdue").rawValue
        let version = service.log.version(of: stream)
        _ = try await service.log.append(AppendRequest(events: proposed, expectations: [stream: version == 0 ? .noStream : .exactly(version)]))
    }

    // MARK: Running commands

    private func metadata(_ member: MemberID) -> CommandMetadata {
        CommandMetadata(member: member, tokenID: "tok-" + member.rawValue, origin: member == "ci" ? .rule : .api)
    }

    private func must(_ command: WorkspaceCommand, by member: MemberID) async throws {
        try await service.execute(command, metadata: metadata(member))
    }

    private func mustRun(_ command: WorkflowCommand, by member: MemberID) async throws {
        try await service.execute(command, metadata: metadata(member))
    }

    private func mustRun(_ command: ProjectCommand, by member: MemberID) async throws {
        try await service.execute(command, metadata: metadata(member))
    }

    private func mustRun(_ command: TaskCommand, project: ProjectID? = nil, by member: MemberID) async throws {
        try await service.execute(command, project: project, metadata: metadata(member))
    }

    /// Runs a command the domain may refuse; returns whether it was accepted. Anything but a domain
    /// refusal (a log error, an undecodable event) fails the build.
    @discardableResult
    private mutating func attempt(_ command: TaskCommand, by member: MemberID) async throws -> Bool {
        do {
            try await service.execute(command, metadata: metadata(member))
            return true
        } catch .domain(let error) {
            refusals[CommandError.domain(error).code, default: 0] += 1
            return false
        } catch .unknownActor {
            refusals["missing-permission", default: 0] += 1
            return false
        }
    }
}
