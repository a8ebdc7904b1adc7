/// What a full column does to a move into it.
public enum WIPEnforcement: String, CaseIterable, Hashable, Sendable, Codable {
    /// The move is allowed and flagged (`wipLimitExceeded`), so the board can show the overflow.
    case soft
    /// The move is refused with `wip-limit-exceeded`.
    case hard
}

/// A workflow and one of its published versions.
public struct WorkflowPin: Hashable, Sendable, Codable, CustomStringConvertible {
    public var workflow: WorkflowID
    public var version: Int

    public init(workflow: WorkflowID, version: Int) {
        self.workflow = workflow
        self.version = version
    }

    public var description: String { "\(workflow)@\(version)" }
}

/// Whether a project accepts changes.
public enum ProjectStatus: String, Hashable, Sendable, Codable {
    case active, archived
}

/// A label a project defines (see `LabelCreated` for why its name is its identity).
public struct ProjectLabel: Hashable, Sendable {
    public var name: String
    /// `#rrggbb`.
    public var color: String
    public var description: String
}

/// The project aggregate (stream `project-ID`).
public struct ProjectState: AggregateState {
    public var id: ProjectID
    public var key: String
    public var name: String
    public var description: String
    public var status: ProjectStatus
    public var lead: MemberID?
    public var startDate: CalendarDate?
    public var targetDate: CalendarDate?
    /// The workflow version new tasks pin.
    public var workflow: WorkflowPin
    public var wipEnforcement: WIPEnforcement
    public var members: [MemberID: ProjectRole]
    public var createdAt: Instant
    public var updatedAt: Instant
    /// The labels its tasks may be given, by name. (Defaulted, so the initialiser in `start` reads as it
    /// did before labels existed.)
    public var labels: [String: ProjectLabel] = [:]
    public var version: UInt64

    public static func start(with event: DomainEvent) -> ProjectState? {
        guard case .projectCreated(let created) = event.body else { return nil }
        return ProjectState(
            id: created.projectID, key: created.key, name: created.name, description: created.description, status: .active,
            lead: created.lead, startDate: created.startDate, targetDate: created.targetDate, workflow: created.workflow,
            wipEnforcement: created.wipEnforcement, members: [:], createdAt: event.at, updatedAt: event.at,
            version: 1)
    }

    public func evolve(_ event: DomainEvent) -> ProjectState {
        var next = self
        next.version += 1
        next.updatedAt = event.at
        switch event.body {
        case .projectUpdated(let updated):
            next.name = updated.name
            next.description = updated.description
            next.lead = updated.lead
            next.startDate = updated.startDate
            next.targetDate = updated.targetDate
            next.wipEnforcement = updated.wipEnforcement
        case .projectArchived:
            next.status = .archived
        case .projectRestored:
            next.status = .active
        case .projectMemberAdded(let added):
            next.members[added.memberID] = added.role
        case .projectMemberRoleChanged(let changed):
            next.members[changed.memberID] = changed.to
        case .projectMemberRemoved(let removed):
            next.members[removed.memberID] = nil
        case .labelCreated(let created):
            next.labels[created.name] = ProjectLabel(name: created.name, color: created.color, description: created.description)
        case .labelUpdated(let updated):
            next.labels[updated.name] = ProjectLabel(name: updated.name, color: updated.color, description: updated.description)
        case .labelDeleted(let deleted):
            next.labels[deleted.name] = nil
        case .projectWorkflowChanged(let changed):
            next.workflow = changed.to
        default:
            break
        }
        return next
    }
}
