import Testing

@testable import Workflow

/// Rule 1's approval half and rule 3 of DOMAIN.md.
@Suite struct ApprovalTests {
    /// A task in review (read-only), assigned to dev.
    func inReview() throws -> World {
        var world = Fixture.world()
        try Fixture.task("t1", in: &world, path: ["todo", "doing", "review"])
        return world
    }

    @Test func aTransitionWithAPolicyRequestsApprovalAndTheTaskStays() throws {
        var world = try inReview()
        let events = try world.task("t1", .move(to: "done", reason: "ready"), by: "dev")
        guard case .approvalRequested(let requested) = events.first?.body, events.count == 1 else {
            Issue.record("expected one ApprovalRequested")
            return
        }
        #expect(requested.approvalID == "t1.a1")
        #expect(requested.to == "done")
        #expect(requested.requester == "dev")
        #expect(requested.policy.approverMembers == ["qa"])
        #expect(requested.expiresAt == world.now.adding(seconds: 86_400))
        #expect(world.tasks["t1"]?.state == "review")
        #expect(world.tasks["t1"]?.pendingApproval?.id == "t1.a1")
    }

    @Test func aSecondRequestWhilePendingIsRefused() throws {
        var world = try inReview()
        try world.task("t1", .move(to: "done"), by: "dev")
        #expect(throws: DomainError.approvalPending("t1.a1")) { try world.task("t1", .move(to: "done"), by: "dev") }
        #expect(refusal { try world.task("t1", .move(to: "canceled"), by: "pm") } == "approval-pending")
        try world.task("t1", .cancelApproval("t1.a1"), by: "dev")
        #expect(refusal { try world.task("t1", .move(to: "done"), by: "dev") } == nil)
        #expect(world.tasks["t1"]?.pendingApproval?.id == "t1.a2")
    }

    @Test func requestingNeedsApprovalRequest() throws {
        var world = Fixture.world()
        try Fixture.task("t1", in: &world, assignees: ["viewer"], path: ["todo"])
        // The viewer may move their own task, but may not ask for approvals.
        #expect(refusal { try world.task("t1", .move(to: "done"), by: "viewer") } == "missing-permission")
        #expect(refusal { try world.task("t1", .move(to: "done"), by: "dev") } == nil)
    }

    @Test func grantingMovesTheTaskInTheSameDecision() throws {
        var world = try inReview()
        try world.task("t1", .move(to: "done"), by: "dev")
        let events = try world.task("t1", .decideApproval("t1.a1", .approve, comment: "ship it"), by: "qa")
        #expect(events.map(\.type) == ["ApprovalDecisionRecorded", "ApprovalGranted", "TaskMoved", "TaskCompleted"])
        guard case .taskMoved(let moved) = events[2].body else { return }
        #expect(moved.approvalID == "t1.a1")
        #expect(moved.transitionID == "accept")
        #expect(world.tasks["t1"]?.state == "done")
        #expect(world.tasks["t1"]?.approvals.last?.status == .approved)
        #expect(refusal { try world.task("t1", .decideApproval("t1.a1", .approve), by: "pm") } == "approval-not-pending")
    }

    @Test func rejectingMovesToTheRejectState() throws {
        var world = try inReview()
        try world.task("t1", .move(to: "done"), by: "dev")
        let events = try world.task("t1", .decideApproval("t1.a1", .reject), by: "pm")
        #expect(events.map(\.type) == ["ApprovalDecisionRecorded", "ApprovalRejected", "TaskMoved"])
        #expect(world.tasks["t1"]?.state == "doing")
        #expect(world.tasks["t1"]?.approvals.last?.status == .rejected)
    }

    @Test func rejectMoveRespectsAHardWIPLimit() throws {
        var world = try inReview()
        try world.task("t1", .move(to: "done"), by: "dev")
        try Fixture.task("a", in: &world, path: ["todo", "doing"])
        try Fixture.task("b", in: &world, path: ["todo", "doing"])
        #expect(refusal { try world.task("t1", .decideApproval("t1.a1", .reject), by: "pm") } == "wip-limit-exceeded")
        #expect(world.tasks["t1"]?.pendingApproval != nil)
    }

    @Test func onlyApproversDecide() throws {
        var world = try inReview()
        try world.task("t1", .move(to: "done"), by: "dev")
        #expect(refusal { try world.task("t1", .decideApproval("t1.a1", .approve), by: "viewer") } == "missing-permission")
        #expect(refusal { try world.task("t1", .decideApproval("t1.a1", .approve), by: "auditor") } == "missing-permission")
        #expect(throws: DomainError.notAnApprover("dev2")) { try world.task("t1", .decideApproval("t1.a1", .approve), by: "dev2") }
        #expect(refusal { try world.task("t1", .decideApproval("t1.a9", .approve), by: "qa") } == "not-found")
        // Admins hold every role a policy names.
        #expect(refusal { try world.task("t1", .decideApproval("t1.a1", .approve), by: "admin") } == nil)
    }

    @Test func approverIsNotTheRequesterUnlessAllowed() throws {
        var world = try inReview()
        try world.task("t1", .move(to: "done"), by: "pm")
        #expect(throws: DomainError.selfApprovalNotAllowed("pm")) { try world.task("t1", .decideApproval("t1.a1", .approve), by: "pm") }
        #expect(refusal { try world.task("t1", .decideApproval("t1.a1", .approve), by: "qa") } == nil)

        var allowed = Fixture.definition
        allowed.transitions[4].approval?.selfApprovalAllowed = true
        var other = try inReview()
        try other.workflow("wf", .publish(allowed), by: "admin")
        try other.project("p1", .pinWorkflow(WorkflowPin(workflow: "wf", version: 2)), by: "pm")
        try Fixture.task("t2", in: &other, path: ["todo", "doing", "review"])
        try other.task("t2", .move(to: "done"), by: "pm")
        #expect(refusal { try other.task("t2", .decideApproval("t2.a1", .approve), by: "pm") } == nil)
        #expect(other.tasks["t2"]?.state == "done")
    }

    @Test func oneDecisionPerApproverAndQuorum() throws {
        var world = Fixture.world()
        try Fixture.task("t1", in: &world, path: ["todo"])
        try world.task("t1", .move(to: "done"), by: "dev")  // fasttrack: quorum 2 of pm, qa, dev2
        #expect(try world.task("t1", .decideApproval("t1.a1", .approve), by: "pm").map(\.type) == ["ApprovalDecisionRecorded"])
        #expect(throws: DomainError.alreadyDecided("pm")) { try world.task("t1", .decideApproval("t1.a1", .reject), by: "pm") }
        let events = try world.task("t1", .decideApproval("t1.a1", .approve), by: "dev2")
        #expect(events.map(\.type) == ["ApprovalDecisionRecorded", "ApprovalGranted", "TaskMoved", "TaskCompleted"])
    }

    @Test func quorumRejectsWhenItCanNoLongerBeReached() throws {
        var world = Fixture.world()
        try Fixture.task("t1", in: &world, path: ["todo"])
        try world.task("t1", .move(to: "done"), by: "dev")
        try world.task("t1", .decideApproval("t1.a1", .reject), by: "qa")
        let events = try world.task("t1", .decideApproval("t1.a1", .reject), by: "pm")
        #expect(events.map(\.type) == ["ApprovalDecisionRecorded", "ApprovalRejected"])
        #expect(world.tasks["t1"]?.state == "todo")  // no state on reject: the task stays
    }

    @Test func outcomesAreDeterministicForEveryMode() {
        func decision(_ member: MemberID, _ verdict: ApprovalVerdict) -> ApprovalDecision {
            ApprovalDecision(approver: member, verdict: verdict, comment: nil, at: Instant(unixMicros: 0))
        }
        let anyPolicy = ApprovalPolicy(approverRoles: [.projectManager], mode: .any)
        #expect(anyPolicy.outcome(of: [], requester: "r") == .pending)
        #expect(anyPolicy.outcome(of: [decision("a", .reject)], requester: "r") == .rejected)
        #expect(anyPolicy.outcome(of: [decision("a", .approve)], requester: "r") == .granted)

        let all = ApprovalPolicy(approverMembers: ["a", "b", "r"], mode: .all)
        #expect(all.outcome(of: [decision("a", .approve)], requester: "r") == .pending)
        // The requester may not self-approve, so "all" means all the others.
        #expect(all.outcome(of: [decision("a", .approve), decision("b", .approve)], requester: "r") == .granted)
        #expect(all.outcome(of: [decision("a", .approve), decision("b", .reject)], requester: "r") == .rejected)

        let quorum = ApprovalPolicy(approverMembers: ["a", "b", "c"], mode: .quorum(2))
        #expect(quorum.outcome(of: [decision("a", .approve), decision("b", .reject)], requester: "r") == .pending)
        #expect(quorum.outcome(of: [decision("a", .approve), decision("b", .reject), decision("c", .approve)], requester: "r") == .granted)
        #expect(quorum.outcome(of: [decision("a", .reject), decision("b", .reject)], requester: "r") == .rejected)
        let roleQuorum = ApprovalPolicy(approverRoles: [.member], mode: .quorum(3))
        #expect(roleQuorum.outcome(of: [decision("a", .reject), decision("b", .reject)], requester: "r") == .pending)
        #expect(roleQuorum.outcome(of: [decision("a", .reject), decision("b", .reject), decision("c", .reject)], requester: "r") == .rejected)
    }

    @Test func aRequestNobodyCouldDecideIsRefused() {
        let policy = ApprovalPolicy(approverMembers: ["r"], mode: .any)
        #expect(!policy.isSatisfiable(requester: "r"))
        #expect(policy.isSatisfiable(requester: "x"))
        var selfAllowed = policy
        selfAllowed.selfApprovalAllowed = true
        #expect(selfAllowed.isSatisfiable(requester: "r"))
        #expect(!ApprovalPolicy(approverMembers: ["a", "r"], mode: .quorum(2)).isSatisfiable(requester: "r"))
    }

    @Test func expiry() throws {
        var world = try inReview()
        try world.task("t1", .move(to: "done"), by: "dev")
        #expect(refusal { try world.task("t1", .expireApproval("t1.a1"), by: "pm") } == "validation-failed")  // not yet
        world.advance(seconds: 86_400)
        #expect(throws: DomainError.approvalExpired("t1.a1")) { try world.task("t1", .decideApproval("t1.a1", .approve), by: "qa") }
        #expect(refusal { try world.task("t1", .expireApproval("t1.a1"), by: "auditor") } == "missing-permission")
        #expect(try world.task("t1", .expireApproval("t1.a1"), by: "pm").map(\.type) == ["ApprovalExpired"])
        #expect(world.tasks["t1"]?.approvals.last?.status == .expired)
        #expect(refusal { try world.task("t1", .expireApproval("t1.a1"), by: "pm") } == "approval-not-pending")
    }

    @Test func anExpiredRequestIsClosedByTheNextMove() throws {
        var world = try inReview()
        try world.task("t1", .move(to: "done"), by: "dev")
        world.advance(seconds: 86_401)
        let events = try world.task("t1", .move(to: "done"), by: "dev")
        #expect(events.map(\.type) == ["ApprovalExpired", "ApprovalRequested"])
        #expect(world.tasks["t1"]?.approvals.map(\.status) == [.expired, .pending])
    }

    @Test func cancelling() throws {
        var world = try inReview()
        try world.task("t1", .move(to: "done"), by: "dev")
        #expect(refusal { try world.task("t1", .cancelApproval("t1.a1"), by: "dev2") } == "missing-permission")
        #expect(refusal { try world.task("t1", .cancelApproval("t1.a1", reason: "not yet"), by: "dev") } == nil)
        #expect(world.tasks["t1"]?.approvals.last?.status == .cancelled)
        #expect(refusal { try world.task("t1", .decideApproval("t1.a1", .approve), by: "qa") } == "approval-not-pending")
    }

    @Test func deletingATaskCancelsItsPendingRequest() throws {
        var world = Fixture.world()
        try Fixture.task("t1", in: &world, path: ["todo"])
        try world.task("t1", .move(to: "done"), by: "dev")
        #expect(try world.task("t1", .delete, by: "pm").map(\.type) == ["ApprovalCancelled", "TaskDeleted"])
    }
}
