public import Workflow

/// A set of aggregate states keyed by id, the way the command service holds a workspace: what the
/// tests build by folding events into it (a domain world in memory, or every stream read back from the
/// log) to compare with what the code under test holds.
public protocol AggregateFolding {
    var workspace: WorkspaceState? { get set }
    var projects: [ProjectID: ProjectState] { get set }
    var workflows: [WorkflowID: WorkflowState] { get set }
    var tasks: [TaskID: TaskState] { get set }
    var reminders: [ReminderRuleID: ReminderRuleState] { get set }
    var milestones: [MilestoneID: MilestoneState] { get set }
    var documents: [DocumentID: DocumentState] { get set }
    var tokens: [TokenID: TokenState] { get set }
}

extension AggregateFolding {
    /// Folds `event` into its aggregate's state with `evolve`. False for an event outside the domain's
    /// aggregates: the security audit's (kept, no state) or a foreign stream's.
    @discardableResult
    public mutating func fold(_ event: DomainEvent) -> Bool {
        let name = event.stream.rawValue
        func id(_ prefix: String) -> String { String(name.dropFirst(prefix.count)) }
        switch event.stream.kind {
        case .workspace: workspace = WorkspaceState.evolve(workspace, event)
        case .project: projects[ProjectID(id("project-"))] = ProjectState.evolve(projects[ProjectID(id("project-"))], event)
        case .workflow: workflows[WorkflowID(id("workflow-"))] = WorkflowState.evolve(workflows[WorkflowID(id("workflow-"))], event)
        case .task: tasks[TaskID(id("task-"))] = TaskState.evolve(tasks[TaskID(id("task-"))], event)
        case .reminder:
            reminders[ReminderRuleID(id("reminder-"))] = ReminderRuleState.evolve(reminders[ReminderRuleID(id("reminder-"))], event)
        case .milestone:
            milestones[MilestoneID(id("milestone-"))] = MilestoneState.evolve(milestones[MilestoneID(id("milestone-"))], event)
        case .document: documents[DocumentID(id("document-"))] = DocumentState.evolve(documents[DocumentID(id("document-"))], event)
        case .token: tokens[TokenID(id("token-"))] = TokenState.evolve(tokens[TokenID(id("token-"))], event)
        case .security, nil: return false
        }
        return true
    }
}
