public import Workflow

extension CommandService {
    /// What one scheduler run appended.
    public struct ScheduleRun: Equatable, Sendable {
        /// `ReminderFired` events.
        public var remindersFired = 0
        /// `TaskBecameOverdue` events.
        public var tasksOverdue = 0
        /// Approval requests that passed their expiry (`ApprovalExpired`, and the move back if the policy says so).
        public var approvalsExpired = 0
        /// Tasks looked at.
        public var tasksEvaluated = 0

        public init(remindersFired: Int = 0, tasksOverdue: Int = 0, approvalsExpired: Int = 0, tasksEvaluated: Int = 0) {
            self.remindersFired = remindersFired
            self.tasksOverdue = tasksOverdue
            self.approvalsExpired = approvalsExpired
            self.tasksEvaluated = tasksEvaluated
        }
    }

    /// The member id the scheduler's events are recorded with (`actorkind` service, `origin` scheduler).
    public static let schedulerMember: MemberID = "scheduler"

    /// Runs what time alone makes happen, at the service clock's `now`: reminder rules fire
    /// (`ReminderEvaluation`), tasks past their due date become overdue (`OverdueEvaluation`), pending
    /// approvals past their expiry expire. Each evaluation is pure and idempotent — a reminder is fired
    /// once per (rule, task, firing time), a task becomes overdue once per due date, an approval expires
    /// once — and each append is re-decided on the stream's current state, so running it twice, or
    /// concurrently with commands, or after a crash mid-way, never doubles anything.
    ///
    /// It looks at every live task of the workspace (from the cache, or the log): meant to run every
    /// minute or so, not per request.
    @discardableResult
    public func runSchedules() async throws(CommandError) -> ScheduleRun {
        var run = ScheduleRun()
        try Self.catchUp(&index, log: log, own: ownCommits)
        let metadata = CommandMetadata(member: Self.schedulerMember, actorKind: .service, origin: .scheduler)
        var tasks: [TaskState] = []
        for id in index.liveTasks.sorted() {
            if let task = try load(TaskState.self, .task(id)).state { tasks.append(task) }
        }
        run.tasksEvaluated = tasks.count
        let now = configuration.clock()

        for task in tasks where OverdueEvaluation.isOverdue(task, at: now) != nil {
            let stream = StreamName.task(task.id)
            let outcome = try await commit(gates: [stream.rawValue], metadata: metadata) { () throws(CommandError) -> Decision in
                let (current, version) = try load(TaskState.self, stream)
                let events = current.map { OverdueEvaluation.evaluate(tasks: [$0], now: configuration.clock()) } ?? []
                return Decision(events: events, versions: [stream.rawValue: version], actorKind: .service, task: current, project: current?.project)
            }
            run.tasksOverdue += outcome.events.count
        }

        for task in tasks {
            guard let approval = task.pendingApproval, approval.isExpired(at: now) else { continue }
            do {
                let outcome = try await expire(approval.id, of: task.id, metadata: metadata)
                run.approvalsExpired += outcome.events.isEmpty ? 0 : 1
            } catch .domain {
                // Decided or withdrawn meanwhile: nothing to expire any more.
            }
        }

        for ruleID in index.reminderRules.sorted() {
            let stream = StreamName.reminder(ruleID)
            let outcome = try await commit(gates: [stream.rawValue], metadata: metadata) { () throws(CommandError) -> Decision in
                let (rule, version) = try load(ReminderRuleState.self, stream)
                let events = rule.map { ReminderEvaluation.evaluate(rules: [$0], tasks: tasks, now: configuration.clock()) } ?? []
                return Decision(events: events, versions: [stream.rawValue: version], actorKind: .service, task: nil, project: nil)
            }
            run.remindersFired += outcome.events.count
        }
        return run
    }

    /// Expires a pending approval through the task decider, as the scheduler (a system actor that holds
    /// every grant: expiry is the clock's decision, not a member's).
    private func expire(_ approval: ApprovalID, of task: TaskID, metadata: CommandMetadata) async throws(CommandError) -> CommandOutcome {
        let stream = StreamName.task(task)
        return try await commit(gates: [stream.rawValue], metadata: metadata) { () throws(CommandError) -> Decision in
            let (state, version) = try load(TaskState.self, stream)
            guard let state else { throw .domain(.notFound(kind: "task", id: task.rawValue)) }
            let workspace = try requireWorkspace()
            guard let project = try load(ProjectState.self, .project(state.project)).state,
                let workflow = try load(WorkflowState.self, .workflow(state.workflow.workflow)).state
            else { throw .domain(.notFound(kind: "project", id: state.project.rawValue)) }
            let context = TaskContext(
                now: configuration.clock(), workspace: workspace, project: project, workflow: workflow,
                columnCounts: index.columnCounts(of: state.project), limits: configuration.limits)
            let actor = Actor(member: Self.schedulerMember, workspaceRole: .admin)
            let events = try domain { () throws(DomainError) in
                try TaskDecider.decide(state, TaskCommand(task: task, .expireApproval(approval)), actor: actor, context: context)
            }
            return Decision(events: events, versions: [stream.rawValue: version], actorKind: .service, task: state, project: state.project)
        }
    }
}
