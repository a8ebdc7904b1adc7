import CommandService
import EventLog
import Synchronization
import TestSupport
import Testing
import Workflow

/// A bulk-loading service (`Configuration.bulkLoad`) decides exactly what a service appending each
/// command alone decides, and writes the same events; only the batches differ.
@Suite("Bulk loading")
struct BulkLoadTests {
    /// A service with a deterministic decision clock and event ids, over a log with a fixed commit clock.
    private func open(_ directory: TestDirectory, bulkLoad: BulkLoad?) throws -> (EventLog, CommandService) {
        let log = try EventLog.open(
            dataDirectory: directory.path, workspace: "acme", options: testOptions { $0.clock = { Timestamp(unixMicros: 1_790_000_000_000_000) } })
        let clock = TestClock()
        let service = try CommandService(
            log: log,
            configuration: .init(
                clock: { clock.now() }, streamRateLimit: .unlimited,
                eventIDs: sequentialEventIDs(),
                bulkLoad: bulkLoad))
        return (log, service)
    }

    /// A workspace's first steps, a full column, a refused permission (audited), comments and a
    /// scheduler run; one line per command: what it appended, or why it was refused.
    private func script(_ service: CommandService) async throws -> [String] {
        var lines: [String] = []
        func run(_ what: String, stream: StreamName, as member: MemberID, _ body: (CommandMetadata) async throws(CommandError) -> CommandOutcome)
            async throws
        {
            let metadata = metadata(member)
            do throws(CommandError) {
                let outcome = try await body(metadata)
                lines.append(
                    "\(what): " + outcome.events.map { "\($0.position) \($0.stream)@\($0.streamVersion) \($0.type) \($0.id)" }.joined(separator: ", ")
                )
            } catch {
                let denied = try await service.recordAccessDenied(error, command: what, stream: stream, metadata: metadata)
                lines.append("\(what): refused \(error.code)" + (denied.map { " audited at \($0.events.map(\.position))" } ?? ""))
            }
        }
        try await run("create workspace", stream: .workspace, as: "admin") { (metadata) throws(CommandError) in
            try await service.execute(createAcme, metadata: metadata)
        }
        for (id, role) in [("pm", WorkspaceRole.member), ("dev", .member), ("dev2", .member), ("gus", .guest)] {
            try await run("add \(id)", stream: .workspace, as: "admin") { (metadata) throws(CommandError) in
                try await service.execute(
                    WorkspaceCommand.addMember(NewMember(id: MemberID(id), displayName: id, email: "\(id)@acme.test", role: role)), metadata: metadata
                )
            }
        }
        try await run("create workflow", stream: .workflow("wf"), as: "admin") { (metadata) throws(CommandError) in
            try await service.execute(
                WorkflowCommand(workflow: "wf", .create(name: "Delivery", definition: testWorkflow(doingLimit: 2))), metadata: metadata)
        }
        try await run("create project", stream: .project("p1"), as: "pm") { (metadata) throws(CommandError) in
            try await service.execute(
                ProjectCommand(
                    project: "p1",
                    .create(NewProject(key: "OPS", name: "Operations", workflow: WorkflowPin(workflow: "wf", version: 1), wipEnforcement: .hard))),
                metadata: metadata)
        }
        for id in ["dev", "dev2"] {
            try await run("add \(id) to p1", stream: .project("p1"), as: "pm") { (metadata) throws(CommandError) in
                try await service.execute(ProjectCommand(project: "p1", .addMember(MemberID(id), role: .member)), metadata: metadata)
            }
        }
        for n in 1...4 {
            let task = TaskID("t\(n)")
            try await run("create \(task)", stream: .task(task), as: "dev") { (metadata) throws(CommandError) in
                try await service.execute(
                    TaskCommand(
                        task: task, .create(NewTask(title: "Task \(n)", assignees: ["dev"], dueDate: CalendarDate(year: 2026, month: 1, day: 1)))),
                    project: "p1", metadata: metadata)
            }
            // Two fit in Doing (WIP 2, hard); the third is refused while the first two are still staged.
            for state: StateID in ["todo", "doing"] {
                try await run("move \(task) to \(state)", stream: .task(task), as: "dev") { (metadata) throws(CommandError) in
                    try await service.execute(TaskCommand(task: task, .move(to: state)), metadata: metadata)
                }
            }
            try await run("comment on \(task)", stream: .task(task), as: "dev2") { (metadata) throws(CommandError) in
                try await service.execute(TaskCommand(task: task, .addComment(CommentID("c\(n)"), body: "Looks good \(n)")), metadata: metadata)
            }
        }
        try await run("guest moves t1", stream: .task("t1"), as: "gus") { (metadata) throws(CommandError) in
            try await service.execute(TaskCommand(task: "t1", .move(to: "todo")), metadata: metadata)
        }
        try await run("guest moves t2", stream: .task("t2"), as: "gus") { (metadata) throws(CommandError) in
            try await service.execute(TaskCommand(task: "t2", .move(to: "todo")), metadata: metadata)
        }
        let scheduled = try await service.runSchedules()
        lines.append("schedules: \(scheduled.tasksOverdue) overdue of \(scheduled.tasksEvaluated)")
        try await service.flush()
        return lines
    }

    @Test("the same commands give the same outcomes, refusals and events as appending each alone, in fewer batches")
    func sameAsOneByOne() async throws {
        let alone = TestDirectory()
        let bulk = TestDirectory()
        let (aloneLog, aloneService) = try open(alone, bulkLoad: nil)
        let (bulkLog, bulkService) = try open(bulk, bulkLoad: BulkLoad(commandsMax: 5))
        let expected = try await script(aloneService)
        let actual = try await script(bulkService)
        #expect(actual == expected)
        #expect(expected.contains { $0.hasSuffix("refused wip-limit-exceeded") })
        #expect(expected.contains { $0.contains("refused missing-permission audited") })
        #expect(expected.last?.hasPrefix("schedules: 4 overdue") == true)

        let events = { (log: EventLog) in
            try log.read(from: 1, maxCount: 1_000).map {
                "\($0.position) \($0.id) \($0.stream)@\($0.streamVersion) \($0.type) \($0.time) \(String(decoding: $0.data, as: UTF8.self)) "
                    + $0.extensions.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            }
        }
        #expect(try events(bulkLog) == events(aloneLog))
        #expect(bulkLog.head.position == aloneLog.head.position)
        #expect(bulkLog.writerStatistics.batches * 3 < aloneLog.writerStatistics.batches)
        #expect(try await Rebuilt(bulkLog).matches(bulkService))
        await aloneLog.close()
        await bulkLog.close()
        let report = try LogVerifier(dataDirectory: bulk.path, workspace: "acme").verify()
        #expect(report.isIntact)
    }

    @Test("a staged command is answered and seen by the next decision before it is appended; flush appends it")
    func stagedUntilFlushed() async throws {
        let directory = TestDirectory()
        let (log, service) = try open(directory, bulkLoad: BulkLoad(commandsMax: 1_000))
        try await service.execute(createAcme, metadata: metadata("admin"))
        try await service.execute(
            WorkflowCommand(workflow: "wf", .create(name: "Delivery", definition: testWorkflow())), metadata: metadata("admin"))
        try await service.execute(
            ProjectCommand(project: "p1", .create(NewProject(key: "OPS", name: "Operations", workflow: WorkflowPin(workflow: "wf", version: 1)))),
            metadata: metadata("admin"))
        let created = try await service.execute(
            TaskCommand(task: "t1", .create(NewTask(title: "First"))), project: "p1", metadata: metadata("admin"))
        let moved = try await service.execute(TaskCommand(task: "t1", .move(to: "todo")), metadata: metadata("admin"))
        #expect(log.head.position == 0)
        #expect(await service.stagedCommands == 5)
        #expect(await service.decidedHead == moved.events.last?.position)
        #expect(try await service.task("t1")?.state == "todo")
        #expect(try await service.columnCounts(of: "p1") == ["todo": 1])
        #expect(moved.streamVersions == ["task-t1": 2])

        try await service.flush()
        #expect(await service.stagedCommands == 0)
        #expect(log.head.position == moved.events.last?.position)
        #expect(log.writerStatistics.batches == 1)
        let stored = try log.read(from: 1, maxCount: 100)
        for committed in created.events + moved.events {
            let event = stored[Int(committed.position) - 1]
            #expect(event.id == committed.id && event.stream == committed.stream && event.streamVersion == committed.streamVersion)
        }
        #expect(try await Rebuilt(log).matches(service))
        await log.close()
    }

    @Test("another writer appending during a bulk load fails the next flush, and every command after it")
    func anotherWriterBreaksTheLoad() async throws {
        let directory = TestDirectory()
        let (log, service) = try open(directory, bulkLoad: BulkLoad(commandsMax: 1_000))
        try await service.execute(createAcme, metadata: metadata("admin"))
        _ = try await log.append(AppendRequest(events: [event("elsewhere")]))
        let failure = await code { try await service.flush() }
        #expect(failure == "log-failed")
        let later = await code {
            try await service.execute(
                WorkspaceCommand.addMember(NewMember(id: "lin", displayName: "Lin", email: "lin@acme.test")), metadata: metadata("admin"))
        }
        #expect(later == "log-failed")
        await log.close()
    }
}
