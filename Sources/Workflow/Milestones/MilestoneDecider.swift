/// Decides milestone and sprint commands: `decide(state, command, actor, context) -> events`, pure.
///
/// ```swift
/// let actor = try Actor.resolve(member: member, workspace: workspace, project: project)
/// let context = MilestoneContext(now: now, project: project, activeSprint: index.activeSprint(of: project.id),
///                                tasks: index.tasks(inMilestone: id))
/// let events = try MilestoneDecider.decide(sprint, MilestoneCommand(milestone: id, .start), actor: actor, context: context)
/// ```
public enum MilestoneDecider {
    /// The events `command` produces on `state` (nil before the milestone exists), or the refusal.
    public static func decide(
        _ state: MilestoneState?, _ command: MilestoneCommand, actor: Actor, context: MilestoneContext
    ) throws(DomainError) -> [DomainEvent] {
        try checkVersion(expected: context.expectedVersion, actual: state?.version ?? 0)
        let limits = context.limits
        let project = context.project
        let stream = StreamName.milestone(command.milestone)
        func event(_ payload: some EventPayload) -> DomainEvent { DomainEvent(stream: stream, at: context.now, payload) }

        if case .create(let new) = command.action {
            try actor.require(.milestoneManage)
            if state != nil { throw .alreadyExists(kind: "milestone", id: command.milestone.rawValue) }
            try ProjectDecider.requireActive(project)
            try command.milestone.validated(limits: limits)
            let name = try Text.singleLine(new.name, field: "name", bytesMax: limits.nameBytesMax)
            try checkDates(start: new.startDate, end: new.dueDate, endField: "dueDate")
            return [
                event(
                    MilestoneCreated(
                        milestoneID: command.milestone, projectID: project.id, kind: new.kind, name: name, startDate: new.startDate,
                        dueDate: new.dueDate))
            ]
        }
        guard let state else { throw .notFound(kind: "milestone", id: command.milestone.rawValue) }
        precondition(state.id == command.milestone, "the command service loaded the wrong milestone")
        precondition(state.project == project.id, "the context holds another project")
        try actor.require(.milestoneManage)
        try ProjectDecider.requireActive(project)

        switch command.action {
        case .create:
            preconditionFailure("handled above")

        case .update(let changes):
            if state.status == .closed { throw .milestoneClosed(state.id) }
            let name = try changes.name.validated { (text) throws(DomainError) in
                try Text.singleLine(text, field: "name", bytesMax: limits.nameBytesMax)
            }.applied(to: state.name)
            let start = changes.startDate.applied(to: state.startDate)
            let due = changes.dueDate.applied(to: state.dueDate)
            try checkDates(start: start, end: due, endField: "dueDate")
            var fieldChanges: [FieldChange] = []
            if name != state.name { fieldChanges.append(FieldChange(field: "name", from: .text(state.name), to: .text(name))) }
            if start != state.startDate { fieldChanges.append(dateChange("startDate", state.startDate, start)) }
            if due != state.dueDate { fieldChanges.append(dateChange("dueDate", state.dueDate, due)) }
            guard !fieldChanges.isEmpty else { return [] }
            return [event(MilestoneUpdated(milestoneID: state.id, name: name, startDate: start, dueDate: due, changes: fieldChanges))]

        case .start:
            try requireSprint(state, action: "start")
            switch state.status {
            case .active: return []
            case .closed: throw .milestoneClosed(state.id)
            case .planned: break
            }
            if let active = context.activeSprint, active != state.id { throw .sprintAlreadyActive(active) }
            let tasks = try sprintTasks(context)
            let scope = tasks.map { SprintScopeItem(taskID: $0.taskID, estimate: $0.estimate) }
            return [event(SprintStarted(milestoneID: state.id, projectID: project.id, scope: scope))]

        case .close(let targetID):
            try requireSprint(state, action: "close")
            switch state.status {
            case .closed: return []
            case .planned: throw .sprintNotActive(state.id)
            case .active: break
            }
            let tasks = try sprintTasks(context)
            let completed = tasks.filter { $0.category == .completed }.map(\.taskID)
            let canceled = tasks.filter { $0.category == .canceled }.map(\.taskID)
            let open = tasks.filter { $0.category != .completed && $0.category != .canceled }.map(\.taskID)
            var events: [DomainEvent] = []
            if let targetID {
                let target = try carryOverTarget(targetID, from: state, context: context)
                events.append(
                    event(
                        SprintClosed(
                            milestoneID: state.id, projectID: project.id, completed: completed, canceled: canceled, carriedOver: open,
                            carriedOverTo: target.id)))
                let change = FieldChange(
                    field: "milestone", from: .text(state.id.rawValue), to: .text(target.id.rawValue), fromDisplay: state.name, toDisplay: target.name
                )
                for task in open {
                    events.append(
                        DomainEvent(
                            stream: .task(task), at: context.now,
                            TaskAddedToMilestone(taskID: task, milestoneID: target.id, previous: state.id, changes: [change])))
                }
            } else {
                events.append(
                    event(
                        SprintClosed(
                            milestoneID: state.id, projectID: project.id, completed: completed, canceled: canceled, carriedOver: open,
                            carriedOverTo: nil)))
            }
            return events
        }
    }

    private static func requireSprint(_ state: MilestoneState, action: String) throws(DomainError) {
        guard state.kind == .sprint else {
            throw .validationFailed(field: "kind", reason: "only a sprint can \(action); a milestone is done when its tasks are")
        }
    }

    /// The context's tasks, sorted and bounded: they become event payloads (and, on close, events).
    private static func sprintTasks(_ context: MilestoneContext) throws(DomainError) -> [SprintTask] {
        var seen: Set<TaskID> = []
        let tasks = context.tasks.filter { seen.insert($0.taskID).inserted }.sorted { $0.taskID < $1.taskID }
        guard tasks.count <= context.limits.tasksPerSprintMax else {
            throw .limitExceeded(field: "sprint tasks", limit: context.limits.tasksPerSprintMax, actual: tasks.count)
        }
        return tasks
    }

    /// The milestone open tasks carry over to: another milestone of the same project that still takes tasks.
    private static func carryOverTarget(
        _ id: MilestoneID, from sprint: MilestoneState, context: MilestoneContext
    ) throws(DomainError) -> MilestoneState {
        guard let target = context.carryOverTarget, target.id == id, target.project == sprint.project else {
            throw .notFound(kind: "milestone", id: id.rawValue)
        }
        guard target.id != sprint.id else {
            throw .validationFailed(field: "carryOverTo", reason: "a sprint cannot carry its tasks over to itself")
        }
        if target.status == .closed { throw .milestoneClosed(target.id) }
        return target
    }
}
