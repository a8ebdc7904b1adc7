/// Every event the domain writes, one case per payload type: `evolve` switches over it exhaustively, so
/// a new event type cannot be forgotten by an aggregate that must handle it.
///
/// Payload types added after the first cut keep their `eventBody` next to their declaration (e.g.
/// `Milestones/MilestoneEvents.swift`); the cases and the catalogue are all here.
public enum EventBody: Hashable, Sendable {
    case workspaceCreated(WorkspaceCreated)
    case workspaceSettingsChanged(WorkspaceSettingsChanged)
    case memberAdded(MemberAdded)
    case memberRoleChanged(MemberRoleChanged)
    case memberRemoved(MemberRemoved)
    case tokenIssued(TokenIssued)
    case tokenRevoked(TokenRevoked)
    case accessDenied(AccessDenied)
    case projectCreated(ProjectCreated)
    case projectUpdated(ProjectUpdated)
    case projectArchived(ProjectArchived)
    case projectRestored(ProjectRestored)
    case projectMemberAdded(ProjectMemberAdded)
    case projectMemberRoleChanged(ProjectMemberRoleChanged)
    case projectMemberRemoved(ProjectMemberRemoved)
    case labelCreated(LabelCreated)
    case labelUpdated(LabelUpdated)
    case labelDeleted(LabelDeleted)
    case projectWorkflowChanged(ProjectWorkflowChanged)
    case workflowCreated(WorkflowCreated)
    case workflowVersionPublished(WorkflowVersionPublished)
    case tasksMigratedToWorkflowVersion(TasksMigratedToWorkflowVersion)
    case taskCreated(TaskCreated)
    case taskEdited(TaskEdited)
    case taskAssigned(TaskAssigned)
    case taskUnassigned(TaskUnassigned)
    case taskPriorityChanged(TaskPriorityChanged)
    case taskDatesChanged(TaskDatesChanged)
    case taskEstimateChanged(TaskEstimateChanged)
    case taskLabelsChanged(TaskLabelsChanged)
    case taskParentChanged(TaskParentChanged)
    case taskAddedToMilestone(TaskAddedToMilestone)
    case taskRemovedFromMilestone(TaskRemovedFromMilestone)
    case taskMoved(TaskMoved)
    case taskReordered(TaskReordered)
    case taskCompleted(TaskCompleted)
    case taskReopened(TaskReopened)
    case taskBecameOverdue(TaskBecameOverdue)
    case taskArchived(TaskArchived)
    case taskUnarchived(TaskUnarchived)
    case taskDeleted(TaskDeleted)
    case taskRestored(TaskRestored)
    case taskWorkflowMigrated(TaskWorkflowMigrated)
    case commentAdded(CommentAdded)
    case commentEdited(CommentEdited)
    case commentDeleted(CommentDeleted)
    case commentRestored(CommentRestored)
    case documentAdded(DocumentAdded)
    case documentVersionAdded(DocumentVersionAdded)
    case documentShared(DocumentShared)
    case documentUnshared(DocumentUnshared)
    case documentRemoved(DocumentRemoved)
    case milestoneCreated(MilestoneCreated)
    case milestoneUpdated(MilestoneUpdated)
    case sprintStarted(SprintStarted)
    case sprintClosed(SprintClosed)
    case approvalRequested(ApprovalRequested)
    case approvalDecisionRecorded(ApprovalDecisionRecorded)
    case approvalGranted(ApprovalGranted)
    case approvalRejected(ApprovalRejected)
    case approvalCancelled(ApprovalCancelled)
    case approvalExpired(ApprovalExpired)
    case reminderRuleCreated(ReminderRuleCreated)
    case reminderRuleChanged(ReminderRuleChanged)
    case reminderRuleDisabled(ReminderRuleDisabled)
    case reminderRuleEnabled(ReminderRuleEnabled)
    case reminderFired(ReminderFired)

    /// The payload.
    public var payload: any EventPayload {
        switch self {
        case .workspaceCreated(let payload): payload
        case .workspaceSettingsChanged(let payload): payload
        case .memberAdded(let payload): payload
        case .memberRoleChanged(let payload): payload
        case .memberRemoved(let payload): payload
        case .tokenIssued(let payload): payload
        case .tokenRevoked(let payload): payload
        case .accessDenied(let payload): payload
        case .projectCreated(let payload): payload
        case .projectUpdated(let payload): payload
        case .projectArchived(let payload): payload
        case .projectRestored(let payload): payload
        case .projectMemberAdded(let payload): payload
        case .projectMemberRoleChanged(let payload): payload
        case .projectMemberRemoved(let payload): payload
        case .labelCreated(let payload): payload
        case .labelUpdated(let payload): payload
        case .labelDeleted(let payload): payload
        case .projectWorkflowChanged(let payload): payload
        case .workflowCreated(let payload): payload
        case .workflowVersionPublished(let payload): payload
        case .tasksMigratedToWorkflowVersion(let payload): payload
        case .taskCreated(let payload): payload
        case .taskEdited(let payload): payload
        case .taskAssigned(let payload): payload
        case .taskUnassigned(let payload): payload
        case .taskPriorityChanged(let payload): payload
        case .taskDatesChanged(let payload): payload
        case .taskEstimateChanged(let payload): payload
        case .taskLabelsChanged(let payload): payload
        case .taskParentChanged(let payload): payload
        case .taskAddedToMilestone(let payload): payload
        case .taskRemovedFromMilestone(let payload): payload
        case .taskMoved(let payload): payload
        case .taskReordered(let payload): payload
        case .taskCompleted(let payload): payload
        case .taskReopened(let payload): payload
        case .taskBecameOverdue(let payload): payload
        case .taskArchived(let payload): payload
        case .taskUnarchived(let payload): payload
        case .taskDeleted(let payload): payload
        case .taskRestored(let payload): payload
        case .taskWorkflowMigrated(let payload): payload
        case .commentAdded(let payload): payload
        case .commentEdited(let payload): payload
        case .commentDeleted(let payload): payload
        case .commentRestored(let payload): payload
        case .documentAdded(let payload): payload
        case .documentVersionAdded(let payload): payload
        case .documentShared(let payload): payload
        case .documentUnshared(let payload): payload
        case .documentRemoved(let payload): payload
        case .milestoneCreated(let payload): payload
        case .milestoneUpdated(let payload): payload
        case .sprintStarted(let payload): payload
        case .sprintClosed(let payload): payload
        case .approvalRequested(let payload): payload
        case .approvalDecisionRecorded(let payload): payload
        case .approvalGranted(let payload): payload
        case .approvalRejected(let payload): payload
        case .approvalCancelled(let payload): payload
        case .approvalExpired(let payload): payload
        case .reminderRuleCreated(let payload): payload
        case .reminderRuleChanged(let payload): payload
        case .reminderRuleDisabled(let payload): payload
        case .reminderRuleEnabled(let payload): payload
        case .reminderFired(let payload): payload
        }
    }

    /// The event type, e.g. `TaskMoved`.
    public var type: String { Swift.type(of: payload).type }

    /// The schema version the payload is written in.
    public var schemaVersion: Int { Swift.type(of: payload).schemaVersion }

    /// Writes the payload (the envelope's `data`).
    public func encodePayload(to encoder: any Encoder) throws {
        try payload.encode(to: encoder)
    }

    /// Every payload type, in catalogue order (for documentation and decoding).
    public static let catalogue: [any EventPayload.Type] = [
        WorkspaceCreated.self,
        WorkspaceSettingsChanged.self,
        MemberAdded.self,
        MemberRoleChanged.self,
        MemberRemoved.self,
        TokenIssued.self,
        TokenRevoked.self,
        AccessDenied.self,
        ProjectCreated.self,
        ProjectUpdated.self,
        ProjectArchived.self,
        ProjectRestored.self,
        ProjectMemberAdded.self,
        ProjectMemberRoleChanged.self,
        ProjectMemberRemoved.self,
        LabelCreated.self,
        LabelUpdated.self,
        LabelDeleted.self,
        ProjectWorkflowChanged.self,
        WorkflowCreated.self,
        WorkflowVersionPublished.self,
        TasksMigratedToWorkflowVersion.self,
        TaskCreated.self,
        TaskEdited.self,
        TaskAssigned.self,
        TaskUnassigned.self,
        TaskPriorityChanged.self,
        TaskDatesChanged.self,
        TaskEstimateChanged.self,
        TaskLabelsChanged.self,
        TaskParentChanged.self,
        TaskAddedToMilestone.self,
        TaskRemovedFromMilestone.self,
        TaskMoved.self,
        TaskReordered.self,
        TaskCompleted.self,
        TaskReopened.self,
        TaskBecameOverdue.self,
        TaskArchived.self,
        TaskUnarchived.self,
        TaskDeleted.self,
        TaskRestored.self,
        TaskWorkflowMigrated.self,
        CommentAdded.self,
        CommentEdited.self,
        CommentDeleted.self,
        CommentRestored.self,
        DocumentAdded.self,
        DocumentVersionAdded.self,
        DocumentShared.self,
        DocumentUnshared.self,
        DocumentRemoved.self,
        MilestoneCreated.self,
        MilestoneUpdated.self,
        SprintStarted.self,
        SprintClosed.self,
        ApprovalRequested.self,
        ApprovalDecisionRecorded.self,
        ApprovalGranted.self,
        ApprovalRejected.self,
        ApprovalCancelled.self,
        ApprovalExpired.self,
        ReminderRuleCreated.self,
        ReminderRuleChanged.self,
        ReminderRuleDisabled.self,
        ReminderRuleEnabled.self,
        ReminderFired.self,
    ]
}

extension WorkspaceCreated {
    public var eventBody: EventBody { .workspaceCreated(self) }
}

extension WorkspaceSettingsChanged {
    public var eventBody: EventBody { .workspaceSettingsChanged(self) }
}

extension MemberAdded {
    public var eventBody: EventBody { .memberAdded(self) }
}

extension MemberRoleChanged {
    public var eventBody: EventBody { .memberRoleChanged(self) }
}

extension MemberRemoved {
    public var eventBody: EventBody { .memberRemoved(self) }
}

extension ProjectCreated {
    public var eventBody: EventBody { .projectCreated(self) }
}

extension ProjectUpdated {
    public var eventBody: EventBody { .projectUpdated(self) }
}

extension ProjectArchived {
    public var eventBody: EventBody { .projectArchived(self) }
}

extension ProjectRestored {
    public var eventBody: EventBody { .projectRestored(self) }
}

extension ProjectMemberAdded {
    public var eventBody: EventBody { .projectMemberAdded(self) }
}

extension ProjectMemberRoleChanged {
    public var eventBody: EventBody { .projectMemberRoleChanged(self) }
}

extension ProjectMemberRemoved {
    public var eventBody: EventBody { .projectMemberRemoved(self) }
}

extension ProjectWorkflowChanged {
    public var eventBody: EventBody { .projectWorkflowChanged(self) }
}

extension WorkflowCreated {
    public var eventBody: EventBody { .workflowCreated(self) }
}

extension WorkflowVersionPublished {
    public var eventBody: EventBody { .workflowVersionPublished(self) }
}

extension TaskCreated {
    public var eventBody: EventBody { .taskCreated(self) }
}

extension TaskEdited {
    public var eventBody: EventBody { .taskEdited(self) }
}

extension TaskAssigned {
    public var eventBody: EventBody { .taskAssigned(self) }
}

extension TaskUnassigned {
    public var eventBody: EventBody { .taskUnassigned(self) }
}

extension TaskPriorityChanged {
    public var eventBody: EventBody { .taskPriorityChanged(self) }
}

extension TaskDatesChanged {
    public var eventBody: EventBody { .taskDatesChanged(self) }
}

extension TaskEstimateChanged {
    public var eventBody: EventBody { .taskEstimateChanged(self) }
}

extension TaskLabelsChanged {
    public var eventBody: EventBody { .taskLabelsChanged(self) }
}

extension TaskMoved {
    public var eventBody: EventBody { .taskMoved(self) }
}

extension TaskReordered {
    public var eventBody: EventBody { .taskReordered(self) }
}

extension TaskCompleted {
    public var eventBody: EventBody { .taskCompleted(self) }
}

extension TaskReopened {
    public var eventBody: EventBody { .taskReopened(self) }
}

extension TaskDeleted {
    public var eventBody: EventBody { .taskDeleted(self) }
}

extension TaskRestored {
    public var eventBody: EventBody { .taskRestored(self) }
}

extension CommentAdded {
    public var eventBody: EventBody { .commentAdded(self) }
}

extension CommentEdited {
    public var eventBody: EventBody { .commentEdited(self) }
}

extension CommentDeleted {
    public var eventBody: EventBody { .commentDeleted(self) }
}

extension CommentRestored {
    public var eventBody: EventBody { .commentRestored(self) }
}

extension ApprovalRequested {
    public var eventBody: EventBody { .approvalRequested(self) }
}

extension ApprovalDecisionRecorded {
    public var eventBody: EventBody { .approvalDecisionRecorded(self) }
}

extension ApprovalGranted {
    public var eventBody: EventBody { .approvalGranted(self) }
}

extension ApprovalRejected {
    public var eventBody: EventBody { .approvalRejected(self) }
}

extension ApprovalCancelled {
    public var eventBody: EventBody { .approvalCancelled(self) }
}

extension ApprovalExpired {
    public var eventBody: EventBody { .approvalExpired(self) }
}

extension ReminderRuleCreated {
    public var eventBody: EventBody { .reminderRuleCreated(self) }
}

extension ReminderRuleChanged {
    public var eventBody: EventBody { .reminderRuleChanged(self) }
}

extension ReminderRuleDisabled {
    public var eventBody: EventBody { .reminderRuleDisabled(self) }
}

extension ReminderRuleEnabled {
    public var eventBody: EventBody { .reminderRuleEnabled(self) }
}

extension ReminderFired {
    public var eventBody: EventBody { .reminderFired(self) }
}
