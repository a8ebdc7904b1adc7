import Workflow

extension CommandService {
    /// Executes `ProjectAction.migrateTasks`: one atomic append to the project's stream and to the stream
    /// of every task of the project on the old version (the workspace index knows which), each with its
    /// expected version. Called by `execute(_: ProjectCommand, …)`.
    ///
    /// A migration larger than `Limits.tasksPerMigrationMax` is refused before any task is loaded (after
    /// the permission check, so the refusal tells only those allowed to migrate how many tasks there are).
    func migrate(
        _ projectID: ProjectID, from: WorkflowPin, to: WorkflowPin, mapping: [StateID: StateID], metadata: CommandMetadata,
        expectedVersion: UInt64?
    ) async throws(CommandError) -> CommandOutcome {
        let stream = StreamName.project(projectID)
        let command = ProjectCommand(project: projectID, .migrateTasks(from: from, to: to, mapping: mapping))
        try Self.catchUp(&index, log: log, own: ownCommits)
        let gatedTasks = index.tasks(of: projectID, pinnedTo: from)
        let limit = configuration.limits.tasksPerMigrationMax
        if gatedTasks.count > limit {
            let workspace = try requireWorkspace()
            let project = try load(ProjectState.self, stream).state
            let actor = try resolve(metadata.member, workspace: workspace, project: project)
            guard actor.has(.workflowManage) else { throw .domain(.missingPermission(.workflowManage)) }
            throw .domain(.migrationTooLarge(limit: limit, count: gatedTasks.count))
        }
        let gates = [stream.rawValue] + gatedTasks.map { StreamName.task($0).rawValue }

        return try await commit(gates: gates, metadata: metadata) { () throws(CommandError) -> Decision in
            let workspace = try requireWorkspace()
            let (project, version) = try load(ProjectState.self, stream)
            let actor = try resolve(metadata.member, workspace: workspace, project: project)
            // A task created on (or migrated to) the old version while this waited for its gates: its
            // stream is not held, so this decision cannot include it.
            guard index.tasks(of: projectID, pinnedTo: from) == gatedTasks else {
                throw .versionConflict(stream: stream.rawValue, attempts: 1)
            }
            var versions = [stream.rawValue: version]
            var tasks: [TaskState] = []
            for id in gatedTasks {
                let (task, taskVersion) = try load(TaskState.self, .task(id))
                versions[StreamName.task(id).rawValue] = taskVersion
                if let task { tasks.append(task) }
            }
            let source = try load(WorkflowState.self, .workflow(from.workflow)).state
            let target = try load(WorkflowState.self, .workflow(to.workflow)).state
            let context = ProjectContext(
                now: configuration.clock(), workspace: workspace, workflow: target, projectKeysInUse: [], migrationSource: source,
                migratingTasks: tasks, expectedVersion: expectedVersion, limits: configuration.limits)
            let events = try domain { () throws(DomainError) in try ProjectDecider.decide(project, command, actor: actor, context: context) }
            // No column reservation: a migration relabels cards already on the board and is not checked
            // against WIP limits (see `ProjectDecider.migrateTasks`).
            return Decision(
                events: events, versions: versions, actorKind: metadata.actorKind ?? actorKind(of: metadata.member, in: workspace), task: nil,
                project: projectID)
        }
    }
}
