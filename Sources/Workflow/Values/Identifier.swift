/// What an identifier names; gives error messages and validation a noun ("task", "member", …).
public protocol IdentifierKind: Sendable {
    /// The noun used in error messages, e.g. `task`.
    static var name: String { get }
}

/// A typed, opaque identifier chosen outside the domain (the command service generates ids), so that a
/// `TaskID` can never be passed where a `MemberID` is expected.
///
/// Ids are 1 to `Limits.idBytesMax` characters from `[A-Za-z0-9._-]`, other than `.` and `..`: they become
/// parts of stream names and URLs, so they must need no escaping anywhere and be path segments that stay.
///
/// ```swift
/// let task: TaskID = "t-0192"
/// try task.validated(limits: .standard)
/// ```
public struct Identifier<Kind: IdentifierKind>: RawRepresentable, Hashable, Comparable, Sendable, Codable,
    CustomStringConvertible, ExpressibleByStringLiteral
{
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Checks the id's length and characters; returns it unchanged.
    @discardableResult
    public func validated(limits: Limits) throws(DomainError) -> Self {
        let bytes = rawValue.utf8
        guard !bytes.isEmpty else { throw .validationFailed(field: Kind.name + " id", reason: "must not be empty") }
        guard bytes.count <= limits.idBytesMax else {
            throw .limitExceeded(field: Kind.name + " id", limit: limits.idBytesMax, actual: bytes.count)
        }
        for byte in bytes where !Self.isAllowed(byte) {
            throw .validationFailed(field: Kind.name + " id", reason: "use only A-Z, a-z, 0-9, '.', '_' and '-'")
        }
        // A URL path normalises these two away (RFC 3986 §5.2.4), so no route could address such an id.
        guard rawValue != ".", rawValue != ".." else {
            throw .validationFailed(field: Kind.name + " id", reason: "must not be '.' or '..'")
        }
        return self
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }
}

public enum WorkspaceTag: IdentifierKind { public static let name = "workspace" }
public enum MemberTag: IdentifierKind { public static let name = "member" }
public enum ProjectTag: IdentifierKind { public static let name = "project" }
public enum WorkflowTag: IdentifierKind { public static let name = "workflow" }
public enum StateTag: IdentifierKind { public static let name = "state" }
public enum TransitionTag: IdentifierKind { public static let name = "transition" }
public enum TaskTag: IdentifierKind { public static let name = "task" }
public enum CommentTag: IdentifierKind { public static let name = "comment" }
public enum ApprovalTag: IdentifierKind { public static let name = "approval" }
public enum ReminderRuleTag: IdentifierKind { public static let name = "reminder rule" }
public enum MilestoneTag: IdentifierKind { public static let name = "milestone" }
public enum DocumentTag: IdentifierKind { public static let name = "document" }
public enum TokenTag: IdentifierKind { public static let name = "token" }

/// A workspace (tenant).
public typealias WorkspaceID = Identifier<WorkspaceTag>
/// A person or service in a workspace.
public typealias MemberID = Identifier<MemberTag>
/// A project.
public typealias ProjectID = Identifier<ProjectTag>
/// A workflow (all of its versions).
public typealias WorkflowID = Identifier<WorkflowTag>
/// A state (board column) of a workflow version.
public typealias StateID = Identifier<StateTag>
/// A transition of a workflow version.
public typealias TransitionID = Identifier<TransitionTag>
/// A task.
public typealias TaskID = Identifier<TaskTag>
/// A comment on a task.
public typealias CommentID = Identifier<CommentTag>
/// An approval request; derived from the task id and a counter, so deciding needs no id generator.
public typealias ApprovalID = Identifier<ApprovalTag>
/// Names a reminder rule.
public typealias ReminderRuleID = Identifier<ReminderRuleTag>
/// A milestone or a sprint.
public typealias MilestoneID = Identifier<MilestoneTag>
/// A document (all of its versions).
public typealias DocumentID = Identifier<DocumentTag>
/// An API token; public (it appears in audit events), unlike the token's secret.
public typealias TokenID = Identifier<TokenTag>
