import Workflow

/// What a task command needs to know about other aggregates: the milestone it joins, and the parent
/// it gets with that parent's chain of ancestors.
extension CommandService {
    /// Write gates a task command holds besides its task's stream.
    ///
    /// Re-parenting in a project takes turns: two concurrent re-parentings (A under B, B under A) would
    /// each check the other's old parent chain and together make a cycle. With the gate, the second
    /// decides on the first's committed result.
    func relatedGates(for command: TaskCommand) throws(CommandError) -> [String] {
        guard case .setParent(.some) = command.action else { return [] }
        try Self.catchUp(&index, log: log, own: ownCommits)
        guard let project = index.project(of: command.task) else { return [] }
        return [Self.hierarchyGate(of: project)]
    }

    /// The gate of `project`'s task hierarchy (not a stream: nothing is appended under this name).
    static func hierarchyGate(of project: ProjectID) -> String { "gate:hierarchy-" + project.rawValue }

    /// The milestone named by `addToMilestone`, or the parent candidate named by `setParent`.
    func relatedStates(for action: TaskAction) throws(CommandError) -> (milestone: MilestoneState?, parent: ParentCandidate?) {
        switch action {
        case .addToMilestone(let milestone):
            return (try load(MilestoneState.self, .milestone(milestone)).state, nil)
        case .setParent(let parent?):
            return (nil, try parentCandidate(parent))
        default:
            return (nil, nil)
        }
    }

    /// The candidate and its parent chain, nearest first. Walks at most `parentDepthMax` parents: a
    /// longer chain is refused by the domain anyway, and the walk stops at a repeat, so a damaged chain
    /// cannot make it loop.
    private func parentCandidate(_ id: TaskID) throws(CommandError) -> ParentCandidate? {
        guard let task = try load(TaskState.self, .task(id)).state else { return nil }
        var ancestors: [TaskID] = []
        var next = task.parent
        while let current = next, current != id, !ancestors.contains(current), ancestors.count < configuration.limits.parentDepthMax {
            ancestors.append(current)
            next = try load(TaskState.self, .task(current)).state?.parent
        }
        return ParentCandidate(task: id, key: task.key, project: task.project, isDeleted: task.isDeleted, ancestors: ancestors)
    }
}
