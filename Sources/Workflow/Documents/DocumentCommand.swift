/// What is needed to add a document: its metadata and the digest of bytes the service has already
/// stored (content-addressed), never the bytes themselves.
public struct NewDocument: Equatable, Sendable {
    public var attachedTo: DocumentAttachment
    public var title: String
    public var file: DocumentFile

    public init(attachedTo: DocumentAttachment, title: String, file: DocumentFile) {
        self.attachedTo = attachedTo
        self.title = title
        self.file = file
    }
}

/// What to do to a document.
public enum DocumentAction: Equatable, Sendable {
    /// Needs `document.upload` in the project.
    case add(NewDocument)
    /// Needs `document.upload`.
    case addVersion(DocumentFile)
    /// Needs `document.upload` (whoever may contribute documents may widen who reads them).
    case share(DocumentShareTarget)
    /// Needs `document.upload`.
    case unshare(DocumentShareTarget)
    /// Soft removal: the uploader with `document.delete.own`, or an admin.
    case remove
}

/// A command on a document aggregate (stream `document-ID`).
public struct DocumentCommand: Equatable, Sendable {
    public var document: DocumentID
    public var action: DocumentAction

    public init(document: DocumentID, _ action: DocumentAction) {
        self.document = document
        self.action = action
    }
}

/// What a document decision needs: the workspace (members to share with), the document's project, and
/// for `add` to a task, that task.
public struct DocumentContext: Sendable {
    public var now: Instant
    public var expectedVersion: UInt64?
    public var limits: Limits
    public var workspace: WorkspaceState
    public var project: ProjectState
    /// The task an `add` attaches to; nil otherwise or when it does not exist.
    public var task: TaskState?

    public init(
        now: Instant, workspace: WorkspaceState, project: ProjectState, task: TaskState? = nil, expectedVersion: UInt64? = nil,
        limits: Limits = .standard
    ) {
        self.now = now
        self.expectedVersion = expectedVersion
        self.limits = limits
        self.workspace = workspace
        self.project = project
        self.task = task
    }
}
