import Testing

@testable import Workflow

@Suite struct ReminderTests {
    static let day: Int64 = 86_400

    /// The fixture world at 2026-09-21 (a Monday, 00:00 UTC + a few hours), with task t1 in `doing`.
    static func world() throws -> World {
        var world = Fixture.world()
        world.now = Instant(rfc3339: "2026-09-21T09:00:00.000000Z")!
        try Fixture.task("t1", in: &world, path: ["todo", "doing"])
        return world
    }

    @Test func rulesNeedReminderManage() throws {
        var world = try Self.world()
        let rule = ReminderRuleDefinition(name: "Due soon", trigger: .dueWithin(seconds: Self.day))
        #expect(refusal { try world.reminder("r1", .create(rule), by: "dev", project: "p1") } == "missing-permission")
        #expect(refusal { try world.reminder("r1", .create(rule), by: "pm") } == "missing-permission", "workspace-wide: admins only")
        #expect(refusal { try world.reminder("r1", .create(rule), by: "pm", project: "p1") } == nil)
        #expect(refusal { try world.reminder("r1", .create(rule), by: "admin") } == "already-exists")
        #expect(refusal { try world.reminder("r2", .disable, by: "admin") } == "not-found")
    }

    @Test func definitionsAreValidated() throws {
        var world = try Self.world()
        #expect(
            refusal { try world.reminder("r1", .create(ReminderRuleDefinition(name: "x", trigger: .noActivityFor(seconds: 0))), by: "admin") }
                == "validation-failed")
        let nobody = ReminderRuleDefinition(name: "x", trigger: .overdue, recipients: ReminderRecipients(assignees: false))
        #expect(refusal { try world.reminder("r1", .create(nobody), by: "admin") } == "validation-failed")
        #expect(
            refusal { try world.reminder("r1", .create(ReminderRuleDefinition(name: " ", trigger: .overdue)), by: "admin") } == "validation-failed")
        #expect(refusal { try world.reminder("r1", .create(ReminderRuleDefinition(name: "Late", trigger: .overdue)), by: "admin") } == nil)
    }

    @Test func dueSoonFiresOnceAtItsTimeAndNotAfterTheDueDate() throws {
        var world = try Self.world()
        try world.task("t1", .setDates(start: nil, due: CalendarDate(year: 2026, month: 9, day: 24)), by: "dev")
        try world.reminder("r1", .create(ReminderRuleDefinition(name: "Due tomorrow", trigger: .dueWithin(seconds: Self.day))), by: "admin")
        #expect(world.evaluateReminders().isEmpty, "two days early")
        world.now = Instant(rfc3339: "2026-09-23T00:00:01.000000Z")!
        let fired = world.evaluateReminders()
        #expect(fired.count == 1)
        guard case .reminderFired(let reminder) = fired.first?.body else {
            Issue.record("expected ReminderFired")
            return
        }
        #expect(reminder.firingTime == Instant(rfc3339: "2026-09-23T00:00:00.000000Z")!)
        #expect(reminder.recipients == ["dev"] && reminder.taskID == "t1" && reminder.channel == "inbox")
        #expect(world.evaluateReminders().isEmpty, "the same (rule, task, firing time) never fires twice")
        // A new due date is a new firing time: a new reminder.
        try world.task("t1", .setDates(start: nil, due: CalendarDate(year: 2026, month: 9, day: 30)), by: "dev")
        world.now = Instant(rfc3339: "2026-10-01T00:00:00.000000Z")!
        #expect(world.evaluateReminders().isEmpty, "after the due date has ended, only `overdue` applies")
    }

    @Test func overdueFiresForOpenTasksOnly() throws {
        var world = try Self.world()
        try Fixture.task("t2", in: &world, path: ["todo"])
        for id: TaskID in ["t1", "t2"] {
            try world.task(id, .setDates(start: nil, due: CalendarDate(year: 2026, month: 9, day: 21)), by: "dev")
        }
        try world.task("t2", .move(to: "canceled"), by: "pm")
        try world.reminder(
            "late", .create(ReminderRuleDefinition(name: "Late", trigger: .overdue, recipients: ReminderRecipients(author: true, members: ["pm"]))),
            by: "admin")
        #expect(world.evaluateReminders().isEmpty, "due today is not overdue yet")
        world.now = Instant(rfc3339: "2026-09-22T00:00:00.000000Z")!
        let fired = world.evaluateReminders()
        #expect(fired.count == 1)
        guard case .reminderFired(let reminder) = fired.first?.body else { return }
        #expect(reminder.taskID == "t1" && reminder.recipients == ["dev", "pm"])
    }

    @Test func noActivityFiresAgainAfterNewActivity() throws {
        var world = try Self.world()
        try world.reminder("stale", .create(ReminderRuleDefinition(name: "Stale", trigger: .noActivityFor(seconds: 7 * Self.day))), by: "admin")
        world.advance(seconds: 7 * Self.day - 1)
        #expect(world.evaluateReminders().isEmpty)
        world.advance(seconds: 1)
        #expect(world.evaluateReminders().count == 1)
        world.advance(seconds: Self.day)
        #expect(world.evaluateReminders().isEmpty)
        try world.task("t1", .setPriority(.high), by: "dev")
        world.advance(seconds: 7 * Self.day)
        #expect(world.evaluateReminders().count == 1, "activity moved the firing time")
    }

    @Test func timeInCategoryCountsFromEnteringTheCategory() throws {
        var world = try Self.world()
        try world.reminder(
            "slow", .create(ReminderRuleDefinition(name: "Slow", trigger: .inCategoryLongerThan(category: .started, seconds: 3 * Self.day))),
            by: "admin")
        world.advance(seconds: 2 * Self.day)
        try world.task("t1", .move(to: "review"), by: "dev")  // doing → review: still `started`
        world.advance(seconds: Self.day - 1)
        #expect(world.evaluateReminders().isEmpty)
        world.advance(seconds: 1)
        let fired = world.evaluateReminders()
        #expect(fired.count == 1)
    }

    @Test func pendingApprovalsRemindApprovers() throws {
        var world = try Self.world()
        try world.task("t1", .move(to: "review"), by: "dev")
        try world.task("t1", .move(to: "done"), by: "dev")  // needs approval: stays in review
        #expect(world.tasks["t1"]?.pendingApproval != nil)
        let rule = ReminderRuleDefinition(
            name: "Waiting", trigger: .approvalPendingLongerThan(seconds: 12 * 3_600),
            recipients: ReminderRecipients(assignees: false, members: ["qa"]))
        try world.reminder("wait", .create(rule), by: "admin")
        world.advance(seconds: 12 * 3_600 - 1)
        #expect(world.evaluateReminders().isEmpty)
        world.advance(seconds: 1)
        #expect(world.evaluateReminders().count == 1)
        try world.task("t1", .decideApproval("t1.a1", .approve), by: "qa")
        world.advance(seconds: 10 * Self.day)
        #expect(world.evaluateReminders().isEmpty, "nothing pending any more")
    }

    @Test func disabledRulesAndFiltersFireNothing() throws {
        var world = try Self.world()
        try world.task("t1", .setLabels(["ops"]), by: "dev")
        try world.reminder(
            "other",
            .create(ReminderRuleDefinition(name: "Other", trigger: .noActivityFor(seconds: 60), filter: ReminderFilter(labels: ["billing"]))),
            by: "admin")
        try world.reminder(
            "mine",
            .create(
                ReminderRuleDefinition(name: "Mine", trigger: .noActivityFor(seconds: 60), filter: ReminderFilter(projects: ["p1"], labels: ["ops"]))),
            by: "admin")
        try world.reminder("mine", .disable, by: "admin")
        world.advance(seconds: 120)
        #expect(world.evaluateReminders().isEmpty)
        try world.reminder("mine", .enable, by: "admin")
        let fired = world.evaluateReminders()
        #expect(fired.map(\.stream) == [.reminder("mine")])
    }

    @Test func evaluationIsAPureFunction() throws {
        var world = try Self.world()
        try world.reminder("stale", .create(ReminderRuleDefinition(name: "Stale", trigger: .noActivityFor(seconds: 60))), by: "admin")
        world.advance(seconds: 3_600)
        let rules = Array(world.reminders.values)
        let tasks = Array(world.tasks.values)
        let first = ReminderEvaluation.evaluate(rules: rules, tasks: tasks, now: world.now)
        let second = ReminderEvaluation.evaluate(rules: rules.reversed(), tasks: tasks.reversed(), now: world.now)
        #expect(first == second && first.count == 1)
        // Rebuilding the rule from its stream gives the same state, fired set included.
        world.apply(first)
        #expect(ReminderRuleState.fold(world.streams[.reminder("stale")] ?? []) == world.reminders["stale"])
    }
}
