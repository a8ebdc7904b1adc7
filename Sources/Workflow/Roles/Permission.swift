/// A right to do one kind of thing, named `resource.verb` as in DOMAIN.md. The `own` variants allow the
/// action only on the actor's own things: for tasks, those the actor authored or is assigned to; for
/// comments and documents, those the actor wrote or uploaded.
///
/// The raw values are the names used in the grants table, the API and `docs/permissions.md`.
public enum Permission: String, CaseIterable, Hashable, Sendable, Codable, Comparable {
    /// Every permission (what an admin holds), made once.
    public static let all = Set(allCases)

    case workspaceManage = "workspace.manage"
    case memberManage = "member.manage"
    case tokenManage = "token.manage"
    case auditRead = "audit.read"
    case projectCreate = "project.create"
    case projectUpdate = "project.update"
    case projectArchive = "project.archive"
    case projectMemberManage = "project.member.manage"
    case workflowManage = "workflow.manage"
    case reminderManage = "reminder.manage"
    case taskCreate = "task.create"
    case taskUpdate = "task.update"
    case taskUpdateOwn = "task.update.own"
    case taskAssign = "task.assign"
    case taskTransition = "task.transition"
    case taskTransitionOwn = "task.transition.own"
    case taskReorder = "task.reorder"
    case taskDelete = "task.delete"
    case commentCreate = "comment.create"
    case commentUpdateOwn = "comment.update.own"
    case commentDeleteAny = "comment.delete.any"
    case documentUpload = "document.upload"
    case documentRead = "document.read"
    case documentDeleteOwn = "document.delete.own"
    case milestoneManage = "milestone.manage"
    case approvalRequest = "approval.request"
    case approvalDecide = "approval.decide"

    /// Whether the permission only reads. The auditor role is limited to these whatever else its
    /// grants say: an auditor can change nothing.
    public var isReadOnly: Bool {
        self == .auditRead || self == .documentRead
    }

    /// The broader permission that includes this `own` variant (`task.update` includes
    /// `task.update.own`), or nil. Holding the broader one is enough wherever the variant is asked for.
    public var broader: Permission? {
        switch self {
        case .taskUpdateOwn: .taskUpdate
        case .taskTransitionOwn: .taskTransition
        default: nil
        }
    }

    /// Catalogue order, as DOMAIN.md lists them.
    public static func < (lhs: Permission, rhs: Permission) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
