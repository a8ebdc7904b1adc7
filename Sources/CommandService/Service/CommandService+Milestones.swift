public import Workflow

extension CommandService {
    /// Executes a milestone or sprint command. `project` is required to create one (the command does not
    /// name it); for other actions it is optional, and when given must be the milestone's project.
    ///
    /// The service supplies what the decider cannot read: the project's active sprint (from the
    /// workspace index), the tasks in the milestone (the index knows which; their estimates and
    /// categories come from their states), and the carry-over target. Closing a sprint appends a
    /// `TaskAddedToMilestone` to each carried-over task's stream in the same atomic append, so it holds
    /// the gates of every task in the sprint.
    ///
    /// ```swift
    /// try await service.execute(MilestoneCommand(milestone: "s-7", .close(carryOverTo: "s-8")), metadata: metadata)
    /// ```
    @discardableResult
    public func execute(
        _ command: MilestoneCommand, project projectID: ProjectID? = nil, metadata: CommandMetadata, expectedVersion: UInt64? = nil
    ) async throws(CommandError) -> CommandOutcome {
        let stream = StreamName.milestone(command.milestone)
        // Read outside the gates only to know which gates to take; the decision reads everything again.
        let existing = try load(MilestoneState.self, stream).state
        let project: ProjectID
        if let existing {
            if let projectID, projectID != existing.project { throw .domain(.notFound(kind: "milestone", id: command.milestone.rawValue)) }
            project = existing.project
        } else if case .create = command.action, let projectID {
            project = projectID
        } else if case .create = command.action {
            throw .domain(.validationFailed(field: "project", reason: "creating a milestone needs the project it belongs to"))
        } else {
            throw .domain(.notFound(kind: "milestone", id: command.milestone.rawValue))
        }
        var gates = [stream.rawValue]
        var taskGates: [TaskID] = []
        switch command.action {
        case .start:
            gates.append(Self.sprintGate(of: project))
        case .close:
            try Self.catchUp(&index, log: log, own: ownCommits)
            taskGates = index.tasks(inMilestone: command.milestone)
            gates.append(Self.sprintGate(of: project))
            gates += taskGates.map { StreamName.task($0).rawValue }
        case .create, .update:
            break
        }

        return try await commit(gates: gates, metadata: metadata) { () throws(CommandError) -> Decision in
            let workspace = try requireWorkspace()
            let (milestone, version) = try load(MilestoneState.self, stream)
            guard let projectState = try load(ProjectState.self, .project(project)).state else {
                throw .domain(.notFound(kind: "project", id: project.rawValue))
            }
            let actor = try resolve(metadata.member, workspace: workspace, project: projectState)
            var versions = [stream.rawValue: version]
            var tasks: [SprintTask] = []
            var target: MilestoneState?
            switch command.action {
            case .start, .close:
                let members = index.tasks(inMilestone: command.milestone)
                if case .close = command.action, members != taskGates {
                    // A task joined or left the sprint while this command waited for its gates: the
                    // carried-over events would go to streams it does not hold.
                    throw .versionConflict(stream: stream.rawValue, attempts: 1)
                }
                for id in members {
                    let (task, taskVersion) = try load(TaskState.self, .task(id))
                    versions[StreamName.task(id).rawValue] = taskVersion
                    guard let task, !task.isDeleted else { continue }
                    tasks.append(SprintTask(taskID: id, estimate: task.estimate, category: task.category))
                }
                if case .close(let targetID?) = command.action {
                    target = try load(MilestoneState.self, .milestone(targetID)).state
                }
            case .create, .update:
                break
            }
            let context = MilestoneContext(
                now: configuration.clock(), project: projectState, activeSprint: index.activeSprint(of: project), tasks: tasks,
                carryOverTarget: target, expectedVersion: expectedVersion, limits: configuration.limits)
            let events = try domain { () throws(DomainError) in try MilestoneDecider.decide(milestone, command, actor: actor, context: context) }
            return Decision(
                events: events, versions: versions, actorKind: metadata.actorKind ?? actorKind(of: metadata.member, in: workspace), task: nil,
                project: nil)
        }
    }

    /// A milestone's current state.
    public func milestone(_ id: MilestoneID) throws(CommandError) -> MilestoneState? {
        try load(MilestoneState.self, .milestone(id)).state
    }

    /// The gate of `project`'s sprints (not a stream). Starts and closes take turns, so a start always
    /// decides on the index's committed answer to "is another sprint active?": one active sprint per
    /// project holds without an in-flight reservation.
    static func sprintGate(of project: ProjectID) -> String { "gate:sprints-" + project.rawValue }
}
