/// Where a milestone or sprint is in its life. Only sprints leave `planned`: `planned → active → closed`.
public enum MilestoneStatus: String, Hashable, Sendable, Codable {
    case planned, active, closed
}

/// The milestone aggregate (stream `milestone-ID`): a milestone or a sprint of one project.
///
/// Its own stream rather than the project's: sprints start and close with snapshots of many tasks, and
/// those events would otherwise lengthen the stream every task creation loads and appends to.
public struct MilestoneState: AggregateState {
    public var id: MilestoneID
    public var project: ProjectID
    public var kind: MilestoneKind
    public var name: String
    public var startDate: CalendarDate?
    public var dueDate: CalendarDate?
    public var status: MilestoneStatus
    /// The scope snapshot taken when the sprint started; empty before.
    public var scope: [SprintScopeItem]
    public var startedAt: Instant?
    public var closedAt: Instant?
    /// What the close recorded (empty before).
    public var completed: [TaskID]
    public var carriedOver: [TaskID]
    public var carriedOverTo: MilestoneID?
    public var createdAt: Instant
    public var version: UInt64

    public static func start(with event: DomainEvent) -> MilestoneState? {
        guard case .milestoneCreated(let created) = event.body else { return nil }
        return MilestoneState(
            id: created.milestoneID, project: created.projectID, kind: created.kind, name: created.name, startDate: created.startDate,
            dueDate: created.dueDate, status: .planned, scope: [], startedAt: nil, closedAt: nil, completed: [], carriedOver: [],
            carriedOverTo: nil, createdAt: event.at, version: 1)
    }

    public func evolve(_ event: DomainEvent) -> MilestoneState {
        var next = self
        next.version += 1
        switch event.body {
        case .milestoneUpdated(let updated):
            next.name = updated.name
            next.startDate = updated.startDate
            next.dueDate = updated.dueDate
        case .sprintStarted(let started):
            next.status = .active
            next.scope = started.scope
            next.startedAt = event.at
        case .sprintClosed(let closed):
            next.status = .closed
            next.completed = closed.completed
            next.carriedOver = closed.carriedOver
            next.carriedOverTo = closed.carriedOverTo
            next.closedAt = event.at
        default:
            break
        }
        return next
    }
}
