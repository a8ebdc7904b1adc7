public import Workflow

extension CommandService {
    /// Every reminder rule of the workspace, enabled or not, by id. Rules are few (each is a standing
    /// instruction an admin wrote), so they are read from their own streams rather than a read model:
    /// the answer is as current as the log's head, and a rule just created is listed at once.
    public func reminderRules() throws(CommandError) -> [ReminderRuleState] {
        try Self.catchUp(&index, log: log, own: ownCommits)
        var rules: [ReminderRuleState] = []
        for id in index.reminderRules.sorted() {
            if let rule = try load(ReminderRuleState.self, .reminder(id)).state { rules.append(rule) }
        }
        return rules
    }
}
