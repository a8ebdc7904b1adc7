import Testing

@testable import Workflow

@Suite struct MilestoneTests {
    static func world() throws -> World {
        var world = Fixture.world()
        try world.milestone("s1", .create(NewMilestone(kind: .sprint, name: "Sprint 1")), by: "pm")
        try world.milestone("s2", .create(NewMilestone(kind: .sprint, name: "Sprint 2")), by: "pm")
        try world.milestone("m1", .create(NewMilestone(kind: .milestone, name: "Launch")), by: "pm")
        return world
    }

    @Test func createNeedsMilestoneManageAndValidInput() throws {
        var world = Fixture.world()
        let new = NewMilestone(kind: .sprint, name: "  Sprint 1 ", startDate: CalendarDate(year: 2026, month: 10, day: 1))
        #expect(refusal { try world.milestone("s1", .create(new), by: "dev") } == "missing-permission")
        #expect(refusal { try world.milestone("s1", .create(new), by: "auditor") } == "missing-permission")
        let bad = NewMilestone(
            kind: .sprint, name: "x", startDate: CalendarDate(year: 2026, month: 10, day: 2), dueDate: CalendarDate(year: 2026, month: 10, day: 1))
        #expect(refusal { try world.milestone("s1", .create(bad), by: "pm") } == "validation-failed")
        #expect(refusal { try world.milestone("s1", .create(NewMilestone(kind: .sprint, name: " ")), by: "pm") } == "validation-failed")
        let events = try world.milestone("s1", .create(new), by: "pm")
        #expect(events.map(\.stream) == [.milestone("s1")])
        let sprint = try #require(world.milestones["s1"])
        #expect(sprint.name == "Sprint 1" && sprint.status == .planned && sprint.project == "p1")
        #expect(refusal { try world.milestone("s1", .create(new), by: "pm") } == "already-exists")
        try world.project("p1", .archive, by: "pm")
        #expect(refusal { try world.milestone("s9", .create(new), by: "pm") } == "project-archived")
    }

    @Test func updateRecordsFieldChangesAndRefusesClosedMilestones() throws {
        var world = try Self.world()
        let due = CalendarDate(year: 2026, month: 10, day: 14)
        let events = try world.milestone("s1", .update(MilestoneChanges(name: .set("Sprint One"), dueDate: .set(due))), by: "pm")
        guard case .milestoneUpdated(let updated) = events.first?.body else {
            Issue.record("expected MilestoneUpdated")
            return
        }
        #expect(updated.changes.map(\.field) == ["name", "dueDate"])
        #expect(updated.changes[0].fromDisplay == "Sprint 1" && updated.changes[0].toDisplay == "Sprint One")
        #expect(try world.milestone("s1", .update(MilestoneChanges(name: .set("Sprint One"))), by: "pm").isEmpty)
        #expect(refusal { try world.milestone("s1", .update(MilestoneChanges(name: .set("x"))), by: "dev") } == "missing-permission")
        try world.milestone("s1", .start, by: "pm")
        try world.milestone("s1", .close(carryOverTo: nil), by: "pm")
        #expect(refusal { try world.milestone("s1", .update(MilestoneChanges(name: .set("x"))), by: "pm") } == "milestone-closed")
    }

    @Test func startingSnapshotsTheScope() throws {
        var world = try Self.world()
        try Fixture.task("t1", in: &world)
        try Fixture.task("t2", in: &world)
        try world.task("t1", .addToMilestone("s1"), by: "dev")
        try world.task("t2", .addToMilestone("s1"), by: "dev")
        let events = try world.milestone("s1", .start, by: "pm")
        guard case .sprintStarted(let started) = events.first?.body else {
            Issue.record("expected SprintStarted")
            return
        }
        #expect(started.scope.map(\.taskID) == ["t1", "t2"])
        #expect(started.scope.allSatisfy { $0.estimate == Estimate(amount: 3, unit: .points) })
        #expect(world.milestones["s1"]?.status == .active)
        // Starting it again changes nothing.
        #expect(try world.milestone("s1", .start, by: "pm").isEmpty)
    }

    @Test func oneActiveSprintPerProject() throws {
        var world = try Self.world()
        try world.milestone("s1", .start, by: "pm")
        #expect(refusal { try world.milestone("s2", .start, by: "pm") } == "sprint-already-active")
        try world.milestone("s1", .close(carryOverTo: nil), by: "pm")
        #expect(refusal { try world.milestone("s2", .start, by: "pm") } == nil)
    }

    @Test func closedSprintsDoNotStartAndPlannedOnesDoNotClose() throws {
        var world = try Self.world()
        #expect(refusal { try world.milestone("s1", .close(carryOverTo: nil), by: "pm") } == "sprint-not-active")
        try world.milestone("s1", .start, by: "pm")
        try world.milestone("s1", .close(carryOverTo: nil), by: "pm")
        #expect(refusal { try world.milestone("s1", .start, by: "pm") } == "milestone-closed")
        #expect(try world.milestone("s1", .close(carryOverTo: nil), by: "pm").isEmpty)
        // A milestone is not a time box: it neither starts nor closes.
        #expect(refusal { try world.milestone("m1", .start, by: "pm") } == "validation-failed")
        #expect(refusal { try world.milestone("m1", .close(carryOverTo: nil), by: "pm") } == "validation-failed")
        #expect(refusal { try world.milestone("m9", .start, by: "pm") } == "not-found")
    }

    @Test func closingSplitsTasksAndCarriesOpenOnesOver() throws {
        var world = try Self.world()
        try Fixture.task("t1", in: &world, path: ["todo", "doing"])
        try Fixture.task("t2", in: &world)
        try Fixture.task("t3", in: &world)
        try Fixture.task("t4", in: &world)
        for task: TaskID in ["t1", "t2", "t3", "t4"] { try world.task(task, .addToMilestone("s1"), by: "dev") }
        try world.milestone("s1", .start, by: "pm")
        try world.task("t3", .move(to: "canceled"), by: "pm")
        try world.task("t2", .move(to: "todo"), by: "dev")
        try world.task("t2", .move(to: "done"), by: "dev")  // fasttrack: quorum of two
        try world.task("t2", .decideApproval("t2.a1", .approve), by: "qa")
        try world.task("t2", .decideApproval("t2.a1", .approve), by: "dev2")
        let events = try world.milestone("s1", .close(carryOverTo: "s2"), by: "pm")
        guard case .sprintClosed(let closed) = events.first?.body else {
            Issue.record("expected SprintClosed")
            return
        }
        #expect(closed.completed == ["t2"])
        #expect(closed.canceled == ["t3"])
        #expect(closed.carriedOver == ["t1", "t4"])
        #expect(closed.carriedOverTo == "s2")
        #expect(events.dropFirst().map(\.stream) == [.task("t1"), .task("t4")])
        #expect(world.tasks["t1"]?.milestone == "s2")
        #expect(world.tasks["t2"]?.milestone == "s1")
        #expect(world.milestones["s1"]?.status == .closed)
    }

    @Test func carryOverNeedsAnOpenMilestoneOfTheProject() throws {
        var world = try Self.world()
        try world.milestone("s1", .start, by: "pm")
        #expect(refusal { try world.milestone("s1", .close(carryOverTo: "s9"), by: "pm") } == "not-found")
        #expect(refusal { try world.milestone("s1", .close(carryOverTo: "s1"), by: "pm") } == "validation-failed")
        try world.project("p2", .create(NewProject(key: "WEB", name: "Web", workflow: WorkflowPin(workflow: "wf", version: 1))), by: "pm")
        try world.milestone("x1", .create(NewMilestone(kind: .sprint, name: "Elsewhere")), by: "pm", project: "p2")
        #expect(refusal { try world.milestone("s1", .close(carryOverTo: "x1"), by: "pm") } == "not-found")
        #expect(refusal { try world.milestone("s1", .close(carryOverTo: "m1"), by: "pm") } == nil)
    }

    @Test func carryOverToAClosedSprintIsRefused() throws {
        var world = try Self.world()
        try world.milestone("s2", .start, by: "pm")
        try world.milestone("s2", .close(carryOverTo: nil), by: "pm")
        try world.milestone("s1", .start, by: "pm")
        #expect(refusal { try world.milestone("s1", .close(carryOverTo: "s2"), by: "pm") } == "milestone-closed")
    }

    @Test func sprintsAreBounded() throws {
        var world = try Self.world()
        world.limits.tasksPerSprintMax = 1
        try Fixture.task("t1", in: &world)
        try Fixture.task("t2", in: &world)
        try world.task("t1", .addToMilestone("s1"), by: "dev")
        try world.task("t2", .addToMilestone("s1"), by: "dev")
        #expect(refusal { try world.milestone("s1", .start, by: "pm") } == "limit-exceeded")
    }
}
