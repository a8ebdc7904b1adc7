/// Whether a member can act.
public enum MemberStatus: String, Hashable, Sendable, Codable {
    case active
    /// Removed: kept so history still names them; can do nothing.
    case removed
}

/// A member of a workspace.
public struct MemberRecord: Hashable, Sendable {
    public var id: MemberID
    public var displayName: String
    public var email: String
    public var kind: MemberKind
    public var role: WorkspaceRole
    public var status: MemberStatus
}

/// The workspace aggregate (stream `workspace`): settings and members.
///
/// Members live in the workspace's stream rather than one stream each because two rules span them
/// all: an email is unique among active members, and the last active admin cannot be removed.
public struct WorkspaceState: AggregateState {
    public var id: WorkspaceID
    public var slug: String
    public var name: String
    public var timeZone: String
    public var members: [MemberID: MemberRecord]
    public var createdAt: Instant
    public var version: UInt64

    /// Active members holding the admin role.
    public var activeAdminCount: Int {
        members.values.count { $0.status == .active && $0.role == .admin }
    }

    /// The member's display name for history, or the id when unknown.
    public func displayName(of member: MemberID) -> String {
        members[member]?.displayName ?? member.rawValue
    }

    public static func start(with event: DomainEvent) -> WorkspaceState? {
        guard case .workspaceCreated(let created) = event.body else { return nil }
        return WorkspaceState(
            id: created.workspaceID, slug: created.slug, name: created.name, timeZone: created.timeZone, members: [:],
            createdAt: event.at, version: 1)
    }

    public func evolve(_ event: DomainEvent) -> WorkspaceState {
        var next = self
        next.version += 1
        switch event.body {
        case .workspaceSettingsChanged(let changed):
            next.name = changed.name
            next.timeZone = changed.timeZone
        case .memberAdded(let added):
            next.members[added.memberID] = MemberRecord(
                id: added.memberID, displayName: added.displayName, email: added.email, kind: added.kind, role: added.role,
                status: .active)
        case .memberRoleChanged(let changed):
            next.members[changed.memberID]?.role = changed.to
        case .memberRemoved(let removed):
            next.members[removed.memberID]?.status = .removed
        default:
            break
        }
        return next
    }
}
