import Testing

@testable import Workflow

@Suite struct MigrationTests {
    static let v1 = WorkflowPin(workflow: "wf", version: 1)
    static let v2 = WorkflowPin(workflow: "wf", version: 2)

    /// Version 2 merges `todo` into `backlog`, renames `doing` and drops `review`.
    static func world() throws -> World {
        var world = Fixture.world()
        try Fixture.task("t1", in: &world)
        try Fixture.task("t2", in: &world, path: ["todo", "doing"])
        try Fixture.task("t3", in: &world, path: ["todo"])
        var next = Fixture.definition
        next.states.removeAll { $0.id == "todo" || $0.id == "review" }
        next.states[1].name = "In progress"
        next.transitions = [
            TransitionDefinition(id: "start", from: .state("backlog"), to: "doing"),
            TransitionDefinition(id: "finish", from: .state("doing"), to: "done"),
            TransitionDefinition(id: "cancel", from: .any, to: "canceled"),
        ]
        try world.workflow("wf", .publish(next), by: "admin")
        return world
    }

    static let mapping: [StateID: StateID] = ["backlog": "backlog", "todo": "backlog", "doing": "doing", "review": "doing"]

    @Test func tasksMoveToTheNewVersionByTheMapping() throws {
        var world = try Self.world()
        let events = try world.project("p1", .migrateTasks(from: Self.v1, to: Self.v2, mapping: Self.mapping), by: "pm")
        #expect(Array(events.map(\.type).prefix(2)) == ["TasksMigratedToWorkflowVersion", "ProjectWorkflowChanged"])
        #expect(Set(events.dropFirst(2).map(\.stream)) == [.task("t1"), .task("t2"), .task("t3")])
        guard case .tasksMigratedToWorkflowVersion(let migrated) = events.first?.body else {
            Issue.record("expected TasksMigratedToWorkflowVersion")
            return
        }
        #expect(migrated.tasks == ["t1", "t2", "t3"])
        #expect(migrated.mapping.first { $0.from == "doing" }?.toName == "In progress")
        #expect(world.projects["p1"]?.workflow == Self.v2)
        #expect(world.tasks.values.allSatisfy { $0.workflow == Self.v2 })
        #expect(world.tasks["t3"]?.state == "backlog" && world.tasks["t3"]?.category == .backlog)
        #expect(world.tasks["t2"]?.state == "doing")
        // The tasks now move by version 2's transitions.
        #expect(refusal { try world.task("t2", .move(to: "done"), by: "dev") } == nil)
        // Nothing is left on version 1: running it again changes nothing.
        #expect(try world.project("p1", .migrateTasks(from: Self.v1, to: Self.v2, mapping: Self.mapping), by: "pm").isEmpty)
    }

    @Test func everyUsedStateMustBeMapped() throws {
        var world = try Self.world()
        var mapping = Self.mapping
        mapping["todo"] = nil
        #expect(refusal { try world.project("p1", .migrateTasks(from: Self.v1, to: Self.v2, mapping: mapping), by: "pm") } == "state-not-mapped")
        // `review` holds no task: leaving it out is fine.
        mapping = Self.mapping
        mapping["review"] = nil
        #expect(refusal { try world.project("p1", .migrateTasks(from: Self.v1, to: Self.v2, mapping: mapping), by: "pm") } == nil)
    }

    @Test func everyTargetMustExistInTheNewVersion() throws {
        var world = try Self.world()
        var mapping = Self.mapping
        mapping["todo"] = "todo"
        #expect(refusal { try world.project("p1", .migrateTasks(from: Self.v1, to: Self.v2, mapping: mapping), by: "pm") } == "not-found")
        mapping = Self.mapping
        mapping["nowhere"] = "backlog"
        #expect(
            refusal { try world.project("p1", .migrateTasks(from: Self.v1, to: Self.v2, mapping: mapping), by: "pm") } == "validation-failed")
    }

    @Test func versionsMustExistDifferAndNeedWorkflowManage() throws {
        var world = try Self.world()
        let v3 = WorkflowPin(workflow: "wf", version: 3)
        #expect(refusal { try world.project("p1", .migrateTasks(from: Self.v1, to: v3, mapping: Self.mapping), by: "pm") } == "not-found")
        #expect(
            refusal { try world.project("p1", .migrateTasks(from: Self.v1, to: Self.v1, mapping: Self.mapping), by: "pm") } == "validation-failed")
        #expect(
            refusal { try world.project("p1", .migrateTasks(from: Self.v1, to: Self.v2, mapping: Self.mapping), by: "dev") } == "missing-permission")
        try world.project("p1", .archive, by: "pm")
        #expect(
            refusal { try world.project("p1", .migrateTasks(from: Self.v1, to: Self.v2, mapping: Self.mapping), by: "pm") } == "project-archived")
    }

    @Test func migrationsAreBoundedWithTheirOwnCode() throws {
        var world = try Self.world()
        world.limits.tasksPerMigrationMax = 2
        #expect(
            refusal { try world.project("p1", .migrateTasks(from: Self.v1, to: Self.v2, mapping: Self.mapping), by: "pm") }
                == "migration-too-large")
        #expect(world.tasks.values.allSatisfy { $0.workflow == Self.v1 })
    }

    @Test func pendingApprovalsAreCancelledAndCompletionFollowsTheCategory() throws {
        var world = try Self.world()
        try world.task("t2", .move(to: "review"), by: "dev")
        try world.task("t2", .move(to: "done"), by: "dev")  // `accept` needs approval: pending
        var mapping = Self.mapping
        mapping["review"] = "done"
        let events = try world.project("p1", .migrateTasks(from: Self.v1, to: Self.v2, mapping: mapping), by: "pm")
        let t2 = events.filter { $0.stream == .task("t2") }.map(\.type)
        #expect(t2 == ["ApprovalCancelled", "TaskWorkflowMigrated", "TaskCompleted"])
        let task = try #require(world.tasks["t2"])
        #expect(task.pendingApproval == nil && task.category == .completed && task.completedAt == world.now)
    }

    @Test func tasksOnOtherVersionsStayAndTheProjectPinMovesOnlyFromTheOldVersion() throws {
        var world = try Self.world()
        try world.project("p1", .pinWorkflow(Self.v2), by: "pm")
        try world.task("t4", .create(NewTask(title: "On version 2")), by: "dev")
        let events = try world.project("p1", .migrateTasks(from: Self.v1, to: Self.v2, mapping: Self.mapping), by: "pm")
        #expect(!events.map(\.type).contains("ProjectWorkflowChanged"))
        #expect(!events.map(\.stream).contains(.task("t4")))
        #expect(world.tasks.values.allSatisfy { $0.workflow == Self.v2 })
    }
}
