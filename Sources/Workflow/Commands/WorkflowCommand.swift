/// What to do to a workflow.
public enum WorkflowAction: Equatable, Sendable {
    /// Creates the workflow and publishes `definition` as version 1. Needs `workflow.manage`.
    case create(name: String, definition: WorkflowDefinition)
    /// Publishes the next version. Needs `workflow.manage`.
    case publish(WorkflowDefinition)
}

/// A command on a workflow aggregate (stream `workflow-ID`).
///
/// Workflows belong to the workspace, so the actor is resolved without a project role: by default only
/// admins design workflows, and project managers choose which version their project uses.
public struct WorkflowCommand: Equatable, Sendable {
    public var workflow: WorkflowID
    public var action: WorkflowAction

    public init(workflow: WorkflowID, _ action: WorkflowAction) {
        self.workflow = workflow
        self.action = action
    }
}
