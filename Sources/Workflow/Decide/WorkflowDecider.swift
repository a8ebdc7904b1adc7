/// Decides workflow commands: `decide(state, command, actor, context) -> events`, pure.
public enum WorkflowDecider {
    /// The events `command` produces on `state` (nil before the workflow exists), or the refusal.
    public static func decide(
        _ state: WorkflowState?, _ command: WorkflowCommand, actor: Actor, context: DecisionContext
    ) throws(DomainError) -> [DomainEvent] {
        try checkVersion(expected: context.expectedVersion, actual: state?.version ?? 0)
        try actor.require(.workflowManage)
        let limits = context.limits
        let stream = StreamName.workflow(command.workflow)
        func event(_ payload: some EventPayload) -> DomainEvent { DomainEvent(stream: stream, at: context.now, payload) }

        switch command.action {
        case .create(let name, let definition):
            if state != nil { throw .alreadyExists(kind: "workflow", id: command.workflow.rawValue) }
            try command.workflow.validated(limits: limits)
            let name = try Text.singleLine(name, field: "name", bytesMax: limits.nameBytesMax)
            let canonical = try definition.validated(limits: limits)
            return [
                event(WorkflowCreated(workflowID: command.workflow, name: name)),
                event(WorkflowVersionPublished(workflowID: command.workflow, version: 1, definition: canonical)),
            ]

        case .publish(let definition):
            guard let state else { throw .notFound(kind: "workflow", id: command.workflow.rawValue) }
            precondition(state.id == command.workflow, "the command service loaded the wrong workflow")
            guard state.versions.count < limits.versionsPerWorkflowMax else {
                throw .limitExceeded(field: "workflow versions", limit: limits.versionsPerWorkflowMax, actual: state.versions.count + 1)
            }
            let canonical = try definition.validated(limits: limits)
            // A version identical to the latest would pin nothing new and only lengthen the list. The request is
            // well formed; it conflicts with what the workflow already holds, hence `already-exists` (409).
            if canonical == state.versions.last {
                throw .alreadyExists(kind: "identical workflow version", id: String(state.latestVersion))
            }
            return [event(WorkflowVersionPublished(workflowID: state.id, version: state.latestVersion + 1, definition: canonical))]
        }
    }
}
