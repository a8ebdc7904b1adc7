/// One move a task could make now, and what (if anything) stands in its way.
public struct TransitionOption: Hashable, Sendable {
    /// The listed transition; nil for an unlisted move in an open workflow.
    public let transition: TransitionID?
    public let to: StateID
    public let toName: String
    public let toCategory: StateCategory
    /// Taking it records an approval request instead of moving.
    public let requiresApproval: Bool
    /// The target is at a soft WIP limit: the move is allowed and will be flagged.
    public let exceedsSoftWIPLimit: Bool
    /// Everything that blocks the move, in the order `decide` would report them; empty when allowed.
    public let missing: [MoveBlocker]

    /// Whether `decide` would accept the move now.
    public var isAllowed: Bool { missing.isEmpty }
}

extension TaskDecider {
    /// Which transitions `actor` may take on `task` now, and what is missing for each: one option per
    /// state the task could move to by its pinned workflow version (every other state in an open
    /// workflow; the listed targets in an enforced one), in board order.
    ///
    /// It runs the same checks as `decide`, so the answer cannot drift from what a move would do.
    ///
    /// ```swift
    /// for option in TaskDecider.availableTransitions(for: task, actor: actor, context: context) {
    ///     print(option.toName, option.isAllowed ? "ok" : option.missing.map(\.description).joined(separator: "; "))
    /// }
    /// ```
    public static func availableTransitions(for task: TaskState, actor: Actor, context: TaskContext) -> [TransitionOption] {
        guard let definition = try? pinnedDefinition(of: task, in: context.workflow), let from = definition.state(task.state) else {
            return []
        }
        var options: [TransitionOption] = []
        for target in definition.states where target.id != task.state {
            let transition = definition.listedTransition(from: task.state, to: target.id)
            if transition == nil, definition.mode == .enforced { continue }
            let plan = evaluate(task, from: from, to: target, transition: transition, actor: actor, context: context)
            options.append(
                TransitionOption(
                    transition: transition?.id, to: target.id, toName: target.name, toCategory: target.category,
                    requiresApproval: transition?.approval != nil, exceedsSoftWIPLimit: plan.overSoftLimit, missing: plan.blockers))
        }
        return options
    }
}
