/// A reminder rule was created.
public struct ReminderRuleCreated: EventPayload {
    public static let type = "ReminderRuleCreated"
    public static let schemaVersion = 1
    public var ruleID: ReminderRuleID
    public var definition: ReminderRuleDefinition
}

/// A reminder rule's definition was replaced.
public struct ReminderRuleChanged: EventPayload {
    public static let type = "ReminderRuleChanged"
    public static let schemaVersion = 1
    public var ruleID: ReminderRuleID
    public var definition: ReminderRuleDefinition
}

/// A reminder rule stopped firing (it can be enabled again).
public struct ReminderRuleDisabled: EventPayload {
    public static let type = "ReminderRuleDisabled"
    public static let schemaVersion = 1
    public var ruleID: ReminderRuleID
}

/// A disabled reminder rule fires again.
public struct ReminderRuleEnabled: EventPayload {
    public static let type = "ReminderRuleEnabled"
    public static let schemaVersion = 1
    public var ruleID: ReminderRuleID
}

/// A reminder fired for a task. (rule, task, firing time) is unique: the evaluation never fires it twice.
public struct ReminderFired: EventPayload {
    public static let type = "ReminderFired"
    public static let schemaVersion = 1
    public var ruleID: ReminderRuleID
    public var taskID: TaskID
    /// When the trigger's condition was met (not when the evaluation ran).
    public var firingTime: Instant
    public var trigger: ReminderTrigger
    public var recipients: [MemberID]
    public var channel: String
}
