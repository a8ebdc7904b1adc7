import EventLog
import Workflow

/// What decisions need from across the workspace that no single stream holds: live tasks per state
/// for each project (WIP limits), the project keys in use (keys are unique in a workspace), each
/// project's highest task number (numbers are unique in a project and span all its task streams), each
/// project's active sprint and each milestone's tasks (sprint start and close), and which tasks are on
/// which workflow version (migrations).
///
/// Built once from the whole log when the service starts, then kept current by folding every later
/// event in position order: the service applies the batches it appends itself, and reads from the log
/// whatever it has not seen (another writer's events, or its own whose completion it has not yet
/// processed). `appliedThrough` is the last position folded in, so nothing is counted twice.
///
/// Decisions also see `pending` arrivals: moves and creates decided but not yet committed. Two moves
/// into the same column are decided one after the other on the service's actor but appended
/// concurrently; without counting the first while it is in flight, both would fit a column with one
/// free slot. Pending departures are not subtracted (the move may still fail), so while appends are in
/// flight a column can look fuller than it is, never emptier: a hard limit is never passed.
///
/// A reservation ends when its append returns, or earlier, as soon as the index folds in an event of
/// the same task stored after the reservation was made: that is either the reserved event itself
/// (committed, and read from the log by another decision's catch-up before its own append returned) or
/// another writer's, which makes the reserved append fail its expected version. Either way counting
/// both would count one card twice and refuse a move into a column that has room.
struct WorkspaceIndex: Sendable {
    private struct Placement: Sendable {
        var project: ProjectID
        var state: StateID
        var isDeleted: Bool
        var isArchived = false
        /// The workflow version the task is on (nil in reservations, which do not need it).
        var pin: WorkflowPin?
        var milestone: MilestoneID?

        /// On the board: counted in its column.
        var isLive: Bool { !isDeleted && !isArchived }
    }

    /// A reservation of in-flight effects, released when its append finishes.
    struct Reservation: Sendable {
        /// The task whose stream the append writes (nil for project commands).
        var task: TaskID?
        /// The log's head when the reservation was made: the reserved events will be stored after it.
        var after: UInt64 = 0
        var arrivals: [ColumnKey]
        var keys: [String]
        /// The task number a creation claims.
        var number: (project: ProjectID, number: Int)?
    }

    struct ColumnKey: Hashable, Sendable {
        var project: ProjectID
        var state: StateID
    }

    /// The last log position folded in.
    private(set) var appliedThrough: UInt64 = 0
    private var tasks: [TaskID: Placement] = [:]
    private var counts: [ProjectID: [StateID: Int]] = [:]
    /// Project key → project.
    private(set) var projectKeys: [String: ProjectID] = [:]
    /// In-flight arrivals by task (one command per task stream is in flight: the service's write gates).
    private var pendingArrivals: [TaskID: (after: UInt64, arrivals: [ColumnKey])] = [:]
    private var pendingKeys: [String: Int] = [:]
    /// The highest committed task number of each project.
    private var highestNumbers: [ProjectID: Int] = [:]
    /// Numbers claimed by creations in flight. A failed creation gives its number back; if a later one
    /// succeeded meanwhile, the number is skipped (a gap, never a repeat).
    private var pendingNumbers: [ProjectID: Set<Int>] = [:]
    /// The active sprint of each project that has one.
    private var activeSprints: [ProjectID: MilestoneID] = [:]
    /// The tasks in each milestone (deleted and archived ones included: they are still in it).
    private var milestoneTasks: [MilestoneID: Set<TaskID>] = [:]
    /// Every reminder rule, for the scheduler (rules are few; their state comes from their streams).
    private(set) var reminderRules: Set<ReminderRuleID> = []

    /// Tasks that are not deleted, for the scheduler (archived ones included: the evaluations skip them).
    var liveTasks: [TaskID] { tasks.compactMap { $0.value.isDeleted ? nil : $0.key } }

    /// The only event types that change the index: others are skipped without decoding.
    static let relevantTypes: Set<String> = [
        ProjectCreated.type, TaskCreated.type, TaskMoved.type, TaskDeleted.type, TaskRestored.type, TaskArchived.type,
        TaskUnarchived.type, TaskWorkflowMigrated.type, TaskAddedToMilestone.type, TaskRemovedFromMilestone.type,
        SprintStarted.type, SprintClosed.type, ReminderRuleCreated.type,
    ]

    /// Committed live tasks per state of `project`.
    func committedCounts(of project: ProjectID) -> [StateID: Int] { counts[project] ?? [:] }

    /// Live tasks per state of `project`, with in-flight arrivals counted: what a decision gets.
    func columnCounts(of project: ProjectID) -> [StateID: Int] {
        var result = counts[project] ?? [:]
        for (_, pending) in pendingArrivals {
            for key in pending.arrivals where key.project == project { result[key.state, default: 0] += 1 }
        }
        return result
    }

    /// Keys of every project, committed or being created: what a project decision gets.
    func projectKeysInUse(except project: ProjectID? = nil) -> Set<String> {
        var keys = Set(projectKeys.compactMap { $0.value == project ? nil : $0.key })
        keys.formUnion(pendingKeys.keys)
        return keys
    }

    /// The number the next task created in `project` takes: one more than any committed or in flight.
    func nextTaskNumber(of project: ProjectID) -> Int {
        max(highestNumbers[project] ?? 0, pendingNumbers[project]?.max() ?? 0) + 1
    }

    /// The project's active sprint (committed). Sprint starts in a project take turns (the service's
    /// gate per project), so no start is in flight while another decides.
    func activeSprint(of project: ProjectID) -> MilestoneID? { activeSprints[project] }

    /// The tasks in `milestone`, sorted.
    func tasks(inMilestone milestone: MilestoneID) -> [TaskID] { (milestoneTasks[milestone] ?? []).sorted() }

    /// The tasks of `project` pinned to `pin`, sorted.
    func tasks(of project: ProjectID, pinnedTo pin: WorkflowPin) -> [TaskID] {
        tasks.compactMap { $0.value.project == project && $0.value.pin == pin ? $0.key : nil }.sorted()
    }

    /// The project of a task the index knows.
    func project(of task: TaskID) -> ProjectID? { tasks[task]?.project }

    // MARK: Folding committed events

    /// Folds in `event`, stored at `position`; a position already folded in is ignored. Positions must
    /// come in order (the caller reads the log to fill any gap first).
    mutating func apply(_ event: DomainEvent, at position: UInt64) {
        guard position > appliedThrough else { return }
        precondition(position == appliedThrough + 1, "index fold skipped from \(appliedThrough) to \(position)")
        appliedThrough = position
        if let task = Self.task(of: event), let pending = pendingArrivals[task], position > pending.after {
            pendingArrivals[task] = nil
        }
        switch event.body {
        case .projectCreated(let created):
            projectKeys[created.key] = created.projectID
        case .reminderRuleCreated(let created):
            reminderRules.insert(created.ruleID)
        case .taskCreated(let created):
            tasks[created.taskID] = Placement(project: created.projectID, state: created.state, isDeleted: false, pin: created.workflow)
            adjust(created.projectID, created.state, by: 1)
            highestNumbers[created.projectID] = max(highestNumbers[created.projectID] ?? 0, created.number)
        case .taskMoved(let moved):
            move(moved.taskID, to: moved.to)
        case .taskDeleted(let deleted):
            setFlags(deleted.taskID) { $0.isDeleted = true }
        case .taskRestored(let restored):
            setFlags(restored.taskID) { $0.isDeleted = false }
        case .taskArchived(let archived):
            setFlags(archived.taskID) { $0.isArchived = true }
        case .taskUnarchived(let unarchived):
            setFlags(unarchived.taskID) { $0.isArchived = false }
        case .taskWorkflowMigrated(let migrated):
            move(migrated.taskID, to: migrated.toState)
            tasks[migrated.taskID]?.pin = migrated.to
        case .taskAddedToMilestone(let added):
            guard tasks[added.taskID] != nil else { return }
            if let previous = tasks[added.taskID]?.milestone { milestoneTasks[previous]?.remove(added.taskID) }
            tasks[added.taskID]?.milestone = added.milestoneID
            milestoneTasks[added.milestoneID, default: []].insert(added.taskID)
        case .taskRemovedFromMilestone(let removed):
            guard tasks[removed.taskID]?.milestone == removed.milestoneID else { return }
            tasks[removed.taskID]?.milestone = nil
            milestoneTasks[removed.milestoneID]?.remove(removed.taskID)
        case .sprintStarted(let started):
            activeSprints[started.projectID] = started.milestoneID
        case .sprintClosed(let closed):
            if activeSprints[closed.projectID] == closed.milestoneID { activeSprints[closed.projectID] = nil }
        default:
            break
        }
    }

    /// A task changes column: counted out of the old and into the new one while it is on the board.
    private mutating func move(_ task: TaskID, to state: StateID) {
        guard var placement = tasks[task] else { return }
        if placement.isLive {
            adjust(placement.project, placement.state, by: -1)
            adjust(placement.project, state, by: 1)
        }
        placement.state = state
        tasks[task] = placement
    }

    /// A task leaves or returns to the board (deleted, archived, restored, unarchived).
    private mutating func setFlags(_ task: TaskID, _ change: (inout Placement) -> Void) {
        guard var placement = tasks[task] else { return }
        let wasLive = placement.isLive
        change(&placement)
        if wasLive != placement.isLive { adjust(placement.project, placement.state, by: placement.isLive ? 1 : -1) }
        tasks[task] = placement
    }

    /// The task an index-relevant event is about.
    private static func task(of event: DomainEvent) -> TaskID? {
        switch event.body {
        case .taskCreated(let created): created.taskID
        case .taskMoved(let moved): moved.taskID
        case .taskDeleted(let deleted): deleted.taskID
        case .taskRestored(let restored): restored.taskID
        case .taskArchived(let archived): archived.taskID
        case .taskUnarchived(let unarchived): unarchived.taskID
        case .taskWorkflowMigrated(let migrated): migrated.taskID
        case .taskAddedToMilestone(let added): added.taskID
        case .taskRemovedFromMilestone(let removed): removed.taskID
        default: nil
        }
    }

    /// Folds in `event` at `position`, or marks the position as seen when `event` is nil (a type the
    /// index does not read).
    mutating func fold(_ event: DomainEvent?, at position: UInt64) {
        if let event { apply(event, at: position) } else { skip(position) }
    }

    /// Marks `position` as seen for an event that does not change the index.
    mutating func skip(_ position: UInt64) {
        guard position > appliedThrough else { return }
        precondition(position == appliedThrough + 1, "index fold skipped from \(appliedThrough) to \(position)")
        appliedThrough = position
    }

    private mutating func adjust(_ project: ProjectID, _ state: StateID, by delta: Int) {
        let count = counts[project, default: [:]][state, default: 0] + delta
        counts[project, default: [:]][state] = count == 0 ? nil : count
    }

    // MARK: In-flight reservations

    /// What `events`, decided on `task` (nil for a new one) in `project`, would add while in flight:
    /// the columns a live card enters, and the project keys claimed.
    static func reservation(for events: [DomainEvent], task: TaskState?, project: ProjectID?) -> Reservation {
        var reservation = Reservation(task: task?.id, arrivals: [], keys: [])
        var placement = task.map {
            Placement(project: $0.project, state: $0.state, isDeleted: $0.isDeleted, isArchived: $0.isArchived, pin: $0.workflow)
        }
        for event in events {
            switch event.body {
            case .projectCreated(let created):
                reservation.keys.append(created.key)
            case .taskCreated(let created):
                reservation.task = created.taskID
                reservation.number = (created.projectID, created.number)
                placement = Placement(project: created.projectID, state: created.state, isDeleted: false, pin: created.workflow)
                reservation.arrivals.append(ColumnKey(project: created.projectID, state: created.state))
            case .taskMoved(let moved):
                guard var current = placement ?? project.map({ Placement(project: $0, state: moved.from, isDeleted: false) }) else { break }
                current.state = moved.to
                if current.isLive { reservation.arrivals.append(ColumnKey(project: current.project, state: moved.to)) }
                placement = current
            case .taskDeleted:
                placement?.isDeleted = true
            case .taskArchived:
                placement?.isArchived = true
            case .taskRestored:
                if var current = placement, current.isDeleted {
                    current.isDeleted = false
                    if current.isLive { reservation.arrivals.append(ColumnKey(project: current.project, state: current.state)) }
                    placement = current
                }
            case .taskUnarchived:
                if var current = placement, current.isArchived {
                    current.isArchived = false
                    if current.isLive { reservation.arrivals.append(ColumnKey(project: current.project, state: current.state)) }
                    placement = current
                }
            default:
                break
            }
        }
        return reservation
    }

    /// Counts `reservation` in decisions until `release` (or until its task's events are folded in).
    mutating func reserve(_ reservation: Reservation) {
        if let task = reservation.task, !reservation.arrivals.isEmpty {
            pendingArrivals[task] = (reservation.after, reservation.arrivals)
        }
        for key in reservation.keys { pendingKeys[key, default: 0] += 1 }
        if let (project, number) = reservation.number { pendingNumbers[project, default: []].insert(number) }
    }

    /// Ends `reservation` (idempotent for its arrivals: they may have ended when its events were folded in).
    mutating func release(_ reservation: Reservation) {
        if let task = reservation.task, pendingArrivals[task]?.after == reservation.after {
            pendingArrivals[task] = nil
        }
        for key in reservation.keys {
            let count = pendingKeys[key, default: 0] - 1
            pendingKeys[key] = count <= 0 ? nil : count
        }
        if let (project, number) = reservation.number {
            pendingNumbers[project]?.remove(number)
            if pendingNumbers[project]?.isEmpty == true { pendingNumbers[project] = nil }
        }
    }
}
