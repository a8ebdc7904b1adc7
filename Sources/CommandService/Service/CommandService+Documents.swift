public import Workflow

extension CommandService {
    /// Executes a document command. The bytes are not the domain's business: store them first
    /// (`DocumentStore`, content-addressed) and pass their digest and size in the command. `project` is
    /// required to add a document; for other actions it is optional, and when given must be the
    /// document's project.
    ///
    /// ```swift
    /// let stored = try store.put(bytes)
    /// try await service.execute(
    ///     DocumentCommand(document: "d-1", .add(NewDocument(attachedTo: .task("t-1"), title: "Spec", file: file))),
    ///     project: "p-1", metadata: metadata)
    /// ```
    @discardableResult
    public func execute(
        _ command: DocumentCommand, project projectID: ProjectID? = nil, metadata: CommandMetadata, expectedVersion: UInt64? = nil
    ) async throws(CommandError) -> CommandOutcome {
        let stream = StreamName.document(command.document)
        if case .add = command.action, projectID == nil {
            throw .domain(.validationFailed(field: "project", reason: "adding a document needs the project it belongs to"))
        }
        return try await commit(gates: [stream.rawValue], metadata: metadata) { () throws(CommandError) -> Decision in
            let workspace = try requireWorkspace()
            let (document, version) = try load(DocumentState.self, stream)
            let project: ProjectID
            if let document {
                if let projectID, projectID != document.project { throw .domain(.notFound(kind: "document", id: command.document.rawValue)) }
                project = document.project
            } else if case .add = command.action, let projectID {
                project = projectID
            } else {
                throw .domain(.notFound(kind: "document", id: command.document.rawValue))
            }
            guard let projectState = try load(ProjectState.self, .project(project)).state else {
                throw .domain(.notFound(kind: "project", id: project.rawValue))
            }
            let actor = try resolve(metadata.member, workspace: workspace, project: projectState)
            var task: TaskState?
            if case .add(let new) = command.action, case .task(let taskID) = new.attachedTo {
                task = try load(TaskState.self, .task(taskID)).state
            }
            let context = DocumentContext(
                now: configuration.clock(), workspace: workspace, project: projectState, task: task, expectedVersion: expectedVersion,
                limits: configuration.limits)
            let events = try domain { () throws(DomainError) in try DocumentDecider.decide(document, command, actor: actor, context: context) }
            return Decision(
                events: events, versions: [stream.rawValue: version],
                actorKind: metadata.actorKind ?? actorKind(of: metadata.member, in: workspace), task: nil, project: nil)
        }
    }

    /// A document's current state.
    public func document(_ id: DocumentID) throws(CommandError) -> DocumentState? {
        try load(DocumentState.self, .document(id)).state
    }
}
