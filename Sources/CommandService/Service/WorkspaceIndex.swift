import EventLog
import Workflow

/// What decisions need from across the workspace that no single stream holds: live tasks per state
/// for each project (WIP limits), the project keys in use (keys are unique in a workspace) and each
/// project's highest task number (numbers are unique in a project and span all its task streams).
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

    /// The only event types that change the index: others are skipped without decoding.
    static let relevantTypes: Set<String> = [
        ProjectCreated.type, TaskCreated.type, TaskMoved.type, TaskDeleted.type, TaskRestored.type,
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
        case .taskCreated(let created):
            tasks[created.taskID] = Placement(project: created.projectID, state: created.state, isDeleted: false)
            adjust(created.projectID, created.state, by: 1)
            highestNumbers[created.projectID] = max(highestNumbers[created.projectID] ?? 0, created.number)
        case .taskMoved(let moved):
            guard var placement = tasks[moved.taskID] else { return }
            if !placement.isDeleted {
                adjust(placement.project, placement.state, by: -1)
                adjust(placement.project, moved.to, by: 1)
            }
            placement.state = moved.to
            tasks[moved.taskID] = placement
        case .taskDeleted(let deleted):
            guard var placement = tasks[deleted.taskID], !placement.isDeleted else { return }
            adjust(placement.project, placement.state, by: -1)
            placement.isDeleted = true
            tasks[deleted.taskID] = placement
        case .taskRestored(let restored):
            guard var placement = tasks[restored.taskID], placement.isDeleted else { return }
            adjust(placement.project, placement.state, by: 1)
            placement.isDeleted = false
            tasks[restored.taskID] = placement
        default:
            break
        }
    }

    /// The task an index-relevant event is about.
    private static func task(of event: DomainEvent) -> TaskID? {
        switch event.body {
        case .taskCreated(let created): created.taskID
        case .taskMoved(let moved): moved.taskID
        case .taskDeleted(let deleted): deleted.taskID
        case .taskRestored(let restored): restored.taskID
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
        var placement = task.map { Placement(project: $0.project, state: $0.state, isDeleted: $0.isDeleted) }
        for event in events {
            switch event.body {
            case .projectCreated(let created):
                reservation.keys.append(created.key)
            case .taskCreated(let created):
                reservation.task = created.taskID
                reservation.number = (created.projectID, created.number)
                placement = Placement(project: created.projectID, state: created.state, isDeleted: false)
                reservation.arrivals.append(ColumnKey(project: created.projectID, state: created.state))
            case .taskMoved(let moved):
                guard var current = placement ?? project.map({ Placement(project: $0, state: moved.from, isDeleted: false) }) else { break }
                current.state = moved.to
                if !current.isDeleted { reservation.arrivals.append(ColumnKey(project: current.project, state: moved.to)) }
                placement = current
            case .taskDeleted:
                placement?.isDeleted = true
            case .taskRestored:
                if var current = placement, current.isDeleted {
                    current.isDeleted = false
                    reservation.arrivals.append(ColumnKey(project: current.project, state: current.state))
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
