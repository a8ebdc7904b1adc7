extension ProjectDecider {
    // MARK: Workflow migration

    /// Moves the project's tasks from one workflow version to another, by an explicit state mapping. One
    /// atomic append: the audit record on the project's stream, the project's re-pin (when it was on the
    /// old version), and per task an `ApprovalCancelled` for a pending request (its policy and target
    /// belong to the old version), `TaskWorkflowMigrated`, and `TaskCompleted` / `TaskReopened` when the
    /// task enters or leaves the completed category, as a move would record.
    ///
    /// WIP limits are not checked: a migration relabels cards already on the board, and refusing it for a
    /// full column would leave a project unable to leave a version. The board shows the overflow.
    static func migrateTasks(
        from: WorkflowPin, to: WorkflowPin, mapping: [StateID: StateID], project: ProjectState, context: ProjectContext
    ) throws(DomainError) -> [DomainEvent] {
        guard from != to else { throw .validationFailed(field: "to", reason: "is the version the tasks are on") }
        guard let source = context.migrationSource, source.id == from.workflow, let old = source.definition(version: from.version) else {
            throw .notFound(kind: "workflow version", id: from.description)
        }
        guard let target = context.workflow, target.id == to.workflow, let new = target.definition(version: to.version) else {
            throw .notFound(kind: "workflow version", id: to.description)
        }
        var mappings: [StateMapping] = []
        for (oldID, newID) in mapping.sorted(by: { $0.key < $1.key }) {
            guard let oldState = old.state(oldID) else {
                throw .validationFailed(field: "mapping", reason: "\"\(oldID)\" is not a state of \(from)")
            }
            guard let newState = new.state(newID) else { throw .notFound(kind: "state", id: newID.rawValue) }
            mappings.append(StateMapping(from: oldID, to: newID, fromName: oldState.name, toName: newState.name))
        }

        let tasks = context.migratingTasks.filter { $0.workflow == from }.sorted { $0.id < $1.id }
        precondition(tasks.allSatisfy { $0.project == project.id }, "the context holds another project's tasks")
        guard tasks.count <= context.limits.tasksPerMigrationMax else {
            throw .migrationTooLarge(limit: context.limits.tasksPerMigrationMax, count: tasks.count)
        }
        for task in tasks where mapping[task.state] == nil { throw .stateNotMapped(task.state) }
        guard !tasks.isEmpty || project.workflow == from else { return [] }

        let projectStream = StreamName.project(project.id)
        var events = [
            DomainEvent(
                stream: projectStream, at: context.now,
                TasksMigratedToWorkflowVersion(projectID: project.id, from: from, to: to, mapping: mappings, tasks: tasks.map(\.id)))
        ]
        if project.workflow == from {
            events.append(DomainEvent(stream: projectStream, at: context.now, ProjectWorkflowChanged(projectID: project.id, from: from, to: to)))
        }
        for task in tasks {
            // Both states exist: every task state is mapped, and every mapping was checked above.
            let fromState = old.state(task.state)
            let toState = new.state(mapping[task.state]!)!
            let emit = Emitter(task: task.id, now: context.now)
            if let pending = task.pendingApproval {
                events.append(emit(ApprovalCancelled(taskID: task.id, approvalID: pending.id, reason: "workflow migrated")))
            }
            events.append(
                emit(
                    TaskWorkflowMigrated(
                        taskID: task.id, from: from, to: to, fromState: task.state, toState: toState.id,
                        fromName: fromState?.name ?? task.state.rawValue, toName: toState.name, fromCategory: task.category,
                        toCategory: toState.category)))
            if task.category != .completed, toState.category == .completed {
                events.append(emit(TaskCompleted(taskID: task.id, state: toState.id)))
            } else if task.category == .completed, toState.category != .completed {
                events.append(emit(TaskReopened(taskID: task.id, state: toState.id)))
            }
        }
        return events
    }
}
