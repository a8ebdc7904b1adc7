import Testing

@testable import Workflow

/// Parents, milestone membership, archiving, overdue tasks and project labels.
@Suite struct TaskStructureTests {
    static func world() throws -> World {
        var world = Fixture.world()
        for id: TaskID in ["t1", "t2", "t3"] { try Fixture.task(id, in: &world) }
        return world
    }

    // MARK: Parent

    @Test func aTaskGetsAParentOfItsProject() throws {
        var world = try Self.world()
        let events = try world.task("t2", .setParent("t1"), by: "dev")
        guard case .taskParentChanged(let changed) = events.first?.body else {
            Issue.record("expected TaskParentChanged")
            return
        }
        #expect(changed.parent == "t1")
        #expect(changed.changes.first?.toDisplay == "OPS-1")
        #expect(world.tasks["t2"]?.parent == "t1")
        #expect(try world.task("t2", .setParent("t1"), by: "dev").isEmpty)
        try world.task("t2", .setParent(nil), by: "dev")
        #expect(world.tasks["t2"]?.parent == nil)
        #expect(try world.task("t2", .setParent(nil), by: "dev").isEmpty)
    }

    @Test func noSelfParentAndNoCycles() throws {
        var world = try Self.world()
        #expect(refusal { try world.task("t1", .setParent("t1"), by: "dev") } == "parent-cycle")
        try world.task("t2", .setParent("t1"), by: "dev")
        try world.task("t3", .setParent("t2"), by: "dev")
        // t1 → t3 would close the loop t1 → t3 → t2 → t1.
        #expect(refusal { try world.task("t1", .setParent("t3"), by: "dev") } == "parent-cycle")
        #expect(refusal { try world.task("t1", .setParent("t2"), by: "dev") } == "parent-cycle")
    }

    @Test func parentsMustExistLiveInTheProjectAndStayShallow() throws {
        var world = try Self.world()
        #expect(refusal { try world.task("t1", .setParent("t9"), by: "dev") } == "not-found")
        #expect(refusal { try world.task("t1", .setParent("t2"), by: "viewer") } == "missing-permission")
        try world.task("t3", .delete, by: "pm")
        #expect(refusal { try world.task("t1", .setParent("t3"), by: "dev") } == "task-deleted")
        try world.project("p2", .create(NewProject(key: "WEB", name: "Web", workflow: WorkflowPin(workflow: "wf", version: 1))), by: "dev")
        try world.task("w1", .create(NewTask(title: "Elsewhere")), by: "dev", project: "p2")
        #expect(refusal { try world.task("t1", .setParent("w1"), by: "dev") } == "validation-failed")
        world.limits.parentDepthMax = 1
        try world.task("t2", .setParent("t1"), by: "dev")
        try world.task("t4", .create(NewTask(title: "Deep")), by: "dev")
        #expect(refusal { try world.task("t4", .setParent("t2"), by: "dev") } == "limit-exceeded")
    }

    // MARK: Milestones

    @Test func tasksJoinOneMilestoneOfTheirProject() throws {
        var world = try Self.world()
        try world.milestone("s1", .create(NewMilestone(kind: .sprint, name: "Sprint 1")), by: "pm")
        try world.milestone("m1", .create(NewMilestone(kind: .milestone, name: "Launch")), by: "pm")
        #expect(refusal { try world.task("t1", .addToMilestone("m9"), by: "dev") } == "not-found")
        try world.task("t1", .addToMilestone("s1"), by: "dev")
        let events = try world.task("t1", .addToMilestone("m1"), by: "dev")
        guard case .taskAddedToMilestone(let added) = events.first?.body else {
            Issue.record("expected TaskAddedToMilestone")
            return
        }
        #expect(added.previous == "s1")
        #expect(added.changes.first?.toDisplay == "Launch")
        #expect(world.tasks["t1"]?.milestone == "m1")
        #expect(try world.task("t1", .addToMilestone("m1"), by: "dev").isEmpty)
        try world.task("t1", .removeFromMilestone, by: "dev")
        #expect(world.tasks["t1"]?.milestone == nil)
        #expect(try world.task("t1", .removeFromMilestone, by: "dev").isEmpty)
        #expect(refusal { try world.task("t1", .addToMilestone("m1"), by: "outsider") } == "missing-permission")
    }

    @Test func milestonesOfOtherProjectsAndClosedOnesTakeNoTasks() throws {
        var world = try Self.world()
        try world.project("p2", .create(NewProject(key: "WEB", name: "Web", workflow: WorkflowPin(workflow: "wf", version: 1))), by: "pm")
        try world.milestone("x1", .create(NewMilestone(kind: .milestone, name: "Elsewhere")), by: "pm", project: "p2")
        #expect(refusal { try world.task("t1", .addToMilestone("x1"), by: "dev") } == "not-found")
        try world.milestone("s1", .create(NewMilestone(kind: .sprint, name: "Sprint 1")), by: "pm")
        try world.milestone("s1", .start, by: "pm")
        try world.milestone("s1", .close(carryOverTo: nil), by: "pm")
        #expect(refusal { try world.task("t1", .addToMilestone("s1"), by: "dev") } == "milestone-closed")
    }

    // MARK: Archive

    @Test func archivedTasksAreFrozenUntilUnarchived() throws {
        var world = try Self.world()
        #expect(refusal { try world.task("t1", .archive, by: "dev") } == "missing-permission")
        let events = try world.task("t1", .archive, by: "pm")
        #expect(events.map(\.type) == ["TaskArchived"])
        #expect(world.tasks["t1"]?.isArchived == true)
        #expect(world.columnCounts("p1")["backlog"] == 2)
        #expect(try world.task("t1", .archive, by: "pm").isEmpty)
        #expect(refusal { try world.task("t1", .edit(title: .set("x")), by: "dev") } == "task-archived")
        #expect(refusal { try world.task("t1", .move(to: "todo"), by: "dev") } == "task-archived")
        #expect(refusal { try world.task("t1", .addComment("c1", body: "hi"), by: "dev") } == "task-archived")
        #expect(refusal { try world.task("t1", .delete, by: "pm") } == "task-archived")
        try world.task("t1", .unarchive, by: "pm")
        #expect(world.tasks["t1"]?.isArchived == false)
        #expect(try world.task("t1", .unarchive, by: "pm").isEmpty)
        #expect(refusal { try world.task("t1", .edit(title: .set("x")), by: "dev") } == nil)
    }

    @Test func archivingCancelsAPendingApprovalAndWorksInReadOnlyStates() throws {
        var world = try Self.world()
        try world.task("t1", .move(to: "todo"), by: "dev")
        try world.task("t1", .move(to: "doing"), by: "dev")
        try world.task("t1", .move(to: "review"), by: "dev")
        try world.task("t1", .move(to: "done"), by: "dev")
        let events = try world.task("t1", .archive, by: "pm")
        #expect(events.map(\.type) == ["ApprovalCancelled", "TaskArchived"])
        #expect(world.tasks["t1"]?.pendingApproval == nil)
    }

    @Test func unarchivingRespectsAHardWIPLimit() throws {
        var world = Fixture.world(wip: .hard, doingLimit: 1)
        try Fixture.task("t1", in: &world, path: ["todo", "doing"])
        try world.task("t1", .archive, by: "pm")
        try Fixture.task("t2", in: &world, path: ["todo", "doing"])
        #expect(refusal { try world.task("t1", .unarchive, by: "pm") } == "wip-limit-exceeded")
    }

    // MARK: Overdue

    @Test func overdueIsRecordedOncePerDueDate() throws {
        var world = try Self.world()
        let due = CalendarDate(year: 2026, month: 9, day: 1)
        try world.task("t1", .setDates(start: nil, due: due), by: "dev")
        try world.task("t2", .setDates(start: nil, due: CalendarDate(year: 2030, month: 1, day: 1)), by: "dev")
        let updated = world.tasks["t1"]!.updatedAt
        let first = world.evaluateOverdue()
        #expect(first.map(\.stream) == [.task("t1")])
        #expect(world.tasks["t1"]?.overdueFor == due)
        #expect(world.tasks["t1"]?.updatedAt == updated, "time passing is not activity")
        #expect(world.evaluateOverdue().isEmpty)
        // A new due date that also passes makes the task overdue again.
        let later = CalendarDate(year: 2026, month: 9, day: 2)
        try world.task("t1", .setDates(start: nil, due: later), by: "dev")
        let second = world.evaluateOverdue()
        guard case .taskBecameOverdue(let overdue) = second.first?.body else {
            Issue.record("expected TaskBecameOverdue")
            return
        }
        #expect(overdue.dueDate == later)
    }

    @Test func closedDeletedAndArchivedTasksAreNeverOverdue() throws {
        var world = try Self.world()
        let due = CalendarDate(year: 2026, month: 9, day: 1)
        for id: TaskID in ["t1", "t2", "t3"] { try world.task(id, .setDates(start: nil, due: due), by: "dev") }
        try world.task("t1", .move(to: "canceled"), by: "pm")
        try world.task("t2", .delete, by: "pm")
        try world.task("t3", .archive, by: "pm")
        #expect(world.evaluateOverdue().isEmpty)
        // The evaluation is a function of its inputs: order does not matter, and nothing is read from a clock.
        let tasks = Array(world.tasks.values)
        #expect(OverdueEvaluation.evaluate(tasks: tasks, now: world.now) == OverdueEvaluation.evaluate(tasks: tasks.reversed(), now: world.now))
    }

    @Test func aDueDateIsOverdueOnlyOnceItHasEnded() throws {
        var world = try Self.world()
        let today = CalendarDate(daysSinceEpoch: world.now.unixMicros / 86_400_000_000)
        try world.task("t1", .setDates(start: nil, due: today), by: "dev")
        #expect(world.evaluateOverdue().isEmpty)
        world.advance(seconds: 86_400)
        #expect(world.evaluateOverdue().count == 1)
    }

    // MARK: Labels

    @Test func projectLabelsAreManagedWithProjectUpdate() throws {
        var world = Fixture.world()
        #expect(refusal { try world.project("p1", .createLabel(name: "infra", color: "#00FF00"), by: "dev") } == "missing-permission")
        let events = try world.project("p1", .createLabel(name: " infra ", color: "#00FF00", description: "Servers"), by: "pm")
        guard case .labelCreated(let created) = events.first?.body else {
            Issue.record("expected LabelCreated")
            return
        }
        #expect(created.name == "infra" && created.color == "#00ff00")
        #expect(refusal { try world.project("p1", .createLabel(name: "infra", color: "#000000"), by: "pm") } == "already-exists")
        #expect(refusal { try world.project("p1", .createLabel(name: "x", color: "green"), by: "pm") } == "validation-failed")
        let updated = try world.project("p1", .updateLabel(name: "infra", color: .set("#111111")), by: "pm")
        #expect(updated.map(\.type) == ["LabelUpdated"])
        #expect(world.projects["p1"]?.labels["infra"]?.color == "#111111")
        #expect(try world.project("p1", .updateLabel(name: "infra", color: .set("#111111")), by: "pm").isEmpty)
        #expect(refusal { try world.project("p1", .updateLabel(name: "nope", color: .set("#111111")), by: "pm") } == "not-found")
        try world.project("p1", .deleteLabel(name: "infra"), by: "pm")
        #expect(world.projects["p1"]?.labels["infra"] == nil)
        #expect(refusal { try world.project("p1", .deleteLabel(name: "infra"), by: "pm") } == "not-found")
        world.limits.labelsPerProjectMax = 3
        #expect(refusal { try world.project("p1", .createLabel(name: "more", color: "#000000"), by: "pm") } == "limit-exceeded")
    }

    @Test func newTasksGetOnlyDefinedLabels() throws {
        var world = Fixture.world()
        #expect(refusal { try world.task("t1", .create(NewTask(title: "x", labels: ["bug", "nope"])), by: "dev") } == "not-found")
        #expect(refusal { try world.task("t1", .create(NewTask(title: "x", labels: ["bug", "ui"])), by: "dev") } == nil)
        #expect(world.tasks["t1"]?.labels == ["bug", "ui"])
    }

    @Test func tasksGetOnlyDefinedLabelsButKeepDeletedOnes() throws {
        var world = try Self.world()
        #expect(refusal { try world.task("t1", .setLabels(["bug", "nope"]), by: "dev") } == "not-found")
        try world.task("t1", .setLabels(["bug", "ops"]), by: "dev")
        try world.project("p1", .deleteLabel(name: "ops"), by: "pm")
        // The task keeps "ops" while its other labels change; it cannot get it back once dropped.
        #expect(refusal { try world.task("t1", .setLabels(["ops", "ui"]), by: "dev") } == nil)
        try world.task("t1", .setLabels(["ui"]), by: "dev")
        #expect(refusal { try world.task("t1", .setLabels(["ops", "ui"]), by: "dev") } == "not-found")
    }
}
