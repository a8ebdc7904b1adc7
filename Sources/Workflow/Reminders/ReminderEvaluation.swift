/// Evaluates reminder rules: a pure function of (rules, tasks, now), with no clock and no I/O. The
/// scheduler (with the API) runs it periodically and appends what it returns to the rules' streams.
///
/// ```swift
/// let fired = ReminderEvaluation.evaluate(rules: rules, tasks: tasks, now: now)   // [DomainEvent]
/// ```
///
/// Idempotent per (rule, task, firing time): a reminder already in the rule's `fired` set is not fired
/// again, so running twice, or after a crash mid-way, never notifies twice. A task whose trigger time
/// moves (new activity, a new due date) gets a new firing time, and so a new reminder.
public enum ReminderEvaluation {
    public static func evaluate(rules: [ReminderRuleState], tasks: [TaskState], now: Instant) -> [DomainEvent] {
        var events: [DomainEvent] = []
        for rule in rules.sorted(by: { $0.id < $1.id }) where rule.isEnabled {
            for task in tasks.sorted(by: { $0.id < $1.id }) where !task.isDeleted && !task.isArchived && rule.definition.filter.matches(task) {
                guard let time = firingTime(rule.definition.trigger, task: task, now: now), time <= now else { continue }
                guard !rule.fired.contains(ReminderRuleState.Firing(task: task.id, time: time)) else { continue }
                let fired = ReminderFired(
                    ruleID: rule.id, taskID: task.id, firingTime: time, trigger: rule.definition.trigger,
                    recipients: rule.definition.recipients.resolve(for: task), channel: rule.definition.channel)
                events.append(DomainEvent(stream: .reminder(rule.id), at: now, fired))
            }
        }
        return events
    }

    /// When `trigger` fires for `task`, or nil when it does not apply to the task as it is now.
    static func firingTime(_ trigger: ReminderTrigger, task: TaskState, now: Instant) -> Instant? {
        let isOpen = task.category != .completed && task.category != .canceled
        switch trigger {
        case .dueWithin(let seconds):
            guard isOpen, let due = task.dueDate else { return nil }
            let start = startOfDay(due)
            // Once the due date has ended, "due soon" is moot: `overdue` is the reminder then.
            guard now < start.adding(seconds: 86_400) else { return nil }
            return start.adding(seconds: -seconds)
        case .overdue:
            guard isOpen, let due = task.dueDate else { return nil }
            return startOfDay(due).adding(seconds: 86_400)
        case .noActivityFor(let seconds):
            guard isOpen else { return nil }
            return task.updatedAt.adding(seconds: seconds)
        case .inCategoryLongerThan(let category, let seconds):
            guard task.category == category else { return nil }
            return task.categoryEnteredAt.adding(seconds: seconds)
        case .approvalPendingLongerThan(let seconds):
            guard let pending = task.pendingApproval else { return nil }
            return pending.requestedAt.adding(seconds: seconds)
        }
    }

    static func startOfDay(_ date: CalendarDate) -> Instant {
        Instant(unixMicros: date.daysSinceEpoch * 86_400_000_000)
    }
}
