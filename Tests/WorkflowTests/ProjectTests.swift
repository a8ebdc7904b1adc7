import Testing

@testable import Workflow

@Suite struct ProjectTests {
    let pin = WorkflowPin(workflow: "wf", version: 1)

    @Test func creatorBecomesProjectManager() throws {
        let world = Fixture.world()
        let project = try #require(world.projects["p1"])
        #expect(project.members["pm"] == .projectManager)
        #expect(project.key == "OPS")
    }

    @Test func creatingNeedsProjectCreate() {
        var world = Fixture.world()
        let new = NewProject(key: "WEB", name: "Web", workflow: pin)
        #expect(refusal { try world.project("p2", .create(new), by: "viewer") } == "missing-permission")
        #expect(refusal { try world.project("p2", .create(new), by: "auditor") } == "missing-permission")
        #expect(refusal { try world.project("p2", .create(new), by: "outsider") } == nil)
        #expect(world.projects["p2"]?.members["outsider"] == .projectManager)
    }

    @Test func keysAreValidAndUnique() {
        var world = Fixture.world()
        #expect(refusal { try world.project("p2", .create(NewProject(key: "OPS", name: "Again", workflow: pin)), by: "pm") } == "already-exists")
        #expect(refusal { try world.project("p2", .create(NewProject(key: "ops", name: "Lower", workflow: pin)), by: "pm") } == "validation-failed")
        #expect(refusal { try world.project("p2", .create(NewProject(key: "X", name: "Short", workflow: pin)), by: "pm") } == "validation-failed")
        #expect(refusal { try world.project("p1", .create(NewProject(key: "NEW", name: "Same id", workflow: pin)), by: "pm") } == "already-exists")
        let unknown = WorkflowPin(workflow: "wf", version: 9)
        #expect(refusal { try world.project("p2", .create(NewProject(key: "NEW", name: "N", workflow: unknown)), by: "pm") } == "not-found")
    }

    @Test func updateRecordsFieldChangesWithDisplayValues() throws {
        var world = Fixture.world()
        let events = try world.project("p1", .update(ProjectChanges(name: .set("Ops"), lead: .set("dev"))), by: "pm")
        guard case .projectUpdated(let updated) = events.first?.body else {
            Issue.record("expected ProjectUpdated")
            return
        }
        #expect(updated.changes.map(\.field) == ["name", "lead"])
        #expect(updated.changes[1].toDisplay == "Name of dev")
        #expect(world.projects["p1"]?.lead == "dev")
        #expect(try world.project("p1", .update(ProjectChanges(name: .set("Ops"))), by: "pm").isEmpty)
    }

    @Test func updateNeedsProjectUpdateAndConsistentDates() {
        var world = Fixture.world()
        #expect(refusal { try world.project("p1", .update(ProjectChanges(name: .set("X"))), by: "dev") } == "missing-permission")
        let dates = ProjectChanges(
            startDate: .set(CalendarDate(year: 2026, month: 5, day: 2)), targetDate: .set(CalendarDate(year: 2026, month: 5, day: 1)))
        #expect(refusal { try world.project("p1", .update(dates), by: "pm") } == "validation-failed")
        #expect(refusal { try world.project("p1", .update(ProjectChanges(lead: .set("ghost"))), by: "pm") } == "not-found")
    }

    @Test func archivedProjectsAcceptOnlyRestore() throws {
        var world = Fixture.world()
        try Fixture.task("t1", in: &world)
        #expect(refusal { try world.project("p1", .archive, by: "dev") } == "missing-permission")
        try world.project("p1", .archive, by: "pm")
        #expect(world.projects["p1"]?.status == .archived)
        #expect(refusal { try world.project("p1", .update(ProjectChanges(name: .set("X"))), by: "pm") } == "project-archived")
        #expect(refusal { try world.project("p1", .addMember("outsider", role: .member), by: "pm") } == "project-archived")
        #expect(refusal { try world.task("t2", .create(NewTask(title: "x")), by: "dev") } == "project-archived")
        #expect(refusal { try world.task("t1", .edit(title: .set("y")), by: "dev") } == "project-archived")
        #expect(refusal { try world.task("t1", .move(to: "todo"), by: "dev") } == "project-archived")
        #expect(refusal { try world.task("t1", .addComment("c1", body: "hi"), by: "dev") } == "project-archived")
        try world.project("p1", .restore, by: "pm")
        #expect(refusal { try world.task("t1", .move(to: "todo"), by: "dev") } == nil)
    }

    @Test func membersNeedProjectMemberManage() throws {
        var world = Fixture.world()
        #expect(refusal { try world.project("p1", .addMember("outsider", role: .member), by: "dev") } == "missing-permission")
        #expect(refusal { try world.project("p1", .addMember("outsider", role: .member), by: "pm") } == nil)
        #expect(refusal { try world.project("p1", .addMember("outsider", role: .member), by: "pm") } == "already-exists")
        #expect(refusal { try world.project("p1", .addMember("ghost", role: .member), by: "pm") } == "not-found")
        try world.project("p1", .changeMemberRole("outsider", to: .viewer), by: "pm")
        #expect(world.projects["p1"]?.members["outsider"] == .viewer)
        try world.project("p1", .removeMember("outsider"), by: "pm")
        #expect(world.projects["p1"]?.members["outsider"] == nil)
        #expect(refusal { try world.project("p1", .removeMember("outsider"), by: "pm") } == "not-found")
        // Workspace admins manage every project without being in it.
        #expect(refusal { try world.project("p1", .addMember("outsider", role: .member), by: "admin") } == nil)
    }

    @Test func taskKeysJoinTheProjectKeyAndTheNumberTheCallerAllocates() throws {
        var world = Fixture.world()
        try Fixture.task("t1", in: &world)
        try Fixture.task("t2", in: &world)
        #expect(world.tasks["t1"]?.key == "OPS-1")
        #expect(world.tasks["t2"]?.key == "OPS-2")
        // Creating a task writes only the task's stream: creations in one project never wait for each other.
        #expect(world.streams[.project("p1")]?.contains { $0.type.hasPrefix("Task") } == false)
    }
}
