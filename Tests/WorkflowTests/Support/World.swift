import TestSupport

@testable import Workflow

/// A whole workspace held in memory, as the command service would hold it: states by aggregate, the
/// events of every stream, and a clock the test moves. Commands go through the real deciders; accepted
/// events are appended and folded into the states with `evolve`.
struct World: Equatable, AggregateFolding {
    var workspace: WorkspaceState?
    var projects: [ProjectID: ProjectState] = [:]
    var workflows: [WorkflowID: WorkflowState] = [:]
    var tasks: [TaskID: TaskState] = [:]
    var reminders: [ReminderRuleID: ReminderRuleState] = [:]
    var milestones: [MilestoneID: MilestoneState] = [:]
    var documents: [DocumentID: DocumentState] = [:]
    var tokens: [TokenID: TokenState] = [:]
    var streams: [StreamName: [DomainEvent]] = [:]
    var now = Instant(unixMicros: 1_790_000_000_000_000)
    var limits = Limits.standard

    // MARK: Applying events

    mutating func apply(_ events: [DomainEvent]) {
        for event in events {
            streams[event.stream, default: []].append(event)
            guard fold(event) || event.stream.kind == .security else { fatalError("event in a foreign stream \(event.stream.rawValue)") }
        }
    }

    // MARK: Actors

    func actor(_ member: MemberID, project: ProjectID? = nil) throws(DomainError) -> Actor {
        guard let workspace else { throw .notFound(kind: "workspace", id: "") }
        return try Actor.resolve(member: member, workspace: workspace, project: project.flatMap { projects[$0] })
    }

    // MARK: Commands

    @discardableResult
    mutating func workspace(_ command: WorkspaceCommand, by member: MemberID, expectedVersion: UInt64? = nil) throws(DomainError)
        -> [DomainEvent]
    {
        let actor: Actor
        if case .create = command, workspace == nil {
            actor = Actor(member: member, workspaceRole: .admin)
        } else {
            actor = try self.actor(member)
        }
        let context = DecisionContext(now: now, expectedVersion: expectedVersion, limits: limits)
        let events = try WorkspaceDecider.decide(workspace, command, actor: actor, context: context)
        apply(events)
        return events
    }

    @discardableResult
    mutating func workflow(_ id: WorkflowID, _ action: WorkflowAction, by member: MemberID, expectedVersion: UInt64? = nil)
        throws(DomainError) -> [DomainEvent]
    {
        let actor = try self.actor(member)
        let context = DecisionContext(now: now, expectedVersion: expectedVersion, limits: limits)
        let events = try WorkflowDecider.decide(workflows[id], WorkflowCommand(workflow: id, action), actor: actor, context: context)
        apply(events)
        return events
    }

    func projectContext(_ id: ProjectID, _ action: ProjectAction, expectedVersion: UInt64? = nil) -> ProjectContext {
        var workflowID: WorkflowID?
        switch action {
        case .create(let new): workflowID = new.workflow.workflow
        case .pinWorkflow(let pin): workflowID = pin.workflow
        case .migrateTasks(_, let to, _): workflowID = to.workflow
        default: workflowID = projects[id]?.workflow.workflow
        }
        var source: WorkflowState?
        var migrating: [TaskState] = []
        if case .migrateTasks(let from, _, _) = action {
            source = workflows[from.workflow]
            migrating = tasks.values.filter { $0.project == id && $0.workflow == from }.sorted { $0.id < $1.id }
        }
        let keys = Set(projects.values.filter { $0.id != id }.map(\.key))
        return ProjectContext(
            now: now, workspace: workspace!, workflow: workflowID.flatMap { workflows[$0] }, projectKeysInUse: keys,
            migrationSource: source, migratingTasks: migrating, expectedVersion: expectedVersion, limits: limits)
    }

    @discardableResult
    mutating func project(_ id: ProjectID, _ action: ProjectAction, by member: MemberID, expectedVersion: UInt64? = nil)
        throws(DomainError) -> [DomainEvent]
    {
        let actor = try self.actor(member, project: id)
        let context = projectContext(id, action, expectedVersion: expectedVersion)
        let events = try ProjectDecider.decide(projects[id], ProjectCommand(project: id, action), actor: actor, context: context)
        apply(events)
        return events
    }

    /// Live (neither deleted nor archived) tasks per state in a project: what the board read model would pass in.
    func columnCounts(_ project: ProjectID) -> [StateID: Int] {
        var counts: [StateID: Int] = [:]
        for task in tasks.values where task.project == project && !task.isDeleted && !task.isArchived {
            counts[task.state, default: 0] += 1
        }
        return counts
    }

    /// One more than the highest task number in a project: what the service's index would pass in.
    func nextTaskNumber(_ project: ProjectID) -> Int {
        (tasks.values.filter { $0.project == project }.map(\.number).max() ?? 0) + 1
    }

    func taskContext(
        _ id: TaskID, project: ProjectID = "p1", action: TaskAction? = nil, expectedVersion: UInt64? = nil
    ) -> TaskContext {
        let projectID = tasks[id]?.project ?? project
        let projectState = projects[projectID]!
        let workflowID = tasks[id]?.workflow.workflow ?? projectState.workflow.workflow
        var milestone: MilestoneState?
        var parent: ParentCandidate?
        switch action {
        case .addToMilestone(let milestoneID): milestone = milestones[milestoneID]
        case .setParent(let parentID?): parent = parentCandidate(parentID)
        default: break
        }
        return TaskContext(
            now: now, workspace: workspace!, project: projectState, workflow: workflows[workflowID]!,
            columnCounts: columnCounts(projectID), nextTaskNumber: nextTaskNumber(projectID), milestone: milestone, parentCandidate: parent,
            expectedVersion: expectedVersion, limits: limits)
    }

    /// What the service would look up for `setParent`: the task and its parent chain (stopping at a
    /// repeat, so a damaged chain cannot loop).
    func parentCandidate(_ id: TaskID) -> ParentCandidate? {
        guard let task = tasks[id] else { return nil }
        var ancestors: [TaskID] = []
        var next = task.parent
        while let current = next, !ancestors.contains(current), current != id {
            ancestors.append(current)
            next = tasks[current]?.parent
        }
        return ParentCandidate(task: id, key: task.key, project: task.project, isDeleted: task.isDeleted, ancestors: ancestors)
    }

    @discardableResult
    mutating func task(
        _ id: TaskID, _ action: TaskAction, by member: MemberID, project: ProjectID = "p1", expectedVersion: UInt64? = nil
    ) throws(DomainError) -> [DomainEvent] {
        let projectID = tasks[id]?.project ?? project
        let actor = try self.actor(member, project: projectID)
        let context = taskContext(id, project: projectID, action: action, expectedVersion: expectedVersion)
        let events = try TaskDecider.decide(tasks[id], TaskCommand(task: id, action), actor: actor, context: context)
        apply(events)
        return events
    }

    func options(_ id: TaskID, for member: MemberID) throws -> [TransitionOption] {
        let task = tasks[id]!
        return TaskDecider.availableTransitions(for: task, actor: try actor(member, project: task.project), context: taskContext(id))
    }

    mutating func advance(seconds: Int64) { now = now.adding(seconds: seconds) }

    /// A reminder-rule command; the actor is resolved in `project` when one is given (project managers
    /// hold `reminder.manage` there), else workspace-wide (admins).
    @discardableResult
    mutating func reminder(_ id: ReminderRuleID, _ action: ReminderCommand.Action, by member: MemberID, project: ProjectID? = nil)
        throws(DomainError) -> [DomainEvent]
    {
        let actor = try self.actor(member, project: project)
        let context = DecisionContext(now: now, limits: limits)
        let events = try ReminderDecider.decide(reminders[id], ReminderCommand(rule: id, action), actor: actor, context: context)
        apply(events)
        return events
    }

    /// A milestone command; the context is what the service would look up: the project's active sprint,
    /// the live tasks in the milestone, the carry-over target.
    @discardableResult
    mutating func milestone(
        _ id: MilestoneID, _ action: MilestoneAction, by member: MemberID, project: ProjectID = "p1", expectedVersion: UInt64? = nil
    ) throws(DomainError) -> [DomainEvent] {
        let projectID = milestones[id]?.project ?? project
        let actor = try self.actor(member, project: projectID)
        var target: MilestoneState?
        if case .close(let targetID?) = action { target = milestones[targetID] }
        let active = milestones.values.first { $0.project == projectID && $0.status == .active }?.id
        let inMilestone = tasks.values.filter { $0.milestone == id && !$0.isDeleted }.map {
            SprintTask(taskID: $0.id, estimate: $0.estimate, category: $0.category)
        }
        let context = MilestoneContext(
            now: now, project: projects[projectID]!, activeSprint: active, tasks: inMilestone, carryOverTarget: target,
            expectedVersion: expectedVersion, limits: limits)
        let events = try MilestoneDecider.decide(milestones[id], MilestoneCommand(milestone: id, action), actor: actor, context: context)
        apply(events)
        return events
    }

    @discardableResult
    mutating func document(_ id: DocumentID, _ action: DocumentAction, by member: MemberID, project: ProjectID = "p1")
        throws(DomainError) -> [DomainEvent]
    {
        let projectID = documents[id]?.project ?? project
        let actor = try self.actor(member, project: projectID)
        var task: TaskState?
        if case .add(let new) = action, case .task(let taskID) = new.attachedTo { task = tasks[taskID] }
        let context = DocumentContext(now: now, workspace: workspace!, project: projects[projectID]!, task: task, limits: limits)
        let events = try DocumentDecider.decide(documents[id], DocumentCommand(document: id, action), actor: actor, context: context)
        apply(events)
        return events
    }

    @discardableResult
    mutating func token(_ id: TokenID, _ action: TokenCommand.Action, by member: MemberID) throws(DomainError) -> [DomainEvent] {
        let actor = try self.actor(member)
        let context = DecisionContext(now: now, limits: limits)
        let events = try TokenDecider.decide(tokens[id], TokenCommand(token: id, action), actor: actor, workspace: workspace!, context: context)
        apply(events)
        return events
    }

    /// Runs the overdue evaluation at `now` and applies what it records.
    @discardableResult
    mutating func evaluateOverdue() -> [DomainEvent] {
        let events = OverdueEvaluation.evaluate(tasks: Array(tasks.values), now: now)
        apply(events)
        return events
    }

    /// Runs the reminder evaluation at `now` and applies what fires.
    @discardableResult
    mutating func evaluateReminders() -> [DomainEvent] {
        let events = ReminderEvaluation.evaluate(rules: Array(reminders.values), tasks: Array(tasks.values), now: now)
        apply(events)
        return events
    }
}

/// The refusal's code, or nil if the call succeeded. (Closures infer `throws(any Error)` without the
/// FullTypedThrows feature, so the error is cast back.)
func refusal(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch let error as DomainError {
        return error.code
    } catch {
        return "unexpected: \(error)"
    }
}
