/// Something that stands between a task and a move. The query `TaskDecider.availableTransitions` lists
/// all of them for each possible move; `decide` refuses with the first one's error.
public enum MoveBlocker: Hashable, Sendable, CustomStringConvertible {
    /// The project is archived.
    case projectArchived
    /// The task is deleted.
    case taskDeleted
    /// The task is archived.
    case taskArchived
    /// An approval request is pending: the task stays where it is until it resolves.
    case approvalPending(ApprovalID)
    /// The actor lacks a permission the move needs.
    case missingPermission(Permission)
    /// The transition's allowed roles or members, or its actor rule, exclude the actor.
    case notAllowed(TransitionRefusal)
    /// The task lacks fields the transition requires.
    case requiredFieldsMissing([TaskField])
    /// The target column is full and the project's WIP limits are hard.
    case wipLimitReached(limit: Int, count: Int)

    public var description: String {
        switch self {
        case .projectArchived: "the project is archived"
        case .taskDeleted: "the task is deleted"
        case .taskArchived: "the task is archived"
        case .approvalPending(let id): "approval \(id) is pending"
        case .missingPermission(let permission): "needs permission \(permission.rawValue)"
        case .notAllowed(let refusal): refusal.description
        case .requiredFieldsMissing(let fields): "needs " + fields.map(\.rawValue).joined(separator: ", ")
        case .wipLimitReached(let limit, let count): "the target holds \(count) of at most \(limit) tasks"
        }
    }

    /// The refusal `decide` throws for this blocker.
    func error(task: TaskState, project: ProjectID, to target: StateID) -> DomainError {
        switch self {
        case .projectArchived: .projectArchived(project)
        case .taskDeleted: .taskDeleted(task.id)
        case .taskArchived: .taskArchived(task.id)
        case .approvalPending(let id): .approvalPending(id)
        case .missingPermission(let permission): .missingPermission(permission)
        case .notAllowed(let refusal): .transitionNotAllowed(from: task.state, to: target, reason: refusal)
        case .requiredFieldsMissing(let fields): .requiredFieldMissing(fields)
        case .wipLimitReached(let limit, let count): .wipLimitExceeded(state: target, limit: limit, count: count)
        }
    }
}

/// A possible move and what stands in its way.
struct MovePlan {
    let from: StateDefinition
    let target: StateDefinition
    /// The listed transition; nil for an unlisted move in an open workflow.
    let transition: TransitionDefinition?
    let blockers: [MoveBlocker]
    /// The target is at a soft WIP limit: the move is allowed and flagged.
    let overSoftLimit: Bool
    /// A pending request that has passed its expiry: a new move first records it as expired.
    let expiredApproval: ApprovalID?
}

extension TaskDecider {
    // MARK: Rule 1 and rule 2

    /// Rule 1: find the transition in the task's pinned version; check permission, allowed roles or
    /// members, the actor rule and required fields; with an approval policy, request approval (the task
    /// stays), otherwise move. Rule 2: a hard WIP limit refuses a move into a full column.
    static func move(
        _ task: TaskState, to targetID: StateID, rank: String?, reason: String?, definition: WorkflowDefinition, actor: Actor,
        context: TaskContext
    ) throws(DomainError) -> [DomainEvent] {
        let plan = try planMove(task, to: targetID, definition: definition, actor: actor, context: context)
        if let blocker = plan.blockers.first { throw blocker.error(task: task, project: context.project.id, to: targetID) }
        let limits = context.limits
        let rank = try rank.map { (rank) throws(DomainError) in try validRank(rank, limits: limits) }
        let reason = try reason.map { (text) throws(DomainError) in
            try Text.multiLine(text, field: "reason", bytesMax: limits.reasonBytesMax)
        }
        let emit = Emitter(task: task.id, now: context.now)
        var events: [DomainEvent] = []
        if let expired = plan.expiredApproval {
            events.append(emit(ApprovalExpired(taskID: task.id, approvalID: expired)))
        }
        if let transition = plan.transition, let policy = transition.approval {
            // A request nobody may decide would block the task until it expires or is cancelled.
            guard policy.isSatisfiable(requester: actor.member) else {
                throw .validationFailed(field: "approval", reason: "no approver other than the requester could decide this request")
            }
            guard task.approvals.count < limits.approvalsPerTaskMax else {
                throw .limitExceeded(field: "approval requests", limit: limits.approvalsPerTaskMax, actual: task.approvals.count + 1)
            }
            // Derived, not generated: decide stays a pure function, and the id is unique within the task.
            let approvalID = ApprovalID(task.id.rawValue + ".a" + String(task.approvals.count + 1))
            events.append(
                emit(
                    ApprovalRequested(
                        taskID: task.id, approvalID: approvalID, transitionID: transition.id, from: task.state,
                        to: policy.stateOnApprove ?? transition.to, policy: policy, requester: actor.member, reason: reason,
                        expiresAt: policy.expiresAfterSeconds.map { context.now.adding(seconds: $0) })))
            return events
        }
        events += moveEvents(
            task, from: plan.from, to: plan.target, transition: plan.transition?.id, rank: rank, approval: nil,
            overSoftLimit: plan.overSoftLimit, emit: emit)
        return events
    }

    /// The route from the task's state to `targetID` and everything that blocks it. Throws only when there
    /// is no route at all (unknown state, same state, or an enforced workflow without that transition).
    static func planMove(
        _ task: TaskState, to targetID: StateID, definition: WorkflowDefinition, actor: Actor, context: TaskContext
    ) throws(DomainError) -> MovePlan {
        guard let target = definition.state(targetID) else { throw .notFound(kind: "state", id: targetID.rawValue) }
        guard let from = definition.state(task.state) else { throw .notFound(kind: "state", id: task.state.rawValue) }
        guard targetID != task.state else {
            throw .transitionNotAllowed(from: task.state, to: targetID, reason: .sameState)
        }
        let transition = definition.listedTransition(from: task.state, to: targetID)
        if transition == nil, definition.mode == .enforced {
            throw .transitionNotAllowed(from: task.state, to: targetID, reason: .noSuchTransition)
        }
        return evaluate(task, from: from, to: target, transition: transition, actor: actor, context: context)
    }

    /// Every blocker of one route, in the order `decide` reports them: lifecycle, pending approval,
    /// permission, who may take the transition, required fields, WIP.
    static func evaluate(
        _ task: TaskState, from: StateDefinition, to target: StateDefinition, transition: TransitionDefinition?, actor: Actor,
        context: TaskContext
    ) -> MovePlan {
        var blockers: [MoveBlocker] = []
        if context.project.status != .active { blockers.append(.projectArchived) }
        if task.isDeleted { blockers.append(.taskDeleted) }
        if task.isArchived { blockers.append(.taskArchived) }
        var expired: ApprovalID?
        if let pending = task.pendingApproval {
            if pending.isExpired(at: context.now) { expired = pending.id } else { blockers.append(.approvalPending(pending.id)) }
        }

        let isOwn = task.isOwn(by: actor.member)
        if !(actor.has(.taskTransition) || (isOwn && actor.has(.taskTransitionOwn))) {
            blockers.append(.missingPermission(isOwn ? .taskTransitionOwn : .taskTransition))
        }
        if transition?.approval != nil, !actor.has(.approvalRequest) {
            blockers.append(.missingPermission(.approvalRequest))
        }

        if let transition, !actor.isAdmin {
            // Admin implies all: a workspace admin passes who-may-move checks (not what-must-hold checks).
            let restricted = !transition.allowedRoles.isEmpty || !transition.allowedMembers.isEmpty
            if restricted, !actor.holdsAny(of: transition.allowedRoles), !transition.allowedMembers.contains(actor.member) {
                blockers.append(.notAllowed(transition.allowedRoles.isEmpty ? .memberNotAllowed : .roleNotAllowed))
            }
            switch transition.actorRule {
            case .any: break
            case .assignee where !task.assignees.contains(actor.member): blockers.append(.notAllowed(.actorRule(.assignee)))
            case .author where task.author != actor.member: blockers.append(.notAllowed(.actorRule(.author)))
            case .assignee, .author: break
            }
        }

        if let transition {
            let missing = transition.requiredFields.filter { !task.has($0) }
            if !missing.isEmpty { blockers.append(.requiredFieldsMissing(missing)) }
        }

        // A request does not move the task: the column is checked when the request is granted.
        var overSoftLimit = false
        if transition?.approval == nil, let limit = target.wipLimit {
            let count = context.columnCounts[target.id, default: 0]
            if count >= limit {
                if context.project.wipEnforcement == .hard {
                    blockers.append(.wipLimitReached(limit: limit, count: count))
                } else {
                    overSoftLimit = true
                }
            }
        }
        return MovePlan(
            from: from, target: target, transition: transition, blockers: blockers, overSoftLimit: overSoftLimit,
            expiredApproval: expired)
    }

    /// `TaskMoved`, then `TaskCompleted` or `TaskReopened` when the move enters or leaves the completed
    /// category (so progress read models need not compare categories themselves).
    static func moveEvents(
        _ task: TaskState, from: StateDefinition, to target: StateDefinition, transition: TransitionID?, rank: String?,
        approval: ApprovalID?, overSoftLimit: Bool, emit: Emitter
    ) -> [DomainEvent] {
        var events = [
            emit(
                TaskMoved(
                    taskID: task.id, from: from.id, to: target.id, fromName: from.name, toName: target.name,
                    fromCategory: task.category, toCategory: target.category, transitionID: transition, rank: rank,
                    approvalID: approval, wipLimitExceeded: overSoftLimit))
        ]
        if task.category != .completed, target.category == .completed {
            events.append(emit(TaskCompleted(taskID: task.id, state: target.id)))
        } else if task.category == .completed, target.category != .completed {
            events.append(emit(TaskReopened(taskID: task.id, state: target.id)))
        }
        return events
    }
}
