public import Workflow

extension CommandService {
    /// Which transitions `member` may take on `task` now, and what is missing for each: the same checks
    /// a move runs, against the same states and column counts a move would be decided on.
    public func transitions(of task: TaskID, for member: MemberID) throws(CommandError) -> [TransitionOption] {
        guard let state = try self.task(task), let project = try self.project(state.project),
            let workflow = try self.workflow(state.workflow.workflow), let workspace = try self.loadWorkspace()
        else { throw .domain(.notFound(kind: "task", id: task.rawValue)) }
        let actor: Actor
        do {
            actor = try Actor.resolve(member: member, workspace: workspace, project: project)
        } catch {
            throw .unknownActor(member)
        }
        let context = TaskContext(
            now: configuration.clock(), workspace: workspace, project: project, workflow: workflow,
            columnCounts: try columnCounts(of: state.project), limits: configuration.limits)
        return TaskDecider.availableTransitions(for: state, actor: actor, context: context)
    }
}
