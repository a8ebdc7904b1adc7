extension WorkflowDefinition {
    /// Checks the definition before it is published and returns it in canonical form: states ordered by
    /// position, role, member and field lists sorted without duplicates. Canonical form makes two
    /// definitions that mean the same thing equal, and the published JSON the same on every machine.
    public func validated(limits: Limits) throws(DomainError) -> WorkflowDefinition {
        guard !states.isEmpty else { throw .validationFailed(field: "states", reason: "a workflow needs at least one state") }
        guard states.count <= limits.statesPerWorkflowMax else {
            throw .limitExceeded(field: "states", limit: limits.statesPerWorkflowMax, actual: states.count)
        }
        guard transitions.count <= limits.transitionsPerWorkflowMax else {
            throw .limitExceeded(field: "transitions", limit: limits.transitionsPerWorkflowMax, actual: transitions.count)
        }
        var result = self
        var stateIDs: Set<StateID> = []
        var positions: Set<Int> = []
        for index in result.states.indices {
            var state = result.states[index]
            try state.id.validated(limits: limits)
            guard stateIDs.insert(state.id).inserted else { throw .validationFailed(field: "states", reason: "state id \(state.id) appears twice") }
            guard positions.insert(state.position).inserted else {
                throw .validationFailed(field: "states", reason: "position \(state.position) appears twice")
            }
            state.name = try Text.singleLine(state.name, field: "state name", bytesMax: limits.nameBytesMax)
            if let limit = state.wipLimit {
                guard limit >= 1 else { throw .validationFailed(field: "wipLimit", reason: "must be at least 1 (or absent)") }
                guard limit <= limits.wipLimitMax else { throw .limitExceeded(field: "wipLimit", limit: limits.wipLimitMax, actual: limit) }
            }
            result.states[index] = state
        }
        let initialCount = result.states.count(where: \.isInitial)
        guard initialCount == 1 else {
            throw .validationFailed(field: "states", reason: "exactly one state must be initial, found \(initialCount)")
        }
        result.states.sort { $0.position < $1.position }

        var transitionIDs: Set<TransitionID> = []
        var pairs: Set<String> = []
        for index in result.transitions.indices {
            var transition = result.transitions[index]
            try transition.id.validated(limits: limits)
            guard transitionIDs.insert(transition.id).inserted else {
                throw .validationFailed(field: "transitions", reason: "transition id \(transition.id) appears twice")
            }
            if case .state(let from) = transition.from {
                guard stateIDs.contains(from) else { throw .notFound(kind: "state", id: from.rawValue) }
                guard from != transition.to else {
                    throw .validationFailed(field: "transitions", reason: "transition \(transition.id) leads from a state to itself")
                }
            }
            guard stateIDs.contains(transition.to) else { throw .notFound(kind: "state", id: transition.to.rawValue) }
            guard pairs.insert(transition.from.description + " -> " + transition.to.rawValue).inserted else {
                throw .validationFailed(field: "transitions", reason: "two transitions from \(transition.from) to \(transition.to)")
            }
            transition.allowedRoles = try canonical(transition.allowedRoles, members: &transition.allowedMembers, limits: limits)
            transition.requiredFields = Array(Set(transition.requiredFields)).sorted { $0.rawValue < $1.rawValue }
            if var policy = transition.approval {
                try policy.validate(transition: transition, stateIDs: stateIDs, limits: limits)
                transition.approval = policy
            }
            result.transitions[index] = transition
        }
        return result
    }
}

extension ApprovalPolicy {
    fileprivate mutating func validate(transition: TransitionDefinition, stateIDs: Set<StateID>, limits: Limits) throws(DomainError) {
        approverRoles = try canonical(approverRoles, members: &approverMembers, limits: limits)
        guard !approverRoles.isEmpty || !approverMembers.isEmpty else {
            throw .validationFailed(field: "approval", reason: "transition \(transition.id) needs approvers (roles or members)")
        }
        switch mode {
        case .any:
            break
        case .all:
            // "All" must be a known, fixed set of people: the holders of a role change over time.
            guard approverRoles.isEmpty, !approverMembers.isEmpty else {
                throw .validationFailed(field: "approval", reason: "mode all needs named approver members and no roles")
            }
        case .quorum(let count):
            guard count >= 1 else { throw .validationFailed(field: "approval", reason: "a quorum must be at least 1") }
            if approverRoles.isEmpty, count > approverMembers.count {
                throw .validationFailed(
                    field: "approval", reason: "a quorum of \(count) cannot be reached by \(approverMembers.count) approvers")
            }
        }
        for state in [stateOnApprove, stateOnReject].compactMap({ $0 }) where !stateIDs.contains(state) {
            throw .notFound(kind: "state", id: state.rawValue)
        }
        if case .state(let from) = transition.from, stateOnApprove == from {
            throw .validationFailed(field: "approval", reason: "granting must move the task out of \(from)")
        }
        if let seconds = expiresAfterSeconds {
            guard seconds >= 1 else { throw .validationFailed(field: "approval", reason: "expiry must be at least 1 second") }
            guard seconds <= limits.approvalExpirySecondsMax else {
                throw .limitExceeded(field: "approval expiry seconds", limit: Int(limits.approvalExpirySecondsMax), actual: Int(seconds))
            }
        }
    }
}

/// Sorts and de-duplicates a rule's roles and members, checks the member ids, and bounds their number.
private func canonical(_ roles: [ProjectRole], members: inout [MemberID], limits: Limits) throws(DomainError) -> [ProjectRole] {
    for member in members { try member.validated(limits: limits) }
    members = Array(Set(members)).sorted()
    let sortedRoles = Array(Set(roles)).sorted()
    let named = sortedRoles.count + members.count
    guard named <= limits.namedActorsPerRuleMax else {
        throw .limitExceeded(field: "approvers and allowed members", limit: limits.namedActorsPerRuleMax, actual: named)
    }
    return sortedRoles
}
