import CommandService
import EventLog
import TestSupport
import Testing
import Workflow

@Suite("Command service: milestones, task structure, labels, documents, tokens, the security audit, migrations")
struct CatalogueCommandTests {
    @Test("sprints: the service supplies the scope and the active sprint; a close carries open tasks over in one append")
    func sprints() async throws {
        let harness = try await Harness.make()
        let service = harness.service
        for id: MilestoneID in ["s1", "s2"] {
            try await service.execute(
                MilestoneCommand(milestone: id, .create(NewMilestone(kind: .sprint, name: "Sprint \(id)"))), project: "p1", metadata: metadata("pm"))
        }
        try await harness.task("t1", path: ["todo", "doing"])
        try await harness.task("t2")
        try await harness.task("t3")
        for id: TaskID in ["t1", "t2", "t3"] {
            try await service.execute(TaskCommand(task: id, .addToMilestone("s1")), metadata: metadata("dev"))
        }
        try await service.execute(TaskCommand(task: "t3", .move(to: "canceled")), metadata: metadata("dev"))

        let started = try await service.execute(MilestoneCommand(milestone: "s1", .start), metadata: metadata("pm"))
        #expect(started.events.map(\.type) == ["SprintStarted"])
        #expect(try await service.milestone("s1")?.scope.map(\.taskID) == ["t1", "t2", "t3"])
        #expect(
            await code { try await service.execute(MilestoneCommand(milestone: "s2", .start), metadata: metadata("pm")) } == "sprint-already-active")
        #expect(
            await code { try await service.execute(MilestoneCommand(milestone: "s1", .start), project: "p2", metadata: metadata("pm")) }
                == "not-found")

        let closed = try await service.execute(MilestoneCommand(milestone: "s1", .close(carryOverTo: "s2")), metadata: metadata("pm"))
        #expect(closed.events.map(\.type) == ["SprintClosed", "TaskAddedToMilestone", "TaskAddedToMilestone"])
        #expect(closed.events.map(\.stream) == ["milestone-s1", "task-t1", "task-t2"])
        let positions = closed.events.map(\.position)
        #expect(positions == Array(positions[0]...(positions[0] + 2)), "one atomic append")
        #expect(try await service.task("t1")?.milestone == "s2")
        #expect(try await service.task("t3")?.milestone == "s1")

        // A fresh service rebuilds the index from the log: s1 is closed, so s2 may start, and s2 holds t1 and t2.
        let clock = harness.clock
        let fresh = try CommandService(log: harness.log, configuration: .init(clock: { clock.now() }))
        let restarted = try await fresh.execute(MilestoneCommand(milestone: "s2", .start), metadata: metadata("pm"))
        #expect(restarted.events.map(\.type) == ["SprintStarted"])
        #expect(try await fresh.milestone("s2")?.scope.map(\.taskID) == ["t1", "t2"])
        #expect(try await Rebuilt(harness.log).matches(fresh))
    }

    @Test("concurrent sprint starts and concurrent re-parentings take turns: one active sprint, no cycle")
    func concurrentStructureChanges() async throws {
        let harness = try await Harness.make()
        let service = harness.service
        for id: MilestoneID in ["s1", "s2"] {
            try await service.execute(
                MilestoneCommand(milestone: id, .create(NewMilestone(kind: .sprint, name: "Sprint \(id)"))), project: "p1", metadata: metadata("pm"))
        }
        async let first = code { try await service.execute(MilestoneCommand(milestone: "s1", .start), metadata: metadata("pm")) }
        async let second = code { try await service.execute(MilestoneCommand(milestone: "s2", .start), metadata: metadata("pm")) }
        #expect([await first, await second].sorted { ($0 ?? "") < ($1 ?? "") } == [nil, "sprint-already-active"])

        try await harness.task("t1")
        try await harness.task("t2")
        async let up = code { try await service.execute(TaskCommand(task: "t1", .setParent("t2")), metadata: metadata("dev")) }
        async let down = code { try await service.execute(TaskCommand(task: "t2", .setParent("t1")), metadata: metadata("dev")) }
        #expect([await up, await down].sorted { ($0 ?? "") < ($1 ?? "") } == [nil, "parent-cycle"])
        #expect(try await Rebuilt(harness.log).matches(service))
    }

    @Test("re-parenting: the service walks the candidate's ancestors, so a cycle is refused")
    func parents() async throws {
        let harness = try await Harness.make()
        let service = harness.service
        for id: TaskID in ["t1", "t2", "t3"] { try await harness.task(id) }
        try await service.execute(TaskCommand(task: "t2", .setParent("t1")), metadata: metadata("dev"))
        try await service.execute(TaskCommand(task: "t3", .setParent("t2")), metadata: metadata("dev"))
        #expect(await code { try await service.execute(TaskCommand(task: "t1", .setParent("t3")), metadata: metadata("dev")) } == "parent-cycle")
        #expect(await code { try await service.execute(TaskCommand(task: "t1", .setParent("t9")), metadata: metadata("dev")) } == "not-found")
        #expect(try await service.task("t3")?.parent == "t2")
    }

    @Test("archiving takes a card off the board and unarchiving counts it again; overdue and labels go through the same path")
    func archiveAndLabels() async throws {
        let harness = try await Harness.make()
        let service = harness.service
        try await harness.task("t1", path: ["todo"])
        try await harness.task("t2", path: ["todo"])
        try await service.execute(TaskCommand(task: "t1", .archive), metadata: metadata("pm"))
        #expect(try await service.columnCounts(of: "p1") == ["todo": 1])
        #expect(await code { try await service.execute(TaskCommand(task: "t1", .move(to: "doing")), metadata: metadata("dev")) } == "task-archived")
        try await service.execute(TaskCommand(task: "t1", .unarchive), metadata: metadata("pm"))
        #expect(try await service.columnCounts(of: "p1") == ["todo": 2])

        #expect(
            await code { try await service.execute(TaskCommand(task: "t1", .setLabels(["infra"])), metadata: metadata("dev")) } == "not-found")
        try await service.execute(ProjectCommand(project: "p1", .createLabel(name: "infra", color: "#336699")), metadata: metadata("pm"))
        try await service.execute(TaskCommand(task: "t1", .setLabels(["infra"])), metadata: metadata("dev"))
        #expect(try await service.task("t1")?.labels == ["infra"])
        #expect(try await service.project("p1")?.labels["infra"]?.color == "#336699")
        #expect(try await Rebuilt(harness.log).matches(service))
    }

    @Test("documents: metadata and digest through the service, the size limit with its own code, removal by the uploader")
    func documents() async throws {
        var limits = Limits.standard
        limits.documentBytesMax = 10_000
        let harness = try await Harness.make(limits: limits)
        let service = harness.service
        try await harness.task("t1")
        let file = DocumentFile(fileName: "plan.txt", contentType: "text/plain", sizeBytes: 120, sha256: String(repeating: "1f", count: 32))
        let add = DocumentCommand(document: "d1", .add(NewDocument(attachedTo: .task("t1"), title: "Plan", file: file)))
        #expect(await code { try await service.execute(add, metadata: metadata("dev")) } == "validation-failed")
        try await service.execute(add, project: "p1", metadata: metadata("dev"))
        var large = file
        large.sizeBytes = 10_001
        #expect(
            await code { try await service.execute(DocumentCommand(document: "d1", .addVersion(large)), metadata: metadata("dev")) }
                == "document-too-large")
        try await service.execute(DocumentCommand(document: "d1", .share(.role(.member))), metadata: metadata("dev"))
        #expect(
            await code { try await service.execute(DocumentCommand(document: "d1", .remove), metadata: metadata("dev2")) } == "missing-permission")
        try await service.execute(DocumentCommand(document: "d1", .remove), metadata: metadata("dev"))
        let document = try #require(try await service.document("d1"))
        #expect(document.status == .deleted && document.shares == [.role(.member)])
        #expect(try await Rebuilt(harness.log).matches(service))
    }

    @Test("tokens record only the secret's hash; refusals for a missing permission are audited on the security stream")
    func tokensAndTheSecurityAudit() async throws {
        let harness = try await Harness.make()
        let service = harness.service
        let issued = TokenSecret.issue()
        let issue = TokenCommand(token: "k1", .issue(NewToken(member: "dev", name: "CI", secretHash: issued.hash.description)))

        var refusal: CommandError?
        do {
            try await service.execute(issue, metadata: metadata("dev"))
        } catch {
            refusal = error
        }
        let error = try #require(refusal)
        #expect(error.code == "missing-permission")
        let audited = try #require(
            try await service.recordAccessDenied(error, command: "TokenCommand.issue", stream: .token("k1"), metadata: metadata("dev")))
        #expect(audited.events.map(\.stream) == ["security"])
        #expect(audited.events.map(\.type) == ["AccessDenied"])
        let recorded = try harness.log.readStream("security", fromVersion: 1, maxCount: 10)
        guard case .accessDenied(let denied) = try EventEnvelopeMapping.domainEvent(recorded[0]).body else {
            Issue.record("expected AccessDenied")
            return
        }
        #expect(denied.permission == .tokenManage && denied.tokenID == "tok-dev" && denied.stream == "token-k1")
        let notFound = CommandError.domain(.notFound(kind: "task", id: "t"))
        #expect(try await service.recordAccessDenied(notFound, command: "x", stream: .task("t"), metadata: metadata("dev")) == nil)

        try await service.execute(issue, metadata: metadata("admin"))
        let token = try #require(try await service.token("k1"))
        #expect(token.secretHash == issued.hash.description)
        #expect(TokenSecret.matches(issued.secret, hash: try #require(Digest32(hex: token.secretHash))))
        #expect(try !harness.log.readStream("token-k1", fromVersion: 1, maxCount: 10).isEmpty)
        try await service.execute(TokenCommand(token: "k1", .revoke(reason: "rotated")), metadata: metadata("dev"))
        #expect(try await service.token("k1")?.isUsable(at: harness.clock.now()) == false)
        #expect(try await Rebuilt(harness.log).matches(service))
    }

    @Test("migration: the project's tasks on the old version move in one append with the project's re-pin; bounds and mapping are checked")
    func migration() async throws {
        var limits = Limits.standard
        limits.tasksPerMigrationMax = 3
        let harness = try await Harness.make(limits: limits)
        let service = harness.service
        try await harness.task("t1", path: ["todo", "doing"])
        try await harness.task("t2", path: ["todo"])
        try await harness.task("t3")
        var next = testWorkflow()
        next.states.removeAll { $0.id == "todo" }
        next.transitions.removeAll { $0.from == .state("todo") || $0.to == "todo" }
        next.transitions.append(TransitionDefinition(id: "begin", from: .state("backlog"), to: "doing"))
        try await service.execute(WorkflowCommand(workflow: "wf", .publish(next)), metadata: metadata("admin"))
        let v1 = WorkflowPin(workflow: "wf", version: 1)
        let v2 = WorkflowPin(workflow: "wf", version: 2)
        var mapping: [StateID: StateID] = ["backlog": "backlog", "doing": "doing"]
        let migrate = { (mapping: [StateID: StateID]) in ProjectCommand(project: "p1", .migrateTasks(from: v1, to: v2, mapping: mapping)) }

        #expect(await code { try await service.execute(migrate(mapping), metadata: metadata("pm")) } == "state-not-mapped")
        mapping["todo"] = "backlog"
        #expect(await code { try await service.execute(migrate(mapping), metadata: metadata("dev")) } == "missing-permission")
        let outcome = try await service.execute(migrate(mapping), metadata: metadata("pm"))
        #expect(outcome.events.map(\.stream).filter { $0.hasPrefix("task-") }.count == 3)
        #expect(Array(outcome.events.map(\.type).prefix(2)) == ["TasksMigratedToWorkflowVersion", "ProjectWorkflowChanged"])
        #expect(try await service.project("p1")?.workflow == v2)
        #expect(try await service.task("t2")?.state == "backlog")
        #expect(try await service.task("t2")?.workflow == v2)
        #expect(try await service.columnCounts(of: "p1") == ["backlog": 2, "doing": 1])
        // The next task is created on version 2, and moves by it.
        try await harness.task("t4", path: ["doing"])
        #expect(try await Rebuilt(harness.log).matches(service))

        // Four tasks on version 2 are more than this service migrates in one append.
        #expect(
            await code {
                try await service.execute(
                    ProjectCommand(project: "p1", .migrateTasks(from: v2, to: v1, mapping: ["backlog": "backlog", "doing": "doing"])),
                    metadata: metadata("pm"))
            } == "migration-too-large")
    }
}
