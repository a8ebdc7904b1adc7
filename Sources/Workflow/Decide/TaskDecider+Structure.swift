extension TaskDecider {
    // MARK: Parent, milestone, archive

    /// A parent from the same project that would not make the task its own ancestor. The caller walks the
    /// candidate's parent chain (`ParentCandidate.ancestors`): the task is in that chain exactly when the
    /// candidate is one of its descendants.
    static func setParent(_ parentID: TaskID?, task: TaskState, actor: Actor, context: TaskContext) throws(DomainError) -> [DomainEvent] {
        let emit = Emitter(task: task.id, now: context.now)
        guard let parentID else {
            guard let previous = task.parent else { return [] }
            return [
                emit(
                    TaskParentChanged(taskID: task.id, parent: nil, changes: [FieldChange(field: "parent", from: .text(previous.rawValue), to: nil)]))
            ]
        }
        if parentID == task.id { throw .parentCycle(parentID) }
        guard let candidate = context.parentCandidate, candidate.task == parentID else { throw .notFound(kind: "task", id: parentID.rawValue) }
        guard candidate.project == task.project else {
            throw .validationFailed(field: "parent", reason: "must be a task of the same project")
        }
        if candidate.isDeleted { throw .taskDeleted(parentID) }
        if candidate.ancestors.contains(task.id) { throw .parentCycle(parentID) }
        let depth = candidate.ancestors.count + 1
        guard depth <= context.limits.parentDepthMax else {
            throw .limitExceeded(field: "parent depth", limit: context.limits.parentDepthMax, actual: depth)
        }
        guard parentID != task.parent else { return [] }
        let change = FieldChange(
            field: "parent", from: task.parent.map { .text($0.rawValue) }, to: .text(parentID.rawValue), toDisplay: candidate.key)
        return [emit(TaskParentChanged(taskID: task.id, parent: parentID, changes: [change]))]
    }

    /// Into a milestone of the task's project that is not closed. A task is in one milestone at most, so
    /// adding it to another takes it out of the first (`previous`).
    static func addToMilestone(_ id: MilestoneID, task: TaskState, context: TaskContext) throws(DomainError) -> [DomainEvent] {
        guard let milestone = context.milestone, milestone.id == id, milestone.project == task.project else {
            throw .notFound(kind: "milestone", id: id.rawValue)
        }
        if milestone.status == .closed { throw .milestoneClosed(id) }
        guard task.milestone != id else { return [] }
        let change = FieldChange(
            field: "milestone", from: task.milestone.map { .text($0.rawValue) }, to: .text(id.rawValue), toDisplay: milestone.name)
        return [
            Emitter(task: task.id, now: context.now)(
                TaskAddedToMilestone(taskID: task.id, milestoneID: id, previous: task.milestone, changes: [change]))
        ]
    }

    static func removeFromMilestone(task: TaskState, context: TaskContext) -> [DomainEvent] {
        guard let current = task.milestone else { return [] }
        let change = FieldChange(field: "milestone", from: .text(current.rawValue), to: nil)
        return [Emitter(task: task.id, now: context.now)(TaskRemovedFromMilestone(taskID: task.id, milestoneID: current, changes: [change]))]
    }

    /// Archiving is allowed in read-only states: a released task in a read-only column is exactly what
    /// gets archived.
    static func archive(task: TaskState, actor: Actor, context: TaskContext) throws(DomainError) -> [DomainEvent] {
        try actor.require(.taskDelete)
        try ProjectDecider.requireActive(context.project)
        if task.isDeleted { throw .taskDeleted(task.id) }
        guard !task.isArchived else { return [] }
        let emit = Emitter(task: task.id, now: context.now)
        var events: [DomainEvent] = []
        // An archived task cannot move, so an approval left pending would wait for nothing.
        if let pending = task.pendingApproval {
            events.append(emit(ApprovalCancelled(taskID: task.id, approvalID: pending.id, reason: "task archived")))
        }
        events.append(emit(TaskArchived(taskID: task.id)))
        return events
    }

    static func unarchive(task: TaskState, definition: WorkflowDefinition, actor: Actor, context: TaskContext) throws(DomainError) -> [DomainEvent] {
        try actor.require(.taskDelete)
        try ProjectDecider.requireActive(context.project)
        if task.isDeleted { throw .taskDeleted(task.id) }
        guard task.isArchived else { return [] }
        // The card comes back onto the board, so the column's hard limit applies as to any arrival.
        if let state = definition.state(task.state) {
            _ = try admission(into: state, context: context)
        }
        return [Emitter(task: task.id, now: context.now)(TaskUnarchived(taskID: task.id))]
    }

    /// Labels a task is given must be defined by its project. Labels it already carries may stay after
    /// their definition is deleted: changing other labels must not force dropping them.
    static func requireDefinedLabels(_ added: Set<String>, project: ProjectState) throws(DomainError) {
        for label in added.sorted() where project.labels[label] == nil {
            throw .notFound(kind: "label", id: label)
        }
    }
}
