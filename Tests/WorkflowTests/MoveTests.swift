import Testing

@testable import Workflow

/// Rule 1 and rule 2 of DOMAIN.md, each with a case that allows and one that refuses.
@Suite struct MoveTests {
    @Test func listedTransitionsMoveTheTask() throws {
        var world = Fixture.world()
        try Fixture.task("t1", in: &world)
        let events = try world.task("t1", .move(to: "todo", rank: "a0"), by: "dev")
        guard case .taskMoved(let moved) = events.first?.body, events.count == 1 else {
            Issue.record("expected one TaskMoved")
            return
        }
        #expect(moved.from == "backlog")
        #expect(moved.to == "todo")
        #expect(moved.fromName == "Backlog")
        #expect(moved.toName == "To do")
        #expect(moved.toCategory == .unstarted)
        #expect(moved.transitionID == "plan")
        #expect(moved.rank == "a0")
        #expect(world.tasks["t1"]?.state == "todo")
    }

    @Test func enforcedWorkflowsRefuseUnlistedMoves() throws {
        var world = Fixture.world()
        try Fixture.task("t1", in: &world)
        #expect(throws: DomainError.transitionNotAllowed(from: "backlog", to: "doing", reason: .noSuchTransition)) {
            try world.task("t1", .move(to: "doing"), by: "dev")
        }
        #expect(refusal { try world.task("t1", .move(to: "backlog"), by: "dev") } == "transition-not-allowed")
        #expect(refusal { try world.task("t1", .move(to: "mars"), by: "dev") } == "not-found")
    }

    @Test func openWorkflowsAllowAnyMoveButKeepListedConditions() throws {
        var world = Fixture.world()
        var open = Fixture.definition
        open.mode = .open
        try world.workflow("wf", .publish(open), by: "admin")
        try world.project("p1", .pinWorkflow(WorkflowPin(workflow: "wf", version: 2)), by: "pm")
        try Fixture.task("t1", in: &world)
        let events = try world.task("t1", .move(to: "done"), by: "dev2")
        guard case .taskMoved(let moved) = events.first?.body else {
            Issue.record("expected TaskMoved")
            return
        }
        #expect(moved.transitionID == nil)
        // The listed `reopen` (done → todo) still limits that pair to project managers.
        #expect(refusal { try world.task("t1", .move(to: "todo"), by: "dev") } == "transition-not-allowed")
        #expect(refusal { try world.task("t1", .move(to: "todo"), by: "pm") } == nil)
    }

    @Test func movingNeedsTaskTransition() throws {
        var world = Fixture.world()
        try Fixture.task("t1", in: &world)
        #expect(refusal { try world.task("t1", .move(to: "todo"), by: "outsider") } == "missing-permission")
        #expect(refusal { try world.task("t1", .move(to: "todo"), by: "auditor") } == "missing-permission")
        #expect(refusal { try world.task("t1", .move(to: "todo"), by: "dev2") } == nil)
    }

    @Test func allowedRolesLimitATransition() throws {
        var world = Fixture.world()
        try Fixture.task("t1", in: &world, path: ["todo"])
        try world.task("t1", .move(to: "done"), by: "dev")  // fasttrack: approval requested
        try world.task("t1", .decideApproval("t1.a1", .approve), by: "pm")
        try world.task("t1", .decideApproval("t1.a1", .approve), by: "qa")
        #expect(world.tasks["t1"]?.state == "done")
        #expect(throws: DomainError.transitionNotAllowed(from: "done", to: "todo", reason: .roleNotAllowed)) {
            try world.task("t1", .move(to: "todo"), by: "dev")
        }
        #expect(refusal { try world.task("t1", .move(to: "todo"), by: "pm") } == nil)
    }

    @Test func adminsPassWhoMayMoveChecks() throws {
        var world = Fixture.world()
        try Fixture.task("t1", in: &world)
        #expect(refusal { try world.task("t1", .move(to: "canceled"), by: "admin") } == nil)
    }

    @Test func allowedMembersLimitATransition() throws {
        var world = Fixture.world()
        try Fixture.task("t1", in: &world)
        try Fixture.task("t2", in: &world)
        // `cancel` names the project_manager role and the member dev2.
        #expect(refusal { try world.task("t1", .move(to: "canceled"), by: "dev") } == "transition-not-allowed")
        #expect(refusal { try world.task("t1", .move(to: "canceled"), by: "dev2") } == nil)
        #expect(refusal { try world.task("t2", .move(to: "canceled"), by: "pm") } == nil)
    }

    @Test func actorRuleAssignee() throws {
        var world = Fixture.world()
        try Fixture.task("t1", in: &world, path: ["todo", "doing"])
        #expect(throws: DomainError.transitionNotAllowed(from: "doing", to: "review", reason: .actorRule(.assignee))) {
            try world.task("t1", .move(to: "review"), by: "dev2")
        }
        #expect(refusal { try world.task("t1", .move(to: "review"), by: "dev") } == nil)
    }

    @Test func actorRuleAuthor() throws {
        var world = Fixture.world()
        try Fixture.task("t1", in: &world, author: "dev2", assignees: ["dev"])
        try world.task("t1", .move(to: "canceled"), by: "pm")
        #expect(refusal { try world.task("t1", .move(to: "backlog"), by: "dev") } == "transition-not-allowed")
        #expect(refusal { try world.task("t1", .move(to: "backlog"), by: "dev2") } == nil)
    }

    @Test func requiredFieldsMustBeSet() throws {
        var world = Fixture.world()
        try world.task("t1", .create(NewTask(title: "No estimate", assignees: ["dev"])), by: "dev")
        try world.task("t1", .move(to: "todo"), by: "dev")
        #expect(throws: DomainError.requiredFieldMissing([.estimate])) {
            try world.task("t1", .move(to: "doing"), by: "dev")
        }
        try world.task("t1", .setEstimate(Estimate(amount: 2, unit: .points)), by: "dev")
        #expect(refusal { try world.task("t1", .move(to: "doing"), by: "dev") } == nil)
    }

    @Test func hardWIPLimitRefusesAMoveIntoAFullColumn() throws {
        var world = Fixture.world(wip: .hard)
        try Fixture.task("a", in: &world, path: ["todo", "doing"])
        try Fixture.task("b", in: &world, path: ["todo", "doing"])
        try Fixture.task("c", in: &world, path: ["todo"])
        #expect(throws: DomainError.wipLimitExceeded(state: "doing", limit: 2, count: 2)) {
            try world.task("c", .move(to: "doing"), by: "dev")
        }
        try world.task("a", .move(to: "todo"), by: "dev")
        #expect(refusal { try world.task("c", .move(to: "doing"), by: "dev") } == nil)
    }

    @Test func softWIPLimitAllowsAndFlags() throws {
        var world = Fixture.world(wip: .soft)
        try Fixture.task("a", in: &world, path: ["todo", "doing"])
        try Fixture.task("b", in: &world, path: ["todo", "doing"])
        try Fixture.task("c", in: &world, path: ["todo"])
        let events = try world.task("c", .move(to: "doing"), by: "dev")
        guard case .taskMoved(let moved) = events.first?.body else {
            Issue.record("expected TaskMoved")
            return
        }
        #expect(moved.wipLimitExceeded)
        #expect(world.columnCounts("p1")["doing"] == 3)
    }

    @Test func enteringAndLeavingCompletedIsAnnounced() throws {
        var world = Fixture.world()
        var open = Fixture.definition
        open.mode = .open
        try world.workflow("wf", .publish(open), by: "admin")
        try world.project("p1", .pinWorkflow(WorkflowPin(workflow: "wf", version: 2)), by: "pm")
        try Fixture.task("t1", in: &world)
        #expect(try world.task("t1", .move(to: "done"), by: "dev").map(\.type) == ["TaskMoved", "TaskCompleted"])
        #expect(world.tasks["t1"]?.completedAt == world.now)
        #expect(try world.task("t1", .move(to: "todo"), by: "pm").map(\.type) == ["TaskMoved", "TaskReopened"])
        #expect(world.tasks["t1"]?.completedAt == nil)
    }
}
