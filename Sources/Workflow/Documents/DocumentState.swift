/// Whether a document can be read and changed.
public enum DocumentStatus: String, Hashable, Sendable, Codable {
    case available
    /// Removed (soft): hidden, unchangeable, its history intact.
    case deleted
}

/// One version of a document.
public struct DocumentVersion: Hashable, Sendable {
    public var number: Int
    public var file: DocumentFile
    public var uploader: MemberID
    public var at: Instant
}

/// The document aggregate (stream `document-ID`): a title, its versions' metadata and digests, and its
/// shares. Its own stream so that uploads never contend with the task they are attached to.
public struct DocumentState: AggregateState {
    public var id: DocumentID
    public var project: ProjectID
    public var attachedTo: DocumentAttachment
    public var title: String
    /// Who uploaded the first version: the owner for `document.delete.own`.
    public var uploader: MemberID
    /// Oldest first; version N is at index N - 1.
    public var versions: [DocumentVersion]
    public var shares: Set<DocumentShareTarget>
    public var status: DocumentStatus
    public var createdAt: Instant
    public var version: UInt64

    /// The newest version.
    public var current: DocumentVersion { versions[versions.count - 1] }

    /// Whether `actor` (resolved in the document's project) may read the document: `document.read`, and
    /// membership of the project or a share naming them or their workspace role. Admins and auditors
    /// read everything: DOMAIN.md's auditor reads the whole workspace.
    public func isReadable(by actor: Actor) -> Bool {
        guard status == .available, actor.has(.documentRead) else { return false }
        if actor.isAdmin || actor.workspaceRole == .auditor || actor.projectRole != nil { return true }
        return shares.contains(.member(actor.member)) || shares.contains(.role(actor.workspaceRole))
    }

    public static func start(with event: DomainEvent) -> DocumentState? {
        guard case .documentAdded(let added) = event.body else { return nil }
        return DocumentState(
            id: added.documentID, project: added.projectID, attachedTo: added.attachedTo, title: added.title, uploader: added.uploader,
            versions: [DocumentVersion(number: 1, file: added.file, uploader: added.uploader, at: event.at)], shares: [],
            status: .available, createdAt: event.at, version: 1)
    }

    public func evolve(_ event: DomainEvent) -> DocumentState {
        var next = self
        next.version += 1
        switch event.body {
        case .documentVersionAdded(let added) where added.version == versions.count + 1:
            next.versions.append(DocumentVersion(number: added.version, file: added.file, uploader: added.uploader, at: event.at))
        case .documentShared(let shared):
            next.shares.insert(shared.with)
        case .documentUnshared(let unshared):
            next.shares.remove(unshared.with)
        case .documentRemoved:
            next.status = .deleted
        default:
            break
        }
        return next
    }
}
