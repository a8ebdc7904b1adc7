import Testing

@testable import Workflow

@Suite struct TaskTests {
    @Test func createPinsTheWorkflowAndStartsInTheInitialState() throws {
        var world = Fixture.world()
        let events = try world.task("t1", .create(NewTask(title: "  Fix the login  ", assignees: ["dev", "dev"])), by: "dev")
        #expect(events.map(\.type) == ["TaskCreated"])
        #expect(events.map(\.stream) == [.task("t1")])
        let task = try #require(world.tasks["t1"])
        #expect(task.title == "Fix the login")
        #expect(task.state == "backlog")
        #expect(task.category == .backlog)
        #expect(task.workflow == WorkflowPin(workflow: "wf", version: 1))
        #expect(task.assignees == ["dev"])
        #expect(task.author == "dev")
    }

    @Test func createNeedsTaskCreate() {
        var world = Fixture.world()
        #expect(refusal { try world.task("t1", .create(NewTask(title: "x")), by: "viewer") } == "missing-permission")
        #expect(refusal { try world.task("t1", .create(NewTask(title: "x")), by: "outsider") } == "missing-permission")
        #expect(refusal { try world.task("t1", .create(NewTask(title: "x")), by: "auditor") } == "missing-permission")
        #expect(refusal { try world.task("t1", .create(NewTask(title: "x")), by: "admin") } == nil)
        #expect(refusal { try world.task("t1", .create(NewTask(title: "x")), by: "admin") } == "already-exists")
    }

    @Test func createValidatesInput() {
        var world = Fixture.world()
        #expect(refusal { try world.task("t1", .create(NewTask(title: "   ")), by: "dev") } == "validation-failed")
        #expect(refusal { try world.task("t1", .create(NewTask(title: "two\nlines")), by: "dev") } == "validation-failed")
        #expect(refusal { try world.task("t1", .create(NewTask(title: "x", assignees: ["ghost"])), by: "dev") } == "not-found")
        let start = CalendarDate(year: 2026, month: 3, day: 2)
        let due = CalendarDate(year: 2026, month: 3, day: 1)
        #expect(refusal { try world.task("t1", .create(NewTask(title: "x", startDate: start, dueDate: due)), by: "dev") } == "validation-failed")
        #expect(refusal { try world.task("t1", .create(NewTask(title: "x", rank: "a b")), by: "dev") } == "validation-failed")
        #expect(refusal { try world.task("bad id", .create(NewTask(title: "x")), by: "dev") } == "validation-failed")
    }

    @Test func sizeLimitsAreStatedAndEnforced() {
        var world = Fixture.world()
        let limits = world.limits
        let longTitle = String(repeating: "é", count: limits.titleBytesMax / 2 + 1)
        #expect(refusal { try world.task("t1", .create(NewTask(title: longTitle)), by: "dev") } == "limit-exceeded")
        let longDescription = String(repeating: "x", count: limits.descriptionBytesMax + 1)
        #expect(refusal { try world.task("t1", .create(NewTask(title: "x", description: longDescription)), by: "dev") } == "limit-exceeded")
        let labels = (0...limits.labelsPerTaskMax).map { "l\($0)" }
        #expect(refusal { try world.task("t1", .create(NewTask(title: "x", labels: labels)), by: "dev") } == "limit-exceeded")
        #expect(refusal { try world.task("t1", .create(NewTask(title: String(repeating: "x", count: limits.titleBytesMax))), by: "dev") } == nil)
    }

    @Test func editRecordsFieldChanges() throws {
        var world = Fixture.world()
        try Fixture.task("t1", in: &world)
        let events = try world.task("t1", .edit(title: .set("New title"), description: .set("Why")), by: "dev")
        guard case .taskEdited(let edited) = events.first?.body else {
            Issue.record("expected TaskEdited")
            return
        }
        #expect(edited.changes.map(\.field) == ["title", "description"])
        #expect(edited.changes[0].from == .text("Task t1"))
        #expect(edited.changes[0].toDisplay == "New title")
        #expect(world.tasks["t1"]?.title == "New title")
        #expect(try world.task("t1", .edit(title: .set("New title")), by: "dev").isEmpty)
    }

    @Test func ownVariantsLetViewersWorkOnlyTheirOwnTasks() throws {
        var world = Fixture.world()
        try Fixture.task("mine", in: &world, assignees: ["viewer"])
        try Fixture.task("theirs", in: &world, assignees: ["dev"])
        #expect(refusal { try world.task("mine", .edit(title: .set("ok")), by: "viewer") } == nil)
        #expect(refusal { try world.task("mine", .setPriority(.high), by: "viewer") } == nil)
        #expect(refusal { try world.task("mine", .move(to: "todo"), by: "viewer") } == nil)
        #expect(refusal { try world.task("theirs", .edit(title: .set("no")), by: "viewer") } == "missing-permission")
        #expect(refusal { try world.task("theirs", .move(to: "todo"), by: "viewer") } == "missing-permission")
        #expect(refusal { try world.task("mine", .assign("viewer"), by: "viewer") } == "missing-permission")
    }

    @Test func assignAndUnassign() throws {
        var world = Fixture.world()
        try Fixture.task("t1", in: &world, assignees: [])
        let assigned = try world.task("t1", .assign("dev2"), by: "dev")
        guard case .taskAssigned(let payload) = assigned.first?.body else {
            Issue.record("expected TaskAssigned")
            return
        }
        #expect(payload.memberName == "Name of dev2")
        #expect(try world.task("t1", .assign("dev2"), by: "dev").isEmpty)
        #expect(refusal { try world.task("t1", .assign("ghost"), by: "dev") } == "not-found")
        #expect(refusal { try world.task("t1", .assign("dev"), by: "viewer") } == "missing-permission")
        try world.task("t1", .unassign("dev2"), by: "dev")
        #expect(world.tasks["t1"]?.assignees == [])
        #expect(try world.task("t1", .unassign("dev2"), by: "dev").isEmpty)
    }

    @Test func assigneesAreLimited() throws {
        var world = Fixture.world()
        world.limits.assigneesPerTaskMax = 1
        try Fixture.task("t1", in: &world, assignees: ["dev"])
        #expect(refusal { try world.task("t1", .assign("dev2"), by: "dev") } == "limit-exceeded")
    }

    @Test func priorityDatesEstimateAndLabels() throws {
        var world = Fixture.world()
        try Fixture.task("t1", in: &world)
        let priority = try world.task("t1", .setPriority(.urgent), by: "dev")
        guard case .taskPriorityChanged(let changed) = priority.first?.body else {
            Issue.record("expected TaskPriorityChanged")
            return
        }
        #expect(
            changed.changes == [
                FieldChange(field: "priority", from: .text("none"), to: .text("urgent"), fromDisplay: "No priority", toDisplay: "Urgent")
            ])
        let start = CalendarDate(year: 2026, month: 2, day: 27)
        let due = CalendarDate(year: 2026, month: 3, day: 1)
        try world.task("t1", .setDates(start: start, due: due), by: "dev")
        #expect(world.tasks["t1"]?.dueDate == due)
        #expect(refusal { try world.task("t1", .setDates(start: due, due: start), by: "dev") } == "validation-failed")
        try world.task("t1", .setEstimate(Estimate(amount: 8, unit: .hours)), by: "dev")
        #expect(world.tasks["t1"]?.estimate?.description == "8h")
        #expect(refusal { try world.task("t1", .setEstimate(Estimate(amount: -1, unit: .hours)), by: "dev") } == "validation-failed")
        let labels = try world.task("t1", .setLabels(["ui", "bug", "ui"]), by: "dev")
        guard case .taskLabelsChanged(let labelChange) = labels.first?.body else {
            Issue.record("expected TaskLabelsChanged")
            return
        }
        #expect(labelChange.labels == ["bug", "ui"])
        #expect(labelChange.added == ["bug", "ui"])
        #expect(refusal { try world.task("t1", .setLabels(["ok"]), by: "outsider") } == "missing-permission")
    }

    @Test func deletionIsSoftAndRestorable() throws {
        var world = Fixture.world()
        try Fixture.task("t1", in: &world)
        try world.task("t1", .addComment("c1", body: "history"), by: "dev")
        #expect(refusal { try world.task("t1", .delete, by: "dev") } == "missing-permission")
        try world.task("t1", .delete, by: "pm")
        #expect(world.tasks["t1"]?.isDeleted == true)
        #expect(world.tasks["t1"]?.comments["c1"]?.body == "history")
        #expect(refusal { try world.task("t1", .edit(title: .set("x")), by: "dev") } == "task-deleted")
        #expect(refusal { try world.task("t1", .move(to: "todo"), by: "dev") } == "task-deleted")
        #expect(refusal { try world.task("t1", .addComment("c2", body: "x"), by: "dev") } == "task-deleted")
        #expect(refusal { try world.task("t1", .delete, by: "pm") } == "task-deleted")
        #expect(refusal { try world.task("t1", .restore, by: "dev") } == "missing-permission")
        try world.task("t1", .restore, by: "pm")
        #expect(world.tasks["t1"]?.isDeleted == false)
        #expect(try world.task("t1", .restore, by: "pm").isEmpty)
    }

    @Test func restoringIntoAFullHardColumnIsRefused() throws {
        var world = Fixture.world(wip: .hard)
        try Fixture.task("a", in: &world, path: ["todo", "doing"])
        try world.task("a", .delete, by: "pm")
        try Fixture.task("b", in: &world, path: ["todo", "doing"])
        try Fixture.task("c", in: &world, path: ["todo", "doing"])
        #expect(refusal { try world.task("a", .restore, by: "pm") } == "wip-limit-exceeded")
        try world.task("c", .move(to: "todo"), by: "dev")
        #expect(refusal { try world.task("a", .restore, by: "pm") } == nil)
    }

    @Test func readOnlyStatesAllowOnlyMovesAndComments() throws {
        var world = Fixture.world()
        try Fixture.task("t1", in: &world, path: ["todo", "doing", "review"])
        #expect(world.tasks["t1"]?.state == "review")
        #expect(refusal { try world.task("t1", .edit(title: .set("x")), by: "dev") } == "state-read-only")
        #expect(refusal { try world.task("t1", .assign("dev2"), by: "dev") } == "state-read-only")
        #expect(refusal { try world.task("t1", .setLabels(["x"]), by: "dev") } == "state-read-only")
        #expect(refusal { try world.task("t1", .delete, by: "pm") } == "state-read-only")
        #expect(refusal { try world.task("t1", .addComment("c1", body: "looks good"), by: "dev2") } == nil)
        #expect(refusal { try world.task("t1", .reorder(rank: "b0"), by: "dev") } == nil)
        #expect(refusal { try world.task("t1", .move(to: "canceled"), by: "pm") } == nil)
        #expect(refusal { try world.task("t1", .edit(title: .set("x")), by: "dev") } == nil)
    }

    @Test func reorderNeedsTaskReorder() throws {
        var world = Fixture.world()
        try Fixture.task("t1", in: &world)
        let events = try world.task("t1", .reorder(rank: "a0"), by: "dev")
        #expect(events.map(\.type) == ["TaskReordered"])
        #expect(world.tasks["t1"]?.rank == "a0")
        #expect(refusal { try world.task("t1", .reorder(rank: "a1"), by: "viewer") } == "missing-permission")
    }

    @Test func expectedVersionIsChecked() throws {
        var world = Fixture.world()
        try Fixture.task("t1", in: &world)
        #expect(refusal { try world.task("t1", .setPriority(.low), by: "dev", expectedVersion: 7) } == "version-conflict")
        #expect(refusal { try world.task("t1", .setPriority(.low), by: "dev", expectedVersion: 1) } == nil)
        #expect(refusal { try world.task("t9", .create(NewTask(title: "x")), by: "dev", expectedVersion: 1) } == "version-conflict")
        #expect(refusal { try world.task("t9", .create(NewTask(title: "x")), by: "dev", expectedVersion: 0) } == nil)
        #expect(refusal { try world.task("none", .setPriority(.low), by: "dev") } == "not-found")
    }
}
