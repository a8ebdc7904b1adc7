/// The reminder-rule aggregate (stream `reminder-ID`): its definition, whether it is enabled, and which
/// reminders it has fired — the de-duplication record, kept where the firing events are.
public struct ReminderRuleState: AggregateState {
    /// One fired reminder's identity.
    public struct Firing: Hashable, Sendable {
        public var task: TaskID
        public var time: Instant
    }

    public var id: ReminderRuleID
    public var definition: ReminderRuleDefinition
    public var isEnabled: Bool
    public var fired: Set<Firing>
    public var version: UInt64

    public static func start(with event: DomainEvent) -> ReminderRuleState? {
        guard case .reminderRuleCreated(let created) = event.body else { return nil }
        return ReminderRuleState(id: created.ruleID, definition: created.definition, isEnabled: true, fired: [], version: 1)
    }

    public func evolve(_ event: DomainEvent) -> ReminderRuleState {
        var next = self
        next.version += 1
        switch event.body {
        case .reminderRuleChanged(let changed): next.definition = changed.definition
        case .reminderRuleDisabled: next.isEnabled = false
        case .reminderRuleEnabled: next.isEnabled = true
        case .reminderFired(let fired): next.fired.insert(Firing(task: fired.taskID, time: fired.firingTime))
        default: break
        }
        return next
    }
}

/// What to do to a reminder rule.
public struct ReminderCommand: Hashable, Sendable {
    public enum Action: Hashable, Sendable {
        case create(ReminderRuleDefinition)
        case change(ReminderRuleDefinition)
        case disable
        case enable
    }

    public var rule: ReminderRuleID
    public var action: Action

    public init(rule: ReminderRuleID, _ action: Action) {
        self.rule = rule
        self.action = action
    }
}

/// Decides reminder-rule commands (permission `reminder.manage`), pure.
public enum ReminderDecider {
    public static func decide(
        _ state: ReminderRuleState?, _ command: ReminderCommand, actor: Actor, context: DecisionContext
    ) throws(DomainError) -> [DomainEvent] {
        try checkVersion(expected: context.expectedVersion, actual: state?.version ?? 0)
        try actor.require(.reminderManage)
        let stream = StreamName.reminder(command.rule)
        func event(_ payload: some EventPayload) -> DomainEvent { DomainEvent(stream: stream, at: context.now, payload) }
        switch command.action {
        case .create(let definition):
            if state != nil { throw .alreadyExists(kind: "reminder rule", id: command.rule.rawValue) }
            try command.rule.validated(limits: context.limits)
            return [event(ReminderRuleCreated(ruleID: command.rule, definition: try definition.validated(limits: context.limits)))]
        case .change(let definition):
            guard let state else { throw .notFound(kind: "reminder rule", id: command.rule.rawValue) }
            let valid = try definition.validated(limits: context.limits)
            return valid == state.definition ? [] : [event(ReminderRuleChanged(ruleID: state.id, definition: valid))]
        case .disable:
            guard let state else { throw .notFound(kind: "reminder rule", id: command.rule.rawValue) }
            return state.isEnabled ? [event(ReminderRuleDisabled(ruleID: state.id))] : []
        case .enable:
            guard let state else { throw .notFound(kind: "reminder rule", id: command.rule.rawValue) }
            return state.isEnabled ? [] : [event(ReminderRuleEnabled(ruleID: state.id))]
        }
    }
}
