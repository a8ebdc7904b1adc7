extension TaskDecider {
    // MARK: Rule 3: approvals

    /// Records a decision, and when it resolves the request: `ApprovalGranted` then the `TaskMoved` it
    /// causes, or `ApprovalRejected` (then a move to the policy's state on reject, if named). All in one
    /// list, so the command service appends them atomically.
    static func decideApproval(
        _ id: ApprovalID, _ verdict: ApprovalVerdict, comment: String?, task: TaskState, definition: WorkflowDefinition,
        actor: Actor, context: TaskContext
    ) throws(DomainError) -> [DomainEvent] {
        let request = try pendingRequest(id, in: task)
        try actor.require(.approvalDecide)
        try requireLive(task, context)
        if request.isExpired(at: context.now) { throw .approvalExpired(id) }
        let policy = request.policy
        guard isApprover(actor, of: request) else { throw .notAnApprover(actor.member) }
        if actor.member == request.requester, !policy.selfApprovalAllowed { throw .selfApprovalNotAllowed(actor.member) }
        if request.decisions.contains(where: { $0.approver == actor.member }) { throw .alreadyDecided(actor.member) }
        let limits = context.limits
        let comment = try comment.map { (text) throws(DomainError) in
            try Text.multiLine(text, field: "comment", bytesMax: limits.reasonBytesMax)
        }

        let emit = Emitter(task: task.id, now: context.now)
        var events = [emit(ApprovalDecisionRecorded(taskID: task.id, approvalID: id, approver: actor.member, decision: verdict, comment: comment))]
        let decision = ApprovalDecision(approver: actor.member, verdict: verdict, comment: comment, at: context.now)
        switch policy.outcome(of: request.decisions + [decision], requester: request.requester) {
        case .pending:
            return events
        case .granted:
            events.append(emit(ApprovalGranted(taskID: task.id, approvalID: id)))
            guard let from = definition.state(task.state), let target = definition.state(request.to) else {
                throw .notFound(kind: "state", id: request.to.rawValue)
            }
            // What must hold in the target holds however the task gets there: the fields the transition
            // requires (they may have been cleared since the request) and a hard WIP limit.
            if let transition = definition.transition(request.transition) {
                let missing = transition.requiredFields.filter { !task.has($0) }
                if !missing.isEmpty { throw .requiredFieldMissing(missing) }
            }
            let overSoftLimit = try admission(into: target, context: context)
            events += moveEvents(
                task, from: from, to: target, transition: request.transition, rank: nil, approval: id, overSoftLimit: overSoftLimit,
                emit: emit)
            return events
        case .rejected:
            events.append(emit(ApprovalRejected(taskID: task.id, approvalID: id)))
            if let rejectState = policy.stateOnReject, rejectState != task.state {
                guard let from = definition.state(task.state), let target = definition.state(rejectState) else {
                    throw .notFound(kind: "state", id: rejectState.rawValue)
                }
                let overSoftLimit = try admission(into: target, context: context)
                events += moveEvents(
                    task, from: from, to: target, transition: request.transition, rank: nil, approval: id,
                    overSoftLimit: overSoftLimit, emit: emit)
            }
            return events
        }
    }

    /// Withdraws a pending request: its requester may, and so may anyone who could decide it.
    static func cancelApproval(
        _ id: ApprovalID, reason: String?, task: TaskState, actor: Actor, context: TaskContext
    ) throws(DomainError) -> [DomainEvent] {
        let request = try pendingRequest(id, in: task)
        let isRequester = request.requester == actor.member && actor.has(.approvalRequest)
        let isDecider = actor.has(.approvalDecide) && isApprover(actor, of: request)
        guard isRequester || isDecider else { throw .missingPermission(.approvalDecide) }
        try requireLive(task, context)
        let limits = context.limits
        let reason = try reason.map { (text) throws(DomainError) in try Text.multiLine(text, field: "reason", bytesMax: limits.reasonBytesMax) }
        return [Emitter(task: task.id, now: context.now)(ApprovalCancelled(taskID: task.id, approvalID: id, reason: reason))]
    }

    /// Records that a pending request passed its expiry. The scheduler sends it (as a service member
    /// with an approval permission); anyone involved in approvals may, since it only states a fact of time.
    static func expireApproval(_ id: ApprovalID, task: TaskState, actor: Actor, context: TaskContext) throws(DomainError) -> [DomainEvent] {
        let request = try pendingRequest(id, in: task)
        guard actor.has(.approvalRequest) || actor.has(.approvalDecide) else { throw .missingPermission(.approvalDecide) }
        guard let expiresAt = request.expiresAt else {
            throw .validationFailed(field: "approval", reason: "approval \(id) never expires")
        }
        guard request.isExpired(at: context.now) else {
            throw .validationFailed(field: "approval", reason: "approval \(id) expires at \(expiresAt)")
        }
        return [Emitter(task: task.id, now: context.now)(ApprovalExpired(taskID: task.id, approvalID: id))]
    }

    /// Whether the policy snapshot names the actor, by member or by role (admins hold every role).
    /// The permission `approval.decide` says a member can be an approver; the policy says who is one.
    private static func isApprover(_ actor: Actor, of request: ApprovalRequestState) -> Bool {
        actor.holdsAny(of: request.policy.approverRoles) || request.policy.approverMembers.contains(actor.member)
    }

    /// The request with `id`, which must still be pending: a request resolves once.
    private static func pendingRequest(_ id: ApprovalID, in task: TaskState) throws(DomainError) -> ApprovalRequestState {
        guard let request = task.approvals.last(where: { $0.id == id }) else { throw .notFound(kind: "approval", id: id.rawValue) }
        guard request.status == .pending else { throw .approvalNotPending(id) }
        return request
    }
}
