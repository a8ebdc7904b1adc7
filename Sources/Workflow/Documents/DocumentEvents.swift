/// What a document is attached to.
public enum DocumentAttachment: Hashable, Sendable, Codable {
    /// A task of the document's project.
    case task(TaskID)
    /// The project itself.
    case project

    private enum CodingKeys: String, CodingKey { case kind, task }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .kind) {
        case "task": self = .task(try container.decode(TaskID.self, forKey: .task))
        case "project": self = .project
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: container, debugDescription: "unknown attachment \(other)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .task(let task):
            try container.encode("task", forKey: .kind)
            try container.encode(task, forKey: .task)
        case .project:
            try container.encode("project", forKey: .kind)
        }
    }
}

/// Whom a document is shared with beyond its project: a project's members read its documents anyway
/// (with `document.read`), so a share reaches someone outside it, by name or by workspace role (e.g.
/// every workspace `member`).
public enum DocumentShareTarget: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    case member(MemberID)
    case role(WorkspaceRole)

    private enum CodingKeys: String, CodingKey { case member, role }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let member = try container.decodeIfPresent(MemberID.self, forKey: .member) {
            self = .member(member)
        } else {
            self = .role(try container.decode(WorkspaceRole.self, forKey: .role))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .member(let member): try container.encode(member, forKey: .member)
        case .role(let role): try container.encode(role, forKey: .role)
        }
    }

    public var description: String {
        switch self {
        case .member(let member): "member " + member.rawValue
        case .role(let role): "role " + role.rawValue
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.description < rhs.description }
}

/// The file of one document version: its metadata and the SHA-256 of its bytes. The bytes are stored
/// content-addressed by digest outside the log; an event never holds them.
public struct DocumentFile: Hashable, Sendable, Codable {
    public var fileName: String
    /// A media type, e.g. `application/pdf`.
    public var contentType: String
    public var sizeBytes: Int64
    /// Lower-case hex SHA-256 of the bytes (64 characters).
    public var sha256: String

    public init(fileName: String, contentType: String, sizeBytes: Int64, sha256: String) {
        self.fileName = fileName
        self.contentType = contentType
        self.sizeBytes = sizeBytes
        self.sha256 = sha256
    }
}

/// A document was uploaded (its first version).
public struct DocumentAdded: EventPayload {
    public static let type = "DocumentAdded"
    public static let schemaVersion = 1
    public var documentID: DocumentID
    public var projectID: ProjectID
    public var attachedTo: DocumentAttachment
    public var title: String
    public var file: DocumentFile
    public var uploader: MemberID
}

/// A new version of a document was uploaded. Versions count from 1 (the `DocumentAdded` one).
public struct DocumentVersionAdded: EventPayload {
    public static let type = "DocumentVersionAdded"
    public static let schemaVersion = 1
    public var documentID: DocumentID
    public var version: Int
    public var file: DocumentFile
    public var uploader: MemberID
}

/// A document was shared with a member or a project role.
public struct DocumentShared: EventPayload {
    public static let type = "DocumentShared"
    public static let schemaVersion = 1
    public var documentID: DocumentID
    public var with: DocumentShareTarget
    /// The member's name or the role, as it read then.
    public var withDisplay: String
}

/// A share was withdrawn.
public struct DocumentUnshared: EventPayload {
    public static let type = "DocumentUnshared"
    public static let schemaVersion = 1
    public var documentID: DocumentID
    public var with: DocumentShareTarget
    public var withDisplay: String
}

/// A document was removed (soft): it no longer shows, its history and digests stay. The bytes may be
/// collected once no live document version references the digest.
public struct DocumentRemoved: EventPayload {
    public static let type = "DocumentRemoved"
    public static let schemaVersion = 1
    public var documentID: DocumentID
}

extension DocumentAdded {
    public var eventBody: EventBody { .documentAdded(self) }
}

extension DocumentVersionAdded {
    public var eventBody: EventBody { .documentVersionAdded(self) }
}

extension DocumentShared {
    public var eventBody: EventBody { .documentShared(self) }
}

extension DocumentUnshared {
    public var eventBody: EventBody { .documentUnshared(self) }
}

extension DocumentRemoved {
    public var eventBody: EventBody { .documentRemoved(self) }
}
