/// When a reminder fires for a task. Each trigger gives every task one *firing time*, computed from the
/// task alone, so evaluating the same rules on the same tasks at the same `now` always fires the same
/// reminders, and (rule, task, firing time) identifies a reminder for de-duplication.
///
/// Due dates are calendar days; a day is taken to start at 00:00 UTC (workspace time zones come with the
/// scheduler that runs the evaluation).
public enum ReminderTrigger: Hashable, Sendable, Codable {
    /// `seconds` before the due date starts (e.g. 86,400: the day before). Only before the due date ends.
    case dueWithin(seconds: Int64)
    /// When the due date has ended and the task is still open.
    case overdue
    /// `seconds` after the task last changed.
    case noActivityFor(seconds: Int64)
    /// `seconds` after the task entered a state of `category`, while it stays in that category.
    case inCategoryLongerThan(category: StateCategory, seconds: Int64)
    /// `seconds` after the task's pending approval was requested, while it is pending.
    case approvalPendingLongerThan(seconds: Int64)

    var seconds: Int64? {
        switch self {
        case .dueWithin(let seconds), .noActivityFor(let seconds), .inCategoryLongerThan(_, let seconds),
            .approvalPendingLongerThan(let seconds):
            seconds
        case .overdue: nil
        }
    }
}

/// Which tasks a rule watches; an empty list means "any".
public struct ReminderFilter: Hashable, Sendable, Codable {
    public var projects: [ProjectID]
    public var priorities: [Priority]
    /// Tasks carrying at least one of these labels.
    public var labels: [String]

    public init(projects: [ProjectID] = [], priorities: [Priority] = [], labels: [String] = []) {
        self.projects = projects
        self.priorities = priorities
        self.labels = labels
    }

    func matches(_ task: TaskState) -> Bool {
        (projects.isEmpty || projects.contains(task.project)) && (priorities.isEmpty || priorities.contains(task.priority))
            && (labels.isEmpty || labels.contains(where: task.labels.contains))
    }
}

/// Who a reminder goes to.
public struct ReminderRecipients: Hashable, Sendable, Codable {
    public var assignees: Bool
    public var author: Bool
    public var members: [MemberID]

    public init(assignees: Bool = true, author: Bool = false, members: [MemberID] = []) {
        self.assignees = assignees
        self.author = author
        self.members = members
    }

    /// The members to notify about `task`, each once, in a stable order.
    func resolve(for task: TaskState) -> [MemberID] {
        var chosen = Set(members)
        if assignees { chosen.formUnion(task.assignees) }
        if author { chosen.insert(task.author) }
        return chosen.sorted()
    }
}

/// A reminder rule: what to watch, when to fire, whom to tell, and through which channel.
public struct ReminderRuleDefinition: Hashable, Sendable, Codable {
    public var name: String
    public var trigger: ReminderTrigger
    public var filter: ReminderFilter
    public var recipients: ReminderRecipients
    /// Where a fired reminder is delivered, e.g. `inbox`, `email`, `webhook`.
    public var channel: String

    public init(
        name: String, trigger: ReminderTrigger, filter: ReminderFilter = ReminderFilter(), recipients: ReminderRecipients = ReminderRecipients(),
        channel: String = "inbox"
    ) {
        self.name = name
        self.trigger = trigger
        self.filter = filter
        self.recipients = recipients
        self.channel = channel
    }

    /// The definition with its text trimmed, or the reason it is refused.
    func validated(limits: Limits) throws(DomainError) -> ReminderRuleDefinition {
        var valid = self
        valid.name = try Text.singleLine(name, field: "name", bytesMax: limits.nameBytesMax)
        valid.channel = try Text.singleLine(channel, field: "channel", bytesMax: limits.labelBytesMax)
        if let seconds = trigger.seconds {
            guard seconds > 0, seconds <= limits.reminderDelaySecondsMax else {
                throw .validationFailed(field: "trigger", reason: "the delay must be between 1 second and \(limits.reminderDelaySecondsMax) seconds")
            }
        }
        let named = filter.projects.count + filter.priorities.count + filter.labels.count + recipients.members.count
        guard named <= limits.namedActorsPerRuleMax else {
            throw .limitExceeded(field: "filter and recipients", limit: limits.namedActorsPerRuleMax, actual: named)
        }
        for project in filter.projects { try project.validated(limits: limits) }
        for member in recipients.members { try member.validated(limits: limits) }
        guard recipients.assignees || recipients.author || !recipients.members.isEmpty else {
            throw .validationFailed(field: "recipients", reason: "a rule must notify someone")
        }
        return valid
    }
}
