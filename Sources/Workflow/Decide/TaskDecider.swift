/// Decides task commands (the task itself, its comments and its approval requests):
/// `decide(state, command, actor, context) -> events`, pure.
///
/// ```swift
/// let actor = try Actor.resolve(member: member, workspace: workspace, project: project)
/// let context = TaskContext(now: now, workspace: workspace, project: project, workflow: workflow,
///                           columnCounts: board.counts)
/// let events = try TaskDecider.decide(task, TaskCommand(task: id, .move(to: "doing")), actor: actor, context: context)
/// ```
///
/// Checks run in one order for every action: the expected version, existence, the actor's permission,
/// the project's and the task's lifecycle (archived, deleted, read-only state), the input, then the
/// action's own rules. A refusal throws and produces no events.
public enum TaskDecider {
    /// The events `command` produces on `task` (nil before the task exists), or the refusal.
    public static func decide(
        _ task: TaskState?, _ command: TaskCommand, actor: Actor, context: TaskContext
    ) throws(DomainError) -> [DomainEvent] {
        try checkVersion(expected: context.expectedVersion, actual: task?.version ?? 0)

        if case .create(let new) = command.action {
            if task != nil { throw .alreadyExists(kind: "task", id: command.task.rawValue) }
            return try create(command.task, new, actor: actor, context: context)
        }
        guard let task else { throw .notFound(kind: "task", id: command.task.rawValue) }
        precondition(task.id == command.task, "the command service loaded the wrong task")
        precondition(task.project == context.project.id, "the context holds another project")
        let definition = try pinnedDefinition(of: task, in: context.workflow)
        let emit = Emitter(task: task.id, now: context.now)
        let limits = context.limits
        let isOwn = task.isOwn(by: actor.member)

        switch command.action {
        case .create:
            preconditionFailure("handled above")

        case .edit(let titleUpdate, let descriptionUpdate):
            try actor.require(.taskUpdate, orOwn: .taskUpdateOwn, isOwn: isOwn)
            try requireEditable(task, definition, context)
            let title = try titleUpdate.validated { (text) throws(DomainError) in
                try Text.singleLine(text, field: "title", bytesMax: limits.titleBytesMax)
            }.applied(to: task.title)
            let description = try descriptionUpdate.validated { (text) throws(DomainError) in
                try Text.multiLine(text, field: "description", bytesMax: limits.descriptionBytesMax)
            }.applied(to: task.description)
            var changes: [FieldChange] = []
            if title != task.title { changes.append(FieldChange(field: "title", from: .text(task.title), to: .text(title))) }
            if description != task.description {
                changes.append(FieldChange(field: "description", from: .text(task.description), to: .text(description)))
            }
            guard !changes.isEmpty else { return [] }
            return [
                emit(
                    TaskEdited(
                        taskID: task.id, title: title != task.title ? title : nil,
                        description: description != task.description ? description : nil, changes: changes))
            ]

        case .assign(let member):
            try actor.require(.taskAssign)
            try requireEditable(task, definition, context)
            let record = try WorkspaceDecider.activeMember(member, in: context.workspace)
            guard !task.assignees.contains(member) else { return [] }
            guard task.assignees.count < limits.assigneesPerTaskMax else {
                throw .limitExceeded(field: "assignees", limit: limits.assigneesPerTaskMax, actual: task.assignees.count + 1)
            }
            return [emit(TaskAssigned(taskID: task.id, memberID: member, memberName: record.displayName))]

        case .unassign(let member):
            try actor.require(.taskAssign)
            try requireEditable(task, definition, context)
            guard task.assignees.contains(member) else { return [] }
            return [emit(TaskUnassigned(taskID: task.id, memberID: member, memberName: context.workspace.displayName(of: member)))]

        case .setPriority(let priority):
            try actor.require(.taskUpdate, orOwn: .taskUpdateOwn, isOwn: isOwn)
            try requireEditable(task, definition, context)
            guard priority != task.priority else { return [] }
            let change = FieldChange(
                field: "priority", from: .text(task.priority.rawValue), to: .text(priority.rawValue),
                fromDisplay: task.priority.displayName, toDisplay: priority.displayName)
            return [emit(TaskPriorityChanged(taskID: task.id, priority: priority, changes: [change]))]

        case .setDates(let start, let due):
            try actor.require(.taskUpdate, orOwn: .taskUpdateOwn, isOwn: isOwn)
            try requireEditable(task, definition, context)
            try checkDates(start: start, end: due, endField: "dueDate")
            var changes: [FieldChange] = []
            if start != task.startDate { changes.append(dateChange("startDate", task.startDate, start)) }
            if due != task.dueDate { changes.append(dateChange("dueDate", task.dueDate, due)) }
            guard !changes.isEmpty else { return [] }
            return [emit(TaskDatesChanged(taskID: task.id, startDate: start, dueDate: due, changes: changes))]

        case .setEstimate(let estimate):
            try actor.require(.taskUpdate, orOwn: .taskUpdateOwn, isOwn: isOwn)
            try requireEditable(task, definition, context)
            try checkEstimate(estimate, limits: limits)
            guard estimate != task.estimate else { return [] }
            let change = FieldChange(field: "estimate", from: task.estimate.map { .text($0.description) }, to: estimate.map { .text($0.description) })
            return [emit(TaskEstimateChanged(taskID: task.id, estimate: estimate, changes: [change]))]

        case .setLabels(let labels):
            try actor.require(.taskUpdate, orOwn: .taskUpdateOwn, isOwn: isOwn)
            try requireEditable(task, definition, context)
            let labels = try canonicalLabels(labels, limits: limits)
            guard labels != task.labels else { return [] }
            let before = Set(task.labels)
            let after = Set(labels)
            try requireDefinedLabels(after.subtracting(before), project: context.project)
            let change = FieldChange(field: "labels", from: .list(task.labels), to: .list(labels))
            return [
                emit(
                    TaskLabelsChanged(
                        taskID: task.id, labels: labels, added: after.subtracting(before).sorted(),
                        removed: before.subtracting(after).sorted(), changes: [change]))
            ]

        case .move(let target, let rank, let reason):
            return try move(task, to: target, rank: rank, reason: reason, definition: definition, actor: actor, context: context)

        case .reorder(let rank):
            try actor.require(.taskReorder)
            // Read-only states allow this: the rank is the board's arrangement, not the task's content.
            try requireLive(task, context)
            let rank = try validRank(rank, limits: limits)
            guard rank != task.rank else { return [] }
            return [emit(TaskReordered(taskID: task.id, state: task.state, from: task.rank, to: rank))]

        case .setParent(let parent):
            try actor.require(.taskUpdate, orOwn: .taskUpdateOwn, isOwn: isOwn)
            try requireEditable(task, definition, context)
            return try setParent(parent, task: task, actor: actor, context: context)

        case .addToMilestone(let milestone):
            try actor.require(.taskUpdate, orOwn: .taskUpdateOwn, isOwn: isOwn)
            try requireEditable(task, definition, context)
            return try addToMilestone(milestone, task: task, context: context)

        case .removeFromMilestone:
            try actor.require(.taskUpdate, orOwn: .taskUpdateOwn, isOwn: isOwn)
            try requireEditable(task, definition, context)
            return removeFromMilestone(task: task, context: context)

        case .archive:
            return try archive(task: task, actor: actor, context: context)
        case .unarchive:
            return try unarchive(task: task, definition: definition, actor: actor, context: context)

        case .delete:
            try actor.require(.taskDelete)
            try requireEditable(task, definition, context)
            var events: [DomainEvent] = []
            // A deleted task cannot move, so an approval left pending would wait for nothing.
            if let pending = task.pendingApproval {
                events.append(emit(ApprovalCancelled(taskID: task.id, approvalID: pending.id, reason: "task deleted")))
            }
            events.append(emit(TaskDeleted(taskID: task.id)))
            return events

        case .restore:
            try actor.require(.taskDelete)
            try ProjectDecider.requireActive(context.project)
            guard task.isDeleted else { return [] }
            // The card comes back onto the board, so the column's hard limit applies as to any arrival.
            if let state = definition.state(task.state) {
                _ = try admission(into: state, context: context)
            }
            return [emit(TaskRestored(taskID: task.id))]

        case .addComment(let id, let body):
            return try addComment(id, body: body, task: task, actor: actor, context: context)
        case .editComment(let id, let body):
            return try editComment(id, body: body, task: task, actor: actor, context: context)
        case .deleteComment(let id):
            return try deleteComment(id, restore: false, task: task, actor: actor, context: context)
        case .restoreComment(let id):
            return try deleteComment(id, restore: true, task: task, actor: actor, context: context)

        case .decideApproval(let id, let verdict, let comment):
            return try decideApproval(id, verdict, comment: comment, task: task, definition: definition, actor: actor, context: context)
        case .cancelApproval(let id, let reason):
            return try cancelApproval(id, reason: reason, task: task, actor: actor, context: context)
        case .expireApproval(let id):
            return try expireApproval(id, task: task, actor: actor, context: context)
        }
    }

    // MARK: Create

    private static func create(_ id: TaskID, _ new: NewTask, actor: Actor, context: TaskContext) throws(DomainError) -> [DomainEvent] {
        let project = context.project
        let limits = context.limits
        try actor.require(.taskCreate)
        try ProjectDecider.requireActive(project)
        try id.validated(limits: limits)
        precondition(context.workflow.id == project.workflow.workflow, "the context holds another workflow than the project's")
        guard let definition = context.workflow.definition(version: project.workflow.version), let initial = definition.initialState
        else { throw .notFound(kind: "workflow version", id: project.workflow.description) }

        let title = try Text.singleLine(new.title, field: "title", bytesMax: limits.titleBytesMax)
        let description = try Text.multiLine(new.description, field: "description", bytesMax: limits.descriptionBytesMax)
        var assignees: [MemberID] = []
        for member in new.assignees where !assignees.contains(member) {
            _ = try WorkspaceDecider.activeMember(member, in: context.workspace)
            assignees.append(member)
        }
        guard assignees.count <= limits.assigneesPerTaskMax else {
            throw .limitExceeded(field: "assignees", limit: limits.assigneesPerTaskMax, actual: assignees.count)
        }
        let labels = try canonicalLabels(new.labels, limits: limits)
        try requireDefinedLabels(Set(labels), project: project)
        try checkDates(start: new.startDate, end: new.dueDate, endField: "dueDate")
        try checkEstimate(new.estimate, limits: limits)
        let rank = try new.rank.map { (rank) throws(DomainError) in try validRank(rank, limits: limits) }
        // A new card arrives in the initial column like a moved one: a hard limit refuses it too.
        let overLimit = try admission(into: initial, context: context)

        let number = context.nextTaskNumber
        let emit = Emitter(task: id, now: context.now)
        return [
            emit(
                TaskCreated(
                    taskID: id, projectID: project.id, number: number, key: project.key + "-" + String(number), title: title,
                    description: description, priority: new.priority, assignees: assignees, labels: labels,
                    startDate: new.startDate, dueDate: new.dueDate, estimate: new.estimate, author: actor.member,
                    workflow: project.workflow, state: initial.id, stateName: initial.name, category: initial.category,
                    rank: rank, wipLimitExceeded: overLimit))
        ]
    }

    // MARK: Shared checks

    /// The definition the task moves by. A missing one means the service loaded the wrong workflow, or a
    /// version was never published: refuse rather than guess.
    static func pinnedDefinition(of task: TaskState, in workflow: WorkflowState) throws(DomainError) -> WorkflowDefinition {
        guard workflow.id == task.workflow.workflow, let definition = workflow.definition(version: task.workflow.version) else {
            throw .notFound(kind: "workflow version", id: task.workflow.description)
        }
        return definition
    }

    /// The project is active and the task neither deleted nor archived.
    static func requireLive(_ task: TaskState, _ context: TaskContext) throws(DomainError) {
        try ProjectDecider.requireActive(context.project)
        if task.isDeleted { throw .taskDeleted(task.id) }
        if task.isArchived { throw .taskArchived(task.id) }
    }

    /// `requireLive`, and the task's state is not read-only (read-only states allow only moves and comments).
    static func requireEditable(_ task: TaskState, _ definition: WorkflowDefinition, _ context: TaskContext) throws(DomainError) {
        try requireLive(task, context)
        if definition.state(task.state)?.isReadOnly == true { throw .stateReadOnly(task.state) }
    }

    /// Whether a card may arrive in `state`: throws when a hard WIP limit is reached; returns true when a
    /// soft one is (allowed, flagged).
    static func admission(into state: StateDefinition, context: TaskContext) throws(DomainError) -> Bool {
        guard let limit = state.wipLimit else { return false }
        let count = context.columnCounts[state.id, default: 0]
        guard count >= limit else { return false }
        if context.project.wipEnforcement == .hard { throw .wipLimitExceeded(state: state.id, limit: limit, count: count) }
        return true
    }

    private static func canonicalLabels(_ labels: [String], limits: Limits) throws(DomainError) -> [String] {
        var result: Set<String> = []
        for label in labels {
            result.insert(try Text.singleLine(label, field: "label", bytesMax: limits.labelBytesMax))
        }
        guard result.count <= limits.labelsPerTaskMax else {
            throw .limitExceeded(field: "labels", limit: limits.labelsPerTaskMax, actual: result.count)
        }
        return result.sorted()
    }

    private static func checkEstimate(_ estimate: Estimate?, limits: Limits) throws(DomainError) {
        guard let estimate else { return }
        guard estimate.amount >= 0 else { throw .validationFailed(field: "estimate", reason: "must not be negative") }
        guard estimate.amount <= limits.estimateAmountMax else {
            throw .limitExceeded(field: "estimate", limit: limits.estimateAmountMax, actual: estimate.amount)
        }
    }

    /// A fractional-index key (`a0`, `a0V`): letters and digits only, so keys compare bytewise.
    static func validRank(_ rank: String, limits: Limits) throws(DomainError) -> String {
        let bytes = Array(rank.utf8)
        guard !bytes.isEmpty else { throw .validationFailed(field: "rank", reason: "must not be empty") }
        guard bytes.count <= limits.rankBytesMax else { throw .limitExceeded(field: "rank", limit: limits.rankBytesMax, actual: bytes.count) }
        let isAlphanumeric = { (byte: UInt8) -> Bool in
            (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
        }
        guard bytes.allSatisfy(isAlphanumeric) else { throw .validationFailed(field: "rank", reason: "use only letters and digits") }
        return rank
    }
}

/// Builds events for one task's stream at the decision's time.
struct Emitter {
    let task: TaskID
    let now: Instant

    func callAsFunction(_ payload: some EventPayload) -> DomainEvent {
        DomainEvent(stream: .task(task), at: now, payload)
    }
}
