import Testing

@testable import Workflow

@Suite struct WorkflowDefinitionTests {
    let limits = Limits.standard

    func code(_ definition: WorkflowDefinition) -> String? {
        refusal { _ = try definition.validated(limits: limits) }
    }

    @Test func theFixtureIsValidAndCanonical() throws {
        var shuffled = Fixture.definition
        shuffled.states.reverse()
        shuffled.transitions[7].allowedRoles = [.projectManager, .projectManager]
        let canonical = try shuffled.validated(limits: limits)
        #expect(canonical.states.map(\.position) == [0, 1, 2, 3, 4, 5])
        #expect(canonical.transitions[7].allowedRoles == [.projectManager])
        #expect(canonical == (try Fixture.definition.validated(limits: limits)))
    }

    @Test func statesNeedExactlyOneInitial() {
        var definition = Fixture.definition
        definition.states[0].isInitial = false
        #expect(code(definition) == "validation-failed")
        definition.states[0].isInitial = true
        definition.states[1].isInitial = true
        #expect(code(definition) == "validation-failed")
        #expect(code(WorkflowDefinition(mode: .open, states: [])) == "validation-failed")
    }

    @Test func stateIdsAndPositionsAreUnique() {
        var definition = Fixture.definition
        definition.states[1].id = "backlog"
        #expect(code(definition) == "validation-failed")
        definition = Fixture.definition
        definition.states[1].position = 0
        #expect(code(definition) == "validation-failed")
        definition = Fixture.definition
        definition.states[2].wipLimit = 0
        #expect(code(definition) == "validation-failed")
    }

    @Test func transitionsReferToStates() {
        var definition = Fixture.definition
        definition.transitions.append(TransitionDefinition(id: "x", from: .state("nowhere"), to: "done"))
        #expect(code(definition) == "not-found")
        definition = Fixture.definition
        definition.transitions.append(TransitionDefinition(id: "x", from: .state("todo"), to: "todo"))
        #expect(code(definition) == "validation-failed")
        definition = Fixture.definition
        definition.transitions.append(TransitionDefinition(id: "again", from: .state("backlog"), to: "todo"))
        #expect(code(definition) == "validation-failed")
    }

    @Test func approvalPoliciesMustBeResolvable() {
        func with(_ policy: ApprovalPolicy) -> WorkflowDefinition {
            var definition = Fixture.definition
            definition.transitions[0].approval = policy
            return definition
        }
        #expect(code(with(ApprovalPolicy())) == "validation-failed")  // nobody approves
        #expect(code(with(ApprovalPolicy(approverRoles: [.projectManager], mode: .all))) == "validation-failed")
        #expect(code(with(ApprovalPolicy(approverMembers: ["a", "b"], mode: .quorum(3)))) == "validation-failed")
        #expect(code(with(ApprovalPolicy(approverMembers: ["a"], stateOnReject: "nowhere"))) == "not-found")
        #expect(code(with(ApprovalPolicy(approverMembers: ["a"], stateOnApprove: "backlog"))) == "validation-failed")
        #expect(code(with(ApprovalPolicy(approverMembers: ["a"], expiresAfterSeconds: 0))) == "validation-failed")
        #expect(code(with(ApprovalPolicy(approverMembers: ["a"], expiresAfterSeconds: 365 * 86_400))) == "limit-exceeded")
        #expect(code(with(ApprovalPolicy(approverMembers: ["a", "b"], mode: .all))) == nil)
        #expect(code(with(ApprovalPolicy(approverRoles: [.member], mode: .quorum(5)))) == nil)
    }

    @Test func limitsOnSize() {
        var few = limits
        few.statesPerWorkflowMax = 3
        #expect(refusal { _ = try Fixture.definition.validated(limits: few) } == "limit-exceeded")
    }

    @Test func publishedVersionsNeverChange() throws {
        var world = Fixture.world()
        let v1 = try #require(world.workflows["wf"]?.definition(version: 1))
        var next = Fixture.definition
        next.states[1].name = "Ready"
        try world.workflow("wf", .publish(next), by: "admin")
        let workflow = try #require(world.workflows["wf"])
        #expect(workflow.latestVersion == 2)
        #expect(workflow.definition(version: 1) == v1)
        #expect(workflow.definition(version: 2)?.states[1].name == "Ready")
        #expect(refusal { try world.workflow("wf", .publish(next), by: "admin") } == "already-exists")  // identical to the latest
    }

    @Test func workflowsAreManagedByAdmins() {
        var world = Fixture.world()
        #expect(refusal { try world.workflow("wf2", .create(name: "Other", definition: Fixture.definition), by: "pm") } == "missing-permission")
        #expect(refusal { try world.workflow("wf2", .create(name: "Other", definition: Fixture.definition), by: "admin") } == nil)
        #expect(refusal { try world.workflow("wf2", .create(name: "Other", definition: Fixture.definition), by: "admin") } == "already-exists")
        #expect(refusal { try world.workflow("nope", .publish(Fixture.definition), by: "admin") } == "not-found")
    }

    @Test func projectPinsAVersionAndTasksKeepTheirs() throws {
        var world = Fixture.world()
        try Fixture.task("old", in: &world)
        var open = Fixture.definition
        open.mode = .open
        try world.workflow("wf", .publish(open), by: "admin")
        #expect(refusal { try world.project("p1", .pinWorkflow(WorkflowPin(workflow: "wf", version: 2)), by: "dev") } == "missing-permission")
        #expect(refusal { try world.project("p1", .pinWorkflow(WorkflowPin(workflow: "wf", version: 3)), by: "pm") } == "not-found")
        try world.project("p1", .pinWorkflow(WorkflowPin(workflow: "wf", version: 2)), by: "pm")
        try Fixture.task("new", in: &world)
        #expect(world.tasks["old"]?.workflow.version == 1)
        #expect(world.tasks["new"]?.workflow.version == 2)
        // backlog → doing is listed nowhere: refused by the enforced v1, allowed by the open v2.
        #expect(refusal { try world.task("old", .move(to: "doing"), by: "dev") } == "transition-not-allowed")
        #expect(refusal { try world.task("new", .move(to: "doing"), by: "dev") } == nil)
    }
}
