import CommandService
import EventLog
import TestSupport
import Testing
import Workflow

@Suite("Command service: load, decide, append with expected versions")
struct CommandServiceTests {
    @Test("a workspace's life through the service: tasks, moves, comments, an approval granted in the same append as its move")
    func endToEnd() async throws {
        let harness = try await Harness.make()
        let service = harness.service
        try await harness.task("t1", path: ["todo", "doing"])
        try await harness.task("t2", path: ["todo"])
        let created = try await harness.task("t3")
        // Creating a task appends to the task's stream only; its number comes from the workspace index.
        #expect(created.events.map(\.type) == ["TaskCreated"])
        #expect(created.events.map(\.stream) == ["task-t3"])
        #expect(try await service.task("t3")?.key == "OPS-3")

        try await service.execute(TaskCommand(task: "t1", .addComment("c1", body: "Looks good")), metadata: metadata("qa"))
        try await service.execute(TaskCommand(task: "t1", .editComment("c1", body: "Looks great")), metadata: metadata("qa"))
        try await service.execute(TaskCommand(task: "t1", .setPriority(.high)), metadata: metadata("dev"))
        try await service.execute(TaskCommand(task: "t1", .move(to: "review")), metadata: metadata("dev"))
        let requested = try await service.execute(TaskCommand(task: "t1", .move(to: "done")), metadata: metadata("dev"))
        #expect(requested.events.map(\.type) == ["ApprovalRequested"])
        #expect(try await service.task("t1")?.state == "review")

        let approval = try #require(try await service.task("t1")?.pendingApproval?.id)
        let granted = try await service.execute(
            TaskCommand(task: "t1", .decideApproval(approval, .approve, comment: "ship it")), metadata: metadata("qa", causation: "evt-1"))
        #expect(granted.events.map(\.type) == ["ApprovalDecisionRecorded", "ApprovalGranted", "TaskMoved", "TaskCompleted"])
        let positions = granted.events.map(\.position)
        #expect(positions == Array(positions[0]...(positions[0] + UInt64(positions.count - 1))), "one atomic append, consecutive")
        let versions = granted.events.map(\.streamVersion)
        #expect(versions == Array(versions[0]...(versions[0] + UInt64(versions.count - 1))))
        #expect(granted.streamVersions == ["task-t1": versions.last!])
        #expect(try await service.task("t1")?.state == "done")
        #expect(try await service.task("t1")?.completedAt != nil)
        #expect(try await service.columnCounts(of: "p1") == ["done": 1, "todo": 1, "backlog": 1])

        // Reminder rules: workspace-wide ones are for admins; a project manager manages their project's.
        let rule = ReminderRuleDefinition(name: "Overdue", trigger: .overdue, filter: ReminderFilter(projects: ["p1"]))
        #expect(
            await code { try await service.execute(ReminderCommand(rule: "r1", .create(rule)), metadata: metadata("pm")) } == "missing-permission")
        try await service.execute(ReminderCommand(rule: "r1", .create(rule)), project: "p1", metadata: metadata("pm"))
        try await service.execute(ReminderCommand(rule: "r1", .disable), metadata: metadata("admin"))
        #expect(try await service.reminderRule("r1")?.isEnabled == false)

        // Every event records who acted and why; absent metadata is omitted.
        let all = try harness.log.read(from: 1, maxCount: 1_000)
        #expect(all.count == Int(harness.log.head.position))
        for recorded in all {
            let attributes = recorded.extensions
            #expect(attributes["schemaversion"] == .integer(1), "\(recorded.type)")
            guard case .string(let decidedAt)? = attributes["decidedat"] else {
                Issue.record("no decidedat on \(recorded.type)")
                continue
            }
            #expect(Instant(rfc3339: decidedAt) != nil)
            guard case .string(let actor)? = attributes["actor"] else {
                Issue.record("no actor on \(recorded.type)")
                continue
            }
            #expect(attributes["actorkind"] == .string("user"))
            #expect(attributes["tokenid"] == .string("tok-\(actor)"))
            #expect(attributes["requestid"] == .string("req-\(actor)"))
            #expect(attributes["correlationid"] == .string("corr-req"))
            #expect(attributes["origin"] == .string("api"))
        }
        for position in positions {
            #expect(all[Int(position) - 1].extensions["causationid"] == .string("evt-1"))
            #expect(all[Int(position) - 1].extensions["actor"] == .string("qa"))
        }
        #expect(all[0].extensions["causationid"] == nil)

        // Rebuilding every aggregate from the reopened log gives the states the service holds, and a fresh
        // service over the same log agrees, column counts included.
        let held = try Rebuilt(harness.log)
        #expect(try await held.matches(service))
        await harness.log.close()
        let reopened = try EventLog.open(dataDirectory: harness.directory.path, workspace: "acme", options: testOptions())
        let rebuilt = try Rebuilt(reopened)
        #expect(rebuilt.tasks.count == 3 && rebuilt.projects.count == 1 && rebuilt.reminders.count == 1)
        #expect(rebuilt.tasks["t1"] == held.tasks["t1"])
        let fresh = try CommandService(log: reopened)
        #expect(try await rebuilt.matches(fresh))
        #expect(try await fresh.projectKeys() == ["OPS": "p1"])
        #expect(try await fresh.columnCounts(of: "p1") == ["done": 1, "todo": 1, "backlog": 1])
        await reopened.close()
    }

    @Test("refusals carry stable codes, and nothing is appended")
    func refusals() async throws {
        let harness = try await Harness.make()
        let service = harness.service
        try await harness.task("t1")
        let head = harness.log.head.position
        #expect(
            await code { try await service.execute(TaskCommand(task: "t1", .setPriority(.low)), metadata: metadata("stranger")) }
                == "missing-permission")
        #expect(await code { try await service.execute(TaskCommand(task: "nope", .setPriority(.low)), metadata: metadata("dev")) } == "not-found")
        #expect(
            await code { try await service.execute(TaskCommand(task: "t1", .move(to: "done")), metadata: metadata("dev")) }
                == "transition-not-allowed")
        #expect(
            await code {
                try await service.execute(TaskCommand(task: "t9", .create(NewTask(title: "x"))), project: "p404", metadata: metadata("dev"))
            } == "not-found")
        #expect(
            await code { try await service.execute(TaskCommand(task: "t1", .create(NewTask(title: "again"))), metadata: metadata("dev")) }
                == "validation-failed")
        #expect(
            await code {
                try await service.execute(
                    ProjectCommand(project: "p2", .create(NewProject(key: "OPS", name: "Twin", workflow: WorkflowPin(workflow: "wf", version: 1)))),
                    metadata: metadata("pm"))
            } == "already-exists")
        #expect(
            await code { try await service.execute(TaskCommand(task: "t1", .setPriority(.low)), metadata: metadata("dev"), expectedVersion: 7) }
                == "version-conflict")
        #expect(harness.log.head.position == head)
        // A command that changes nothing appends nothing.
        let nothing = try await service.execute(TaskCommand(task: "t1", .assign("dev")), metadata: metadata("dev"))
        #expect(nothing.events.isEmpty && harness.log.head.position == head)
        await harness.log.close()
    }

    @Test("16 concurrent commands on one task all succeed or fail cleanly, and the stream stays consistent")
    func concurrentOnOneTask() async throws {
        let harness = try await Harness.make()
        let service = harness.service
        try await harness.task("t1", path: ["todo"])
        let before = try #require(try await service.task("t1")).version
        let results = await withTaskGroup(of: Result<CommandOutcome, CommandError>.self) { group in
            for index in 0..<16 {
                group.addTask {
                    let action: TaskAction =
                        switch index % 4 {
                        case 0: .edit(title: .set("Title \(index)"))
                        case 1: .addComment(CommentID("c\(index)"), body: "Comment \(index)")
                        case 2: .move(to: "doing")
                        default: .move(to: "todo")
                        }
                    do {
                        return .success(try await service.execute(TaskCommand(task: "t1", action), metadata: metadata("dev")))
                    } catch let error as CommandError {
                        return .failure(error)
                    } catch {
                        fatalError("untyped error \(error)")
                    }
                }
            }
            var results: [Result<CommandOutcome, CommandError>] = []
            for await result in group { results.append(result) }
            return results
        }
        var appended: UInt64 = 0
        for result in results {
            switch result {
            case .success(let outcome): appended += UInt64(outcome.events.count)
            case .failure(let error):
                // A move to where the task already is is refused by the domain; nothing else may fail.
                #expect(error.code == "transition-not-allowed", "\(error)")
            }
        }
        let task = try #require(try await service.task("t1"))
        #expect(task.version == before + appended)
        #expect(task.comments.count == 4)
        #expect(harness.log.version(of: "task-t1") == task.version)
        let rebuilt = try Rebuilt(harness.log)
        #expect(try await rebuilt.matches(service))
        await harness.log.close()
    }

    @Test("two services on one log: conflicts are re-decided, or reported as version-conflict after the retry limit")
    func conflictsAcrossServices() async throws {
        let harness = try await Harness.make()
        try await harness.task("t1", path: ["todo"])
        let other = try CommandService(log: harness.log)
        let services = [harness.service, other]
        let results = await withTaskGroup(of: Result<CommandOutcome, CommandError>.self) { group in
            for index in 0..<16 {
                group.addTask {
                    let command = TaskCommand(task: "t1", .addComment(CommentID("c\(index)"), body: "From \(index)"))
                    do {
                        return .success(try await services[index % 2].execute(command, metadata: metadata("qa")))
                    } catch let error as CommandError {
                        return .failure(error)
                    } catch {
                        fatalError("untyped error \(error)")
                    }
                }
            }
            var results: [Result<CommandOutcome, CommandError>] = []
            for await result in group { results.append(result) }
            return results
        }
        var succeeded = 0
        for result in results {
            switch result {
            case .success(let outcome):
                succeeded += 1
                #expect(outcome.attempts >= 1 && outcome.attempts <= CommandService.defaultMaxRetries + 1)
            case .failure(let error):
                #expect(error.code == "version-conflict", "\(error)")
            }
        }
        let task = try #require(try await other.task("t1"))
        #expect(task.comments.count == succeeded)
        let rebuilt = try Rebuilt(harness.log)
        #expect(try await rebuilt.matches(harness.service))
        #expect(try await rebuilt.matches(other))
        await harness.log.close()
    }

    @Test("workspace() answers off the actor only while the workspace stream is unchanged, whoever changed it")
    func workspaceSnapshotFollowsTheStream() async throws {
        let harness = try await Harness.make()
        #expect(try await harness.service.workspace()?.members["dev"]?.role == .member)
        // Another writer on the same log: this service's snapshot of the workspace is now a version
        // behind, so the next read must load again rather than answer from it.
        let other = try CommandService(log: harness.log)
        try await other.execute(WorkspaceCommand.changeMemberRole("dev", to: .guest), metadata: metadata("admin"))
        #expect(try await harness.service.workspace()?.members["dev"]?.role == .guest)
        // Its own command too (the snapshot is recorded as of the version it loaded, then superseded).
        try await harness.service.execute(WorkspaceCommand.changeMemberRole("dev", to: .auditor), metadata: metadata("admin"))
        #expect(try await harness.service.workspace()?.members["dev"]?.role == .auditor)
        #expect(try await other.workspace()?.members["dev"]?.role == .auditor)
        await harness.log.close()
    }

    @Test("a hard WIP limit holds under concurrent moves into the same column")
    func hardWIPUnderConcurrency() async throws {
        let harness = try await Harness.make(wip: .hard, doingLimit: 3)
        let service = harness.service
        let ids = (1...12).map { TaskID("t\($0)") }
        for id in ids { try await harness.task(id, path: ["todo"]) }
        let codes = await withTaskGroup(of: String?.self) { group in
            for id in ids {
                group.addTask { await code { try await service.execute(TaskCommand(task: id, .move(to: "doing")), metadata: metadata("dev")) } }
            }
            var codes: [String?] = []
            for await result in group { codes.append(result) }
            return codes
        }
        #expect(codes.filter { $0 == nil }.count == 3)
        #expect(codes.filter { $0 == "wip-limit-exceeded" }.count == 9, "\(codes)")
        #expect(try await service.columnCounts(of: "p1") == ["doing": 3, "todo": 9])
        // Creates arrive in the initial column the same way; moving one out frees a slot for another.
        var inDoing: [TaskID] = []
        for id in ids where try await service.task(id)?.state == "doing" { inDoing.append(id) }
        #expect(inDoing.count == 3)
        for id in inDoing.prefix(2) { try await service.execute(TaskCommand(task: id, .move(to: "todo")), metadata: metadata("dev")) }
        let second = await withTaskGroup(of: String?.self) { group in
            for id in ids {
                group.addTask { await code { try await service.execute(TaskCommand(task: id, .move(to: "doing")), metadata: metadata("dev")) } }
            }
            var codes: [String?] = []
            for await result in group { codes.append(result) }
            return codes
        }
        #expect(second.filter { $0 == nil }.count == 2, "\(second)")
        #expect(second.filter { $0 == "wip-limit-exceeded" }.count == 9, "\(second)")
        let rebuilt = try Rebuilt(harness.log)
        #expect(rebuilt.columnCounts("p1")["doing"] == 3)
        #expect(try await rebuilt.matches(service))
        await harness.log.close()
    }

    @Test("a project key is claimed once, even by concurrent creates of different projects")
    func concurrentProjectKeys() async throws {
        let harness = try await Harness.make()
        let service = harness.service
        let codes = await withTaskGroup(of: String?.self) { group in
            for index in 0..<8 {
                group.addTask {
                    let new = NewProject(key: "WEB", name: "Web \(index)", workflow: WorkflowPin(workflow: "wf", version: 1))
                    return await code {
                        try await service.execute(ProjectCommand(project: ProjectID("w\(index)"), .create(new)), metadata: metadata("pm"))
                    }
                }
            }
            var codes: [String?] = []
            for await result in group { codes.append(result) }
            return codes
        }
        #expect(codes.filter { $0 == nil }.count == 1)
        #expect(codes.filter { $0 == "already-exists" }.count == 7, "\(codes)")
        let keys = try await service.projectKeys()
        #expect(keys.count == 2 && keys["OPS"] == "p1" && keys["WEB"] != nil)
        await harness.log.close()
    }

    @Test("concurrent creations in one project take distinct, consecutive numbers, and a new service continues after them")
    func concurrentTaskNumbers() async throws {
        let harness = try await Harness.make(wip: .soft)
        let service = harness.service
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<32 {
                group.addTask {
                    let new = NewTask(title: "Task \(index)")
                    try await service.execute(TaskCommand(task: TaskID("t\(index)"), .create(new)), project: "p1", metadata: metadata("dev"))
                }
            }
            try await group.waitForAll()
        }
        // A creation that fails gives its number back (nothing was appended).
        let refused = await code {
            try await service.execute(TaskCommand(task: "t0", .create(NewTask(title: "Again"))), project: "p1", metadata: metadata("dev"))
        }
        #expect(refused == "already-exists")
        var numbers: [Int] = []
        for index in 0..<32 { numbers.append(try #require(try await service.task(TaskID("t\(index)"))).number) }
        #expect(numbers.sorted() == Array(1...32))
        let restarted = try CommandService(log: harness.log)
        let next = try await restarted.execute(
            TaskCommand(task: "after", .create(NewTask(title: "After a restart"))), project: "p1", metadata: metadata("dev"))
        #expect(try await restarted.task("after")?.key == "OPS-33")
        #expect(next.events.map(\.type) == ["TaskCreated"])
        await harness.log.close()
    }

    @Test("a tiny cache evicts, and the results stay correct")
    func tinyCache() async throws {
        let harness = try await Harness.make(cacheBytesMax: 3_000)
        let service = harness.service
        for index in 1...8 { try await harness.task(TaskID("t\(index)"), path: ["todo"]) }
        for index in 1...8 {
            try await service.execute(TaskCommand(task: TaskID("t\(index)"), .addComment("c", body: "note \(index)")), metadata: metadata("qa"))
            try await service.execute(TaskCommand(task: TaskID("t\(index)"), .setPriority(.urgent)), metadata: metadata("dev"))
        }
        try await service.execute(TaskCommand(task: "t1", .move(to: "doing")), metadata: metadata("dev"))
        let statistics = await service.cacheStatistics
        #expect(statistics.evictions > 0)
        #expect(statistics.bytes <= 3_000)
        let rebuilt = try Rebuilt(harness.log)
        #expect(try await rebuilt.matches(service))
        #expect(rebuilt.tasks["t8"]?.comments["c"]?.body == "note 8")
        await harness.log.close()
    }

    @Test("a cached state is brought up to date when another writer appended to its stream")
    func staleCacheCatchesUp() async throws {
        let harness = try await Harness.make()
        try await harness.task("t1")
        let other = try CommandService(log: harness.log)
        #expect(try await harness.service.task("t1")?.priority == .unset)  // cached now
        try await other.execute(TaskCommand(task: "t1", .setPriority(.high)), metadata: metadata("dev"))
        try await other.execute(TaskCommand(task: "t2", .create(NewTask(title: "Elsewhere"))), project: "p1", metadata: metadata("dev"))
        #expect(try await harness.service.task("t1")?.priority == .high)
        // The first service's index picks up the other's task, and its project cache the reserved number.
        let outcome = try await harness.service.execute(
            TaskCommand(task: "t3", .create(NewTask(title: "Third"))), project: "p1", metadata: metadata("dev"))
        #expect(outcome.attempts == 1)
        #expect(try await harness.service.task("t3")?.number == 3)
        #expect(try await harness.service.columnCounts(of: "p1") == ["backlog": 3])
        await harness.log.close()
    }
}
