/// A workflow was created; its first version follows as `WorkflowVersionPublished`.
public struct WorkflowCreated: EventPayload {
    public static let type = "WorkflowCreated"
    public static let schemaVersion = 1
    public var workflowID: WorkflowID
    public var name: String
}

/// A new version of a workflow was published. Versions count from 1 and never change afterwards.
public struct WorkflowVersionPublished: EventPayload {
    public static let type = "WorkflowVersionPublished"
    public static let schemaVersion = 1
    public var workflowID: WorkflowID
    public var version: Int
    /// The validated, canonical definition.
    public var definition: WorkflowDefinition
}
