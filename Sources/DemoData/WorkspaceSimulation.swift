import CSupport
import CommandService
import EventLog
import Foundation
import Synchronization
import Workflow

#if canImport(Glibc)
    import Glibc
#endif

/// One workspace's generated history: sets the company up, then plays working days of activity until
/// the log holds its share of events. Not `Sendable`: one task owns it, and its commands run one at a
/// time (see `DemoGenerator` for why that is what makes the bytes reproducible).
///
/// The command service bulk-loads (`BulkLoad`): each command is decided at once and its events are
/// appended with the next group. A group ends after `commandsPerBatch` commands, or before the
/// simulated clock crosses into the next `batchWindowSeconds` window; it is handed over before the
/// clock moves on, so its batch is committed at its last command's time.
///
/// Never iterates a `Dictionary` or a `Set` to decide anything: their order changes from one process to
/// the next (hash seeding), which would change the history. Ordered arrays hold everything it picks from.
final class WorkspaceSimulation {
    private let name: String
    private let log: EventLog
    private let service: CommandService
    private let clock: SimulatedClock
    private let documents: DocumentWriter
    private let progress: (@Sendable (String, UInt64) -> Void)?
    private var random: DemoRandom
    /// Events to stop at.
    private let target: UInt64
    private let tasksTarget: Int
    private let workspaceDirectory: String
    private let batchWindowMicros: Int64
    /// The last event decided (the log's head plus the staged events).
    private var head: UInt64 = 0

    private var report: DemoWorkspaceReport
    private var people: [DemoCompany.Person] = []
    /// Per project (index into `DemoCompany.projects`): its manager, the members who do the work, its viewers.
    private var managers: [MemberID] = []
    private var workers: [[MemberID]] = []
    private var viewers: [[MemberID]] = []
    private var labels: [[String]] = []
    private var milestones: [[MilestoneID]] = []
    /// The sprint in progress per project (0: none).
    private var sprint: [Int] = []
    /// Tasks in heat order: the front gets most of the activity (see `DemoRandom.skewed`).
    private var hot: [TaskID] = []
    private var taskProject: [TaskID: Int] = [:]
    private var taskNumbers: [Int] = []
    /// Tasks waiting for an approval decision, oldest first.
    private var pending: [TaskID] = []
    private var comments: [(task: TaskID, comment: CommentID, author: MemberID)] = []
    private var documentIDs: [(document: DocumentID, uploader: MemberID)] = []
    private var deleted: [TaskID] = []
    private var commentCount = 0
    private var workingSeconds = 0.0
    private var lastScheduleDay = -1
    private var lastSprintDay = 0

    init(
        dataDirectory: String, name: String, seed: UInt64, events: Int, configuration: DemoConfiguration,
        progress: (@Sendable (String, UInt64) -> Void)?
    ) throws(DemoError) {
        self.name = name
        workspaceDirectory = dataDirectory + "/workspaces/" + name
        batchWindowMicros = Int64(configuration.batchWindowSeconds) * 1_000_000
        self.progress = progress
        random = DemoRandom(seed: seed)
        target = UInt64(events)
        tasksTarget = max(40, events / 40)
        // Monday 2026-06-01, 00:00 UTC.
        let clock = SimulatedClock(startMidnight: 1_780_272_000_000_000, days: configuration.days)
        self.clock = clock
        var options = EventLogOptions()
        options.durability = configuration.durability
        options.clock = { Timestamp(unixMicros: clock.commitTime) }
        do throws(EventLogError) {
            log = try EventLog.open(dataDirectory: dataDirectory, workspace: name, options: options)
        } catch {
            throw .log(workspace: name, error)
        }
        let ids = DemoEventIDs(seed: seed)
        // The whole company's states stay cached (about 170 MB of them for 1M events): a bulk load's
        // batches are large, so a state read back from the log costs a decode of whole batches.
        let settings = CommandService.Configuration(
            cacheBytesMax: max(64 << 20, events * 512), clock: { clock.now }, streamRateLimit: .unlimited, eventIDs: { ids.next($0) },
            bulkLoad: BulkLoad(commandsMax: configuration.commandsPerBatch))
        do throws(CommandError) {
            service = try CommandService(log: log, configuration: settings)
        } catch {
            throw .command(workspace: name, "open", error)
        }
        do throws(DocumentStoreError) {
            // Synced with everything else at the end (see `syncWorkspace`), not twice per document.
            documents = DocumentWriter(try DocumentStore(workspaceDirectory: workspaceDirectory, durability: configuration.durability))
        } catch {
            throw .documents(workspace: name, "\(error)")
        }
        report = DemoWorkspaceReport(name: name, events: 0, commands: 0, refused: 0, refusals: [:], accessDenied: 0, tasks: 0, scheduleRuns: 0)
    }

    func run() async throws(DemoError) -> DemoWorkspaceReport {
        do throws(DemoError) {
            try await setUp()
            var reported: UInt64 = 0
            head = await service.decidedHead
            while head < target {
                try await advanceClock()
                try await daily()
                head = await service.decidedHead
                try await act()
                head = await service.decidedHead
                if head >= reported + 10_000 {
                    reported = head
                    progress?(name, reported)
                }
            }
            try await flush()
            if let failure = documents.finish() { throw DemoError.documents(workspace: name, "\(failure)") }
        } catch {
            _ = documents.finish()
            await log.close()
            throw error
        }
        report.events = log.head.position
        await log.close()
        syncWorkspace()
        return report
    }

    /// Appends what the service has staged.
    private func flush() async throws(DemoError) {
        do throws(CommandError) {
            try await service.flush()
        } catch {
            throw .command(workspace: name, "append", error)
        }
    }

    // MARK: Issuing commands

    private func metadata(_ member: MemberID) -> CommandMetadata {
        CommandMetadata(member: member, requestID: "req-\(report.commands)", origin: .api)
    }

    /// Runs one command. A domain refusal is part of a believable history (a full column, a missing
    /// permission, a rule the actor forgot): counted, and a permission refusal is recorded as the API
    /// records it (`AccessDenied` on the security stream). Anything else is a failure.
    @discardableResult
    private func issue(
        _ what: String, stream: StreamName, as member: MemberID,
        _ body: (CommandMetadata) async throws(CommandError) -> CommandOutcome
    ) async throws(DemoError) -> CommandOutcome? {
        report.commands += 1
        let metadata = metadata(member)
        do throws(CommandError) {
            return try await body(metadata)
        } catch {
            guard case .domain = error else { throw .command(workspace: name, what, error) }
            report.refused += 1
            report.refusals[error.code, default: 0] += 1
            do throws(CommandError) {
                if try await service.recordAccessDenied(error, command: what, stream: stream, metadata: metadata) != nil {
                    report.accessDenied += 1
                }
            } catch {
                throw .command(workspace: name, "record AccessDenied", error)
            }
            return nil
        }
    }

    @discardableResult
    private func run(_ command: TaskCommand, project: ProjectID? = nil, as member: MemberID, _ what: String) async throws(DemoError)
        -> CommandOutcome?
    {
        try await issue(what, stream: .task(command.task), as: member) { (metadata) throws(CommandError) in
            try await service.execute(command, project: project, metadata: metadata)
        }
    }

    private func state(of id: TaskID) async throws(DemoError) -> TaskState? {
        do throws(CommandError) {
            return try await service.task(id)
        } catch {
            throw .command(workspace: name, "load \(id)", error)
        }
    }

    // MARK: Time

    /// Moves the clock by an exponential gap whose mean spreads the remaining events over the remaining
    /// working time, so the history spans the configured days whatever the events per command turn out to be.
    ///
    /// Crossing into the next batch window first hands what is staged to the log, committed at the current (its last
    /// command's) time.
    private func advanceClock() async throws(DemoError) {
        let head = Double(self.head)
        let remaining = max(1, Double(target) - head)
        let perCommand = max(1, head / Double(max(1, report.commands)))
        let mean = max(0, clock.workingSecondsTotal - workingSeconds) / remaining * perCommand
        workingSeconds = min(clock.workingSecondsTotal, workingSeconds + random.exponential(mean: mean))
        if clock.next(workingSeconds: workingSeconds) / batchWindowMicros != clock.nowMicros / batchWindowMicros {
            do throws(CommandError) {
                try await service.handOver()
            } catch {
                throw .command(workspace: name, "append", error)
            }
        }
        clock.set(workingSeconds: workingSeconds)
    }

    /// Once per working day: the scheduler (reminders, overdue tasks, expired approvals) and, every two
    /// weeks, the sprint change.
    private func daily() async throws(DemoError) {
        let day = clock.calendarDay
        guard day != lastScheduleDay else { return }
        lastScheduleDay = day
        do throws(CommandError) {
            try await service.runSchedules()
            report.scheduleRuns += 1
        } catch {
            throw .command(workspace: name, "runSchedules", error)
        }
        if day - lastSprintDay >= 14 {
            lastSprintDay = day
            for (index, project) in DemoCompany.projects.enumerated() where project.hasSprints {
                try await nextSprint(index)
            }
        }
    }
}

// MARK: - Setting the company up

extension WorkspaceSimulation {
    private func setUp() async throws(DemoError) {
        let companies = ["Northwind Labs", "Blue Harbor", "Kestrel Systems", "Juniper & Co", "Atlas Freight", "Orchid Health"]
        let company = name == "demo" ? "Demo Co" : random.pick(companies)
        let founder = DemoCompany.founders[0]
        try await issue("WorkspaceCommand.create", stream: .workspace, as: founder.id) { (metadata) throws(CommandError) in
            try await service.execute(
                WorkspaceCommand.create(
                    NewWorkspace(
                        id: WorkspaceID(name), slug: name, name: company,
                        founder: NewMember(id: founder.id, displayName: founder.name, email: email(founder.id), role: .admin))),
                metadata: metadata)
        }
        people = DemoCompany.founders
        let staff = min(400, 8 + tasksTarget / 50)
        for index in 0..<staff {
            let first = DemoCompany.firstNames[index % DemoCompany.firstNames.count]
            // 7·i + i/24 modulo 20 with i modulo 24 gives 480 distinct pairs: unique ids up to the 400 cap.
            let last = DemoCompany.lastNames[(7 * index + index / DemoCompany.firstNames.count) % DemoCompany.lastNames.count]
            people.append(DemoCompany.Person(id: MemberID((first + "-" + last).lowercased()), name: first + " " + last, role: .member))
        }
        for person in people.dropFirst() {
            try await issue("WorkspaceCommand.addMember", stream: .workspace, as: founder.id) { (metadata) throws(CommandError) in
                try await service.execute(
                    WorkspaceCommand.addMember(
                        NewMember(id: person.id, displayName: person.name, email: email(person.id), kind: person.kind, role: person.role)),
                    metadata: metadata)
            }
        }
        for workflow in DemoCompany.workflows {
            try await issue("WorkflowCommand.create", stream: .workflow(workflow.id), as: founder.id) { (metadata) throws(CommandError) in
                try await service.execute(
                    WorkflowCommand(workflow: workflow.id, .create(name: workflow.name, definition: workflow.definition)), metadata: metadata)
            }
        }
        let staffers = Array(people.dropFirst(DemoCompany.founders.count))
        for (index, project) in DemoCompany.projects.enumerated() {
            let manager = staffers[index % staffers.count].id
            managers.append(manager)
            var team: [MemberID] = [manager]
            var watching: [MemberID] = []
            for (offset, person) in staffers.enumerated() where offset != index % staffers.count {
                if offset % DemoCompany.projects.count == index || random.chance(0.15) {
                    team.append(person.id)
                } else if offset % 7 == index {
                    watching.append(person.id)
                }
            }
            if project.id == "ops" || project.id == "web" { team.insert("lin", at: 1) }
            if project.id == "ops" || project.id == "data" { team.append("ci-bot") }
            if project.id == "web" { watching.append("gus") }
            workers.append(team)
            viewers.append(watching)
            try await issue("ProjectCommand.create", stream: .project(project.id), as: founder.id) { (metadata) throws(CommandError) in
                try await service.execute(
                    ProjectCommand(
                        project: project.id,
                        .create(
                            NewProject(
                                key: project.key, name: project.name, description: DemoText.prose(&random, sentences: 2), lead: manager,
                                startDate: clock.date(plusDays: 0), targetDate: clock.date(plusDays: 120),
                                workflow: WorkflowPin(workflow: project.workflow, version: 1), wipEnforcement: project.wipEnforcement))),
                    metadata: metadata)
            }
            for (member, role) in [(manager, ProjectRole.projectManager)] + team.dropFirst().map({ ($0, ProjectRole.member) })
                + watching.map({ ($0, ProjectRole.viewer) })
            {
                try await issue("ProjectCommand.addMember", stream: .project(project.id), as: founder.id) { (metadata) throws(CommandError) in
                    try await service.execute(ProjectCommand(project: project.id, .addMember(member, role: role)), metadata: metadata)
                }
            }
            var projectLabels: [String] = []
            for label in DemoText.labels where random.chance(0.6) || label == "bug" {
                projectLabels.append(label)
                try await issue("ProjectCommand.createLabel", stream: .project(project.id), as: manager) { (metadata) throws(CommandError) in
                    try await service.execute(
                        ProjectCommand(project: project.id, .createLabel(name: label, color: labelColor(label))), metadata: metadata)
                }
            }
            labels.append(projectLabels)
            var marks: [MilestoneID] = []
            for (suffix, title, due) in [("beta", "Beta", 45), ("ga", "General availability", 85)] {
                let id = MilestoneID("m-\(project.id)-\(suffix)")
                marks.append(id)
                try await issue("MilestoneCommand.create", stream: .milestone(id), as: manager) { (metadata) throws(CommandError) in
                    try await service.execute(
                        MilestoneCommand(
                            milestone: id,
                            .create(NewMilestone(kind: .milestone, name: "\(project.name) \(title)", dueDate: clock.date(plusDays: due)))),
                        project: project.id, metadata: metadata)
                }
            }
            milestones.append(marks)
            sprint.append(0)
            taskNumbers.append(0)
            if project.hasSprints { try await nextSprint(index) }
        }
        let rules: [(ReminderRuleID, ReminderRuleDefinition)] = [
            (
                "due-soon",
                ReminderRuleDefinition(
                    name: "Due tomorrow", trigger: .dueWithin(seconds: 86_400), filter: ReminderFilter(priorities: [.high, .urgent]))
            ),
            ("overdue", ReminderRuleDefinition(name: "Overdue", trigger: .overdue, recipients: ReminderRecipients(assignees: true, author: true))),
            (
                "approval-waiting",
                ReminderRuleDefinition(
                    name: "Approval waiting for 2 days", trigger: .approvalPendingLongerThan(seconds: 2 * 86_400),
                    recipients: ReminderRecipients(assignees: false, members: ["ada"]))
            ),
            (
                "stuck-in-progress",
                ReminderRuleDefinition(
                    name: "In progress for 10 days", trigger: .inCategoryLongerThan(category: .started, seconds: 10 * 86_400),
                    filter: ReminderFilter(projects: ["ops", "sup"]))
            ),
        ]
        for (id, rule) in rules {
            try await issue("ReminderCommand.create", stream: .reminder(id), as: founder.id) { (metadata) throws(CommandError) in
                try await service.execute(ReminderCommand(rule: id, .create(rule)), metadata: metadata)
            }
        }
    }

    private func email(_ member: MemberID) -> String { member.rawValue + "@" + name + ".example" }

    private func labelColor(_ label: String) -> String {
        let colors = ["#d73a4a", "#0e8a16", "#1d76db", "#fbca04", "#5319e7", "#b60205", "#006b75", "#c5def5"]
        return colors[label.utf8.reduce(0) { ($0 &* 31 &+ Int($1)) & 0xFFFF } % colors.count]
    }

    /// Closes the project's sprint (carrying unfinished work over) and starts the next one.
    private func nextSprint(_ index: Int) async throws(DemoError) {
        let project = DemoCompany.projects[index]
        let manager = managers[index]
        let next = sprint[index] + 1
        let id = MilestoneID("s-\(project.id)-\(next)")
        try await issue("MilestoneCommand.create", stream: .milestone(id), as: manager) { (metadata) throws(CommandError) in
            try await service.execute(
                MilestoneCommand(
                    milestone: id,
                    .create(
                        NewMilestone(
                            kind: .sprint, name: "\(project.key) sprint \(next)", startDate: clock.date(plusDays: 0),
                            dueDate: clock.date(plusDays: 13)))),
                project: project.id, metadata: metadata)
        }
        if sprint[index] > 0 {
            let current = MilestoneID("s-\(project.id)-\(sprint[index])")
            try await issue("MilestoneCommand.close", stream: .milestone(current), as: manager) { (metadata) throws(CommandError) in
                try await service.execute(MilestoneCommand(milestone: current, .close(carryOverTo: id)), metadata: metadata)
            }
        }
        try await issue("MilestoneCommand.start", stream: .milestone(id), as: manager) { (metadata) throws(CommandError) in
            try await service.execute(MilestoneCommand(milestone: id, .start), metadata: metadata)
        }
        sprint[index] = next
    }
}

// MARK: - A working day's activity

extension WorkspaceSimulation {
    private enum Action: CaseIterable {
        case move, comment, decide, editComment, deleteComment, edit, assign, unassign, priority, dates, estimate, labels,
            reorder, milestone, document, documentVersion, denied, archive, delete, restore
    }

    /// One thing someone does. New tasks keep pace with the history (so the last day has new work too);
    /// otherwise a weighted pick, moves and comments dominating as in any tracker.
    private func act() async throws(DemoError) {
        let progressShare = Double(head) / Double(target)
        if hot.count < 10 || Double(report.tasks) < Double(tasksTarget) * min(1, progressShare * 1.05 + 0.02) {
            try await createTask()
            return
        }
        let weights: [Action: Double] = [
            .move: 30, .comment: 24, .decide: pending.isEmpty ? 0 : 9, .editComment: 3, .deleteComment: 0.5, .edit: 4, .assign: 3,
            .unassign: 2, .priority: 3, .dates: 3, .estimate: 2, .labels: 3, .reorder: 3, .milestone: 1.5, .document: 1.2,
            .documentVersion: documentIDs.isEmpty ? 0 : 0.4, .denied: 0.35, .archive: 0.4, .delete: 0.15, .restore: deleted.isEmpty ? 0 : 0.1,
        ]
        let actions = Action.allCases
        var action = actions[random.weighted(actions.map { weights[$0] ?? 0 })]
        switch action {
        case .decide:
            try await decideApproval()
            return
        case .editComment, .deleteComment:
            try await changeComment(delete: action == .deleteComment)
            return
        case .documentVersion:
            try await addDocumentVersion()
            return
        case .denied:
            try await deniedAttempt()
            return
        case .restore:
            let id = deleted.removeFirst()
            guard let project = taskProject[id] else { return }
            if try await run(TaskCommand(task: id, .restore), as: managers[project], "TaskCommand.restore") != nil {
                hot.insert(id, at: random.int(below: hot.count + 1))
            }
            return
        default: break
        }
        let id = hot[random.skewed(count: hot.count, skew: 2.6)]
        guard let project = taskProject[id], let current = try await state(of: id), !current.isDeleted else { return }
        let worker = current.assignees.first.flatMap { workers[project].contains($0) ? $0 : nil } ?? random.pick(workers[project])

        if !current.isOpen, action != .move, action != .archive, random.chance(0.9) {
            // Finished work is talked about, rarely edited (and a closed support ticket is read-only).
            action = .comment
        }
        switch action {
        case .move: try await move(current, project: project, by: worker)
        case .comment:
            commentCount += 1
            let comment = CommentID("c\(commentCount)")
            let author = random.chance(0.6) ? worker : random.pick(workers[project])
            if try await run(TaskCommand(task: id, .addComment(comment, body: DemoText.comment(&random))), as: author, "TaskCommand.addComment")
                != nil
            {
                comments.append((id, comment, author))
            }
        case .edit:
            let title: Update<String> = random.chance(0.5) ? .set(DemoText.title(&random)) : .keep
            try await run(
                TaskCommand(task: id, .edit(title: title, description: .set(DemoText.description(&random)))), as: worker, "TaskCommand.edit")
        case .assign:
            try await run(TaskCommand(task: id, .assign(random.pick(workers[project]))), as: managers[project], "TaskCommand.assign")
        case .unassign:
            guard let assignee = current.assignees.first else { return }
            try await run(TaskCommand(task: id, .unassign(assignee)), as: managers[project], "TaskCommand.unassign")
        case .priority:
            try await run(TaskCommand(task: id, .setPriority(randomPriority())), as: worker, "TaskCommand.setPriority")
        case .dates:
            try await run(
                TaskCommand(task: id, .setDates(start: clock.date(plusDays: 0), due: clock.date(plusDays: random.int(in: 2...21)))), as: worker,
                "TaskCommand.setDates")
        case .estimate:
            try await run(TaskCommand(task: id, .setEstimate(randomEstimate())), as: worker, "TaskCommand.setEstimate")
        case .labels:
            try await run(TaskCommand(task: id, .setLabels(randomLabels(project))), as: worker, "TaskCommand.setLabels")
        case .reorder:
            try await run(TaskCommand(task: id, .reorder(rank: randomRank())), as: worker, "TaskCommand.reorder")
        case .milestone:
            try await run(
                TaskCommand(task: id, .addToMilestone(random.pick(milestones[project]))), as: managers[project], "TaskCommand.addToMilestone")
        case .document: try await addDocument(to: id, project: project, by: worker)
        case .archive:
            guard !current.isOpen, !current.isArchived else { return }
            // Archived work leaves the board and people's attention: out of the hot list for good.
            if try await run(TaskCommand(task: id, .archive), as: managers[project], "TaskCommand.archive") != nil { hot.removeAll { $0 == id } }
        case .delete:
            if try await run(TaskCommand(task: id, .delete), as: managers[project], "TaskCommand.delete") != nil {
                deleted.append(id)
                hot.removeAll { $0 == id }
            }
        case .decide, .editComment, .deleteComment, .documentVersion, .denied, .restore: break
        }
    }

    private func createTask() async throws(DemoError) {
        let project = random.weighted([3, 2, 2.5, 2, 1])
        let key = DemoCompany.projects[project].key
        let number = taskNumbers[project] + 1
        let id = TaskID("\(key.lowercased())-\(number)")
        let author = random.pick(workers[project])
        let new = NewTask(
            title: DemoText.title(&random), description: DemoText.description(&random), priority: randomPriority(),
            assignees: random.chance(0.8) ? [random.pick(workers[project])] : [], labels: random.chance(0.7) ? randomLabels(project) : [],
            startDate: nil, dueDate: random.chance(0.6) ? clock.date(plusDays: random.int(in: 3...30)) : nil,
            estimate: random.chance(0.7) ? randomEstimate() : nil)
        guard try await run(TaskCommand(task: id, .create(new)), project: DemoCompany.projects[project].id, as: author, "TaskCommand.create") != nil
        else {
            return
        }
        taskNumbers[project] = number
        taskProject[id] = project
        report.tasks += 1
        // New work is more often hot than old work, but not always.
        hot.insert(id, at: random.skewed(count: hot.count + 1, skew: 1.4))
        if DemoCompany.projects[project].hasSprints, sprint[project] > 0, random.chance(0.5) {
            let current = MilestoneID("s-\(DemoCompany.projects[project].id)-\(sprint[project])")
            try await run(TaskCommand(task: id, .addToMilestone(current)), as: managers[project], "TaskCommand.addToMilestone")
        }
    }

    private func move(_ current: TaskState, project: Int, by worker: MemberID) async throws(DemoError) {
        if current.pendingApproval != nil {
            // Someone tries anyway now and then: refused with approval-pending, nothing appended.
            guard random.chance(0.05) else { return }
        }
        // Finished work is rarely reopened: most activity on a done task is talk, not moves.
        if !current.isOpen, !random.chance(0.08) { return }
        let options = DemoCompany.nextStates(current.workflow.workflow, from: current.state)
        guard !options.isEmpty else { return }
        let target = options[random.weighted(options.map(\.1))].0
        if DemoCompany.projects[project].wipEnforcement == .hard, let limit = wipLimit(current.workflow.workflow, target) {
            // People look at the board before they drag: mostly they do not try a full column.
            let counts: [StateID: Int]
            do throws(CommandError) {
                counts = try await service.columnCounts(of: DemoCompany.projects[project].id)
            } catch {
                throw .command(workspace: name, "column counts", error)
            }
            if counts[target, default: 0] >= limit, random.chance(0.9) { return }
        }
        let actor = current.state == "resolved" && target == "closed" ? managers[project] : worker
        let outcome = try await run(
            TaskCommand(task: current.id, .move(to: target, rank: random.chance(0.3) ? randomRank() : nil)), as: actor, "TaskCommand.move")
        if let outcome, outcome.events.contains(where: { $0.type == "ApprovalRequested" }) {
            // One request in twenty is never answered: the scheduler expires it after five days.
            if random.chance(0.95) { pending.append(current.id) }
        }
    }

    private func wipLimit(_ workflow: WorkflowID, _ state: StateID) -> Int? {
        DemoCompany.workflows.first { $0.id == workflow }?.definition.state(state)?.wipLimit
    }

    private func decideApproval() async throws(DemoError) {
        let id = pending.removeFirst()
        guard let project = taskProject[id], let current = try await state(of: id), let request = current.pendingApproval else { return }
        let approver = managers[project] != request.requester ? managers[project] : "ada"
        let reject = random.chance(0.25)
        let comment: String? = reject ? "Not yet: " + DemoText.comment(&random) : (random.chance(0.5) ? "Ship it." : nil)
        try await run(
            TaskCommand(task: id, .decideApproval(request.id, reject ? .reject : .approve, comment: comment)), as: approver,
            "TaskCommand.decideApproval")
    }

    private func changeComment(delete: Bool) async throws(DemoError) {
        guard !comments.isEmpty else { return }
        // Recent comments get edited, as people fix typos right after posting.
        let index = comments.count - 1 - random.skewed(count: min(comments.count, 500), skew: 2)
        let (id, comment, author) = comments[index]
        if delete {
            comments.remove(at: index)
            try await run(TaskCommand(task: id, .deleteComment(comment)), as: author, "TaskCommand.deleteComment")
        } else {
            try await run(TaskCommand(task: id, .editComment(comment, body: DemoText.comment(&random))), as: author, "TaskCommand.editComment")
        }
    }

    private func documentFile() throws(DemoError) -> DocumentFile {
        let kind = random.pick(DemoText.fileKinds)
        let bytes = Array(DemoText.prose(&random, sentences: random.int(in: 3...60)).utf8)
        let stored: (digest: Digest32, size: Int)
        do throws(DocumentStoreError) {
            stored = try documents.put(bytes)
        } catch {
            throw .documents(workspace: name, "\(error)")
        }
        let stem = random.pick(["spec", "notes", "screenshot", "export", "runbook", "invoice", "design", "report"])
        return DocumentFile(
            fileName: "\(stem)-\(documentIDs.count + 1)\(kind.suffix)", contentType: kind.type, sizeBytes: Int64(stored.size),
            sha256: stored.digest.description)
    }

    private func addDocument(to id: TaskID, project: Int, by uploader: MemberID) async throws(DemoError) {
        let document = DocumentID("d\(documentIDs.count + 1)")
        let file = try documentFile()
        let outcome = try await issue("DocumentCommand.add", stream: .document(document), as: uploader) { (metadata) throws(CommandError) in
            try await service.execute(
                DocumentCommand(document: document, .add(NewDocument(attachedTo: .task(id), title: DemoText.title(&random), file: file))),
                project: DemoCompany.projects[project].id, metadata: metadata)
        }
        if outcome != nil { documentIDs.append((document, uploader)) }
    }

    private func addDocumentVersion() async throws(DemoError) {
        let (document, uploader) = random.pick(documentIDs)
        let file = try documentFile()
        try await issue("DocumentCommand.addVersion", stream: .document(document), as: uploader) { (metadata) throws(CommandError) in
            try await service.execute(DocumentCommand(document: document, .addVersion(file)), metadata: metadata)
        }
    }

    /// Someone tries what their role does not allow: the guest creates a task, a viewer moves one, the
    /// auditor edits one, a developer archives a project. Each is refused and audited.
    private func deniedAttempt() async throws(DemoError) {
        let id = hot[random.int(below: hot.count)]
        guard let project = taskProject[id] else { return }
        switch random.int(below: 4) {
        case 0:
            try await run(
                TaskCommand(task: TaskID("web-denied-\(report.commands)"), .create(NewTask(title: DemoText.title(&random)))), project: "web",
                as: "gus", "TaskCommand.create")
        case 1 where !viewers[project].isEmpty:
            try await run(TaskCommand(task: id, .move(to: "done")), as: random.pick(viewers[project]), "TaskCommand.move")
        case 2:
            try await run(TaskCommand(task: id, .edit(title: .set("Looks wrong to me"))), as: "audra", "TaskCommand.edit")
        default:
            let target = DemoCompany.projects[project].id
            try await issue("ProjectCommand.archive", stream: .project(target), as: "lin") { (metadata) throws(CommandError) in
                try await service.execute(ProjectCommand(project: target, .archive), metadata: metadata)
            }
        }
    }

    private func randomPriority() -> Priority { [Priority.unset, .low, .medium, .medium, .high, .urgent][random.weighted([3, 3, 5, 0, 2, 0.5])] }

    private func randomEstimate() -> Estimate {
        random.chance(0.8)
            ? Estimate(amount: random.pick([1, 2, 3, 5, 8, 13]), unit: .points) : Estimate(amount: random.int(in: 1...40), unit: .hours)
    }

    private func randomLabels(_ project: Int) -> [String] {
        let pool = labels[project]
        guard !pool.isEmpty else { return [] }
        var chosen: [String] = []
        for _ in 0..<random.int(in: 1...2) {
            let label = random.pick(pool)
            if !chosen.contains(label) { chosen.append(label) }
        }
        return chosen
    }

    private func randomRank() -> String {
        let digits = Array("0123456789abcdefghijklmnopqrstuvwxyz")
        var rank = "a"
        for _ in 0..<random.int(in: 2...6) { rank.append(digits[random.int(below: digits.count)]) }
        return rank
    }
}

// MARK: - Documents

/// Stores the generated documents on a thread of its own: the event needs only the content's digest and
/// size, computed at once, while creating a file costs the kernel a new inode (about a tenth of a large
/// generation's time, measured with `perf`), which can run on the other core meanwhile.
final class DocumentWriter: Sendable {
    private let store: DocumentStore
    private let queue = DispatchQueue(label: "taskledger-demo-documents")
    private let failure = Mutex<DocumentStoreError?>(nil)

    init(_ store: DocumentStore) { self.store = store }

    /// The digest and size of `bytes`, which are stored in the background; a failure is reported by
    /// the next `put` or by `finish`.
    func put(_ bytes: [UInt8]) throws(DocumentStoreError) -> (digest: Digest32, size: Int) {
        if let failure = failure.withLock({ $0 }) { throw failure }
        guard bytes.count <= store.documentBytesMax else { throw .tooLarge(bytes: bytes.count, limit: store.documentBytesMax) }
        let digest = bytes.withUnsafeBytes { Digest32.sha256(of: $0) }
        queue.async { [self] in
            do throws(DocumentStoreError) {
                _ = try store.put(bytes)
            } catch {
                failure.withLock { $0 = $0 ?? error }
            }
        }
        return (digest, bytes.count)
    }

    /// Waits until every document is stored; returns the first failure, if any.
    func finish() -> DocumentStoreError? {
        queue.sync {}
        return failure.withLock { $0 }
    }
}

// MARK: - Durability at the end

extension WorkspaceSimulation {
    /// Generation writes without syncing (`unsafeNoSync`: the log and the documents; a bulk load): once
    /// at the end, the workspace's file system is synced (`syncfs`: one call for the log's segments and
    /// index, thousands of document files and their directories, instead of an `fsync` each).
    fileprivate func syncWorkspace() {
        #if os(Linux)
            _ = tl_sync_filesystem(workspaceDirectory)
        #else
            let files = (FileManager.default.enumerator(atPath: workspaceDirectory)?.allObjects as? [String]) ?? []
            for file in files.sorted() + [""] {
                let descriptor = open(workspaceDirectory + "/" + file, O_RDONLY)
                if descriptor >= 0 {
                    _ = fsync(descriptor)
                    close(descriptor)
                }
            }
        #endif
    }
}
