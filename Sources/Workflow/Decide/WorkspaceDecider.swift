/// Decides workspace commands: `decide(state, command, actor, context) -> events`, pure.
public enum WorkspaceDecider {
    /// The events `command` produces on `state` (nil before the workspace exists), or the refusal.
    public static func decide(
        _ state: WorkspaceState?, _ command: WorkspaceCommand, actor: Actor, context: DecisionContext
    ) throws(DomainError) -> [DomainEvent] {
        try checkVersion(expected: context.expectedVersion, actual: state?.version ?? 0)
        let limits = context.limits
        func event(_ payload: some EventPayload) -> DomainEvent { DomainEvent(stream: .workspace, at: context.now, payload) }

        if case .create(let new) = command {
            if let state { throw .alreadyExists(kind: "workspace", id: state.id.rawValue) }
            // Bootstrap: nobody holds permissions in a workspace that does not exist yet, so the rule is
            // that the founder creates it (the CLI's `init` acts as the founder).
            guard actor.member == new.founder.id else { throw .missingPermission(.workspaceManage) }
            try new.id.validated(limits: limits)
            let slug = try validSlug(new.slug)
            let name = try Text.singleLine(new.name, field: "name", bytesMax: limits.nameBytesMax)
            let timeZone = try validTimeZone(new.timeZone)
            var founder = try validMember(new.founder, limits: limits)
            founder.role = .admin
            return [
                event(WorkspaceCreated(workspaceID: new.id, slug: slug, name: name, timeZone: timeZone)),
                event(
                    MemberAdded(
                        memberID: founder.id, displayName: founder.displayName, email: founder.email, kind: founder.kind,
                        role: .admin)),
            ]
        }
        guard let state else { throw .notFound(kind: "workspace", id: "") }

        switch command {
        case .create:
            preconditionFailure("handled above")

        case .changeSettings(let nameUpdate, let timeZoneUpdate):
            try actor.require(.workspaceManage)
            var name = state.name
            var timeZone = state.timeZone
            if case .set(let newName) = nameUpdate { name = try Text.singleLine(newName, field: "name", bytesMax: limits.nameBytesMax) }
            if case .set(let newZone) = timeZoneUpdate { timeZone = try validTimeZone(newZone) }
            var changes: [FieldChange] = []
            if name != state.name { changes.append(FieldChange(field: "name", from: .text(state.name), to: .text(name))) }
            if timeZone != state.timeZone {
                changes.append(FieldChange(field: "timeZone", from: .text(state.timeZone), to: .text(timeZone)))
            }
            guard !changes.isEmpty else { return [] }
            return [event(WorkspaceSettingsChanged(name: name, timeZone: timeZone, changes: changes))]

        case .addMember(let new):
            try actor.require(.memberManage)
            let member = try validMember(new, limits: limits)
            if state.members[member.id] != nil { throw .alreadyExists(kind: "member", id: member.id.rawValue) }
            if state.members.values.contains(where: { $0.status == .active && $0.email == member.email }) {
                throw .alreadyExists(kind: "member email", id: member.email)
            }
            guard state.members.count < limits.membersPerWorkspaceMax else {
                throw .limitExceeded(field: "members", limit: limits.membersPerWorkspaceMax, actual: state.members.count + 1)
            }
            return [
                event(
                    MemberAdded(
                        memberID: member.id, displayName: member.displayName, email: member.email, kind: member.kind,
                        role: member.role))
            ]

        case .changeMemberRole(let id, let role):
            try actor.require(.memberManage)
            let record = try activeMember(id, in: state)
            guard record.role != role else { return [] }
            if record.role == .admin, state.activeAdminCount <= 1 { throw .lastAdmin(id) }
            return [event(MemberRoleChanged(memberID: id, memberName: record.displayName, from: record.role, to: role))]

        case .removeMember(let id):
            try actor.require(.memberManage)
            let record = try activeMember(id, in: state)
            // A workspace without an active admin cannot be managed by anyone: no command could fix it.
            if record.role == .admin, state.activeAdminCount <= 1 { throw .lastAdmin(id) }
            return [event(MemberRemoved(memberID: id, memberName: record.displayName))]
        }
    }

    static func activeMember(_ id: MemberID, in workspace: WorkspaceState) throws(DomainError) -> MemberRecord {
        guard let record = workspace.members[id], record.status == .active else { throw .notFound(kind: "member", id: id.rawValue) }
        return record
    }

    private static func validMember(_ member: NewMember, limits: Limits) throws(DomainError) -> NewMember {
        var member = member
        try member.id.validated(limits: limits)
        member.displayName = try Text.singleLine(member.displayName, field: "displayName", bytesMax: limits.nameBytesMax)
        member.email = try validEmail(member.email)
        return member
    }

    /// A plausible address, lower-cased so uniqueness ignores case. Deliverability is not the domain's
    /// business; this catches typing mistakes.
    private static func validEmail(_ email: String) throws(DomainError) -> String {
        let text = Text.trimmingWhitespace(email).lowercased()
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard text.utf8.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
            !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
            !text.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control })
        else { throw .validationFailed(field: "email", reason: "not an email address") }
        return text
    }

    private static func validSlug(_ slug: String) throws(DomainError) -> String {
        let bytes = Array(slug.utf8)
        guard (1...64).contains(bytes.count),
            bytes.allSatisfy({
                ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
                    || $0 == UInt8(ascii: "-")
            })
        else { throw .validationFailed(field: "slug", reason: "use 1-64 characters from a-z, 0-9 and '-'") }
        return slug
    }

    /// An IANA zone name by shape (`UTC`, `Europe/Berlin`, `America/Argentina/Buenos_Aires`, `Etc/GMT+2`);
    /// the domain has no zone database, the API checks that the zone exists.
    private static func validTimeZone(_ zone: String) throws(DomainError) -> String {
        let bytes = Array(zone.utf8)
        let allowed = { (byte: UInt8) -> Bool in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                true
            case UInt8(ascii: "/"), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "+"):
                true
            default:
                false
            }
        }
        guard (1...64).contains(bytes.count), bytes.allSatisfy(allowed), bytes.first != UInt8(ascii: "/"),
            bytes.last != UInt8(ascii: "/")
        else { throw .validationFailed(field: "timeZone", reason: "not an IANA time zone name") }
        return zone
    }
}
