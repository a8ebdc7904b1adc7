/// The workflow aggregate (stream `workflow-ID`): a name and the published versions. (Not to be
/// confused with a workflow's states, the board columns: those are `StateDefinition`s.)
///
/// Versions only ever get appended: a published version never changes.
public struct WorkflowState: AggregateState {
    public var id: WorkflowID
    public var name: String
    /// Published versions; version N is at index N - 1.
    public var versions: [WorkflowDefinition]
    public var version: UInt64

    /// The newest published version number (0 before the first is published).
    public var latestVersion: Int { versions.count }

    /// The definition of published version `number`, or nil.
    public func definition(version number: Int) -> WorkflowDefinition? {
        guard number >= 1, number <= versions.count else { return nil }
        return versions[number - 1]
    }

    public static func start(with event: DomainEvent) -> WorkflowState? {
        guard case .workflowCreated(let created) = event.body else { return nil }
        return WorkflowState(id: created.workflowID, name: created.name, versions: [], version: 1)
    }

    public func evolve(_ event: DomainEvent) -> WorkflowState {
        var next = self
        next.version += 1
        if case .workflowVersionPublished(let published) = event.body, published.version == versions.count + 1 {
            next.versions.append(published.definition)
        }
        return next
    }
}
