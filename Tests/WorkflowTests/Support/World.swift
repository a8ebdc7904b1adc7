@testable import Workflow

/// A whole workspace held in memory, as the command service would hold it: states by aggregate, the
/// events of every stream, and a clock the test moves. Commands go through the real deciders; accepted
/// events are appended and folded into the states with `evolve`.
struct World: Equatable {
    var workspace: WorkspaceState?
    var projects: [ProjectID: ProjectState] = [:]
    var workflows: [WorkflowID: WorkflowState] = [:]
    var tasks: [TaskID: TaskState] = [:]
    var reminders: [ReminderRuleID: ReminderRuleState] = [:]
    var streams: [StreamName: [DomainEvent]] = [:]
    var now = Instant(unixMicros: 1_790_000_000_000_000)
    var limits = Limits.standard

    // MARK: Applying events

    mutating func apply(_ events: [DomainEvent]) {
        for event in events {
            streams[event.stream, default: []].append(event)
            let name = event.stream.rawValue
            switch event.stream.kind {
            case .workspace:
                workspace = WorkspaceState.evolve(workspace, event)
            case .project:
                let id = ProjectID(String(name.dropFirst("project-".count)))
                projects[id] = ProjectState.evolve(projects[id], event)
            case .workflow:
                let id = WorkflowID(String(name.dropFirst("workflow-".count)))
                workflows[id] = WorkflowState.evolve(workflows[id], event)
            case .task:
                let id = TaskID(String(name.dropFirst("task-".count)))
                tasks[id] = TaskState.evolve(tasks[id], event)
            case .reminder:
                let id = ReminderRuleID(String(name.dropFirst("reminder-".count)))
                reminders[id] = ReminderRuleState.evolve(reminders[id], event)
            case nil:
                fatalError("event in a foreign stream \(name)")
            }
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
        default: workflowID = projects[id]?.workflow.workflow
        }
        let keys = Set(projects.values.filter { $0.id != id }.map(\.key))
        return ProjectContext(
            now: now, workspace: workspace!, workflow: workflowID.flatMap { workflows[$0] }, projectKeysInUse: keys,
            expectedVersion: expectedVersion, limits: limits)
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

    /// Live tasks per state in a project: what the board read model would pass in.
    func columnCounts(_ project: ProjectID) -> [StateID: Int] {
        var counts: [StateID: Int] = [:]
        for task in tasks.values where task.project == project && !task.isDeleted {
            counts[task.state, default: 0] += 1
        }
        return counts
    }

    /// One more than the highest task number in a project: what the service's index would pass in.
    func nextTaskNumber(_ project: ProjectID) -> Int {
        (tasks.values.filter { $0.project == project }.map(\.number).max() ?? 0) + 1
    }

    func taskContext(_ id: TaskID, project: ProjectID = "p1", expectedVersion: UInt64? = nil) -> TaskContext {
        let projectID = tasks[id]?.project ?? project
        let projectState = projects[projectID]!
        let workflowID = tasks[id]?.workflow.workflow ?? projectState.workflow.workflow
        return TaskContext(
            now: now, workspace: workspace!, project: projectState, workflow: workflows[workflowID]!,
            columnCounts: columnCounts(projectID), nextTaskNumber: nextTaskNumber(projectID), expectedVersion: expectedVersion,
            limits: limits)
    }

    @discardableResult
    mutating func task(
        _ id: TaskID, _ action: TaskAction, by member: MemberID, project: ProjectID = "p1", expectedVersion: UInt64? = nil
    ) throws(DomainError) -> [DomainEvent] {
        let projectID = tasks[id]?.project ?? project
        let actor = try self.actor(member, project: projectID)
        let context = taskContext(id, project: projectID, expectedVersion: expectedVersion)
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
