import CommandService
import EventLog
import Synchronization
import TestSupport
import Testing
import Workflow

/// Makes a deterministic conflict: after the service has decided and before it appends, another service
/// appends a comment to the same task, so the append finds a newer version than the one decided on.
final class Interferer: Sendable {
    private let remaining: Mutex<Int>
    private let other: CommandService

    init(times: Int, other: CommandService) {
        remaining = Mutex(times)
        self.other = other
    }

    func interfere(attempt: Int) async {
        let go = remaining.withLock { count in
            defer { count -= 1 }
            return count > 0
        }
        guard go else { return }
        _ = try? await other.execute(
            TaskCommand(task: "t1", .addComment(CommentID("x\(attempt)"), body: "meanwhile")), metadata: metadata("qa"))
    }
}

@Suite("Command service: deciding again on a version conflict")
struct RetryTests {
    @Test("a conflict is re-read and decided again")
    func retried() async throws {
        let harness = try await Harness.make()
        try await harness.task("t1")
        let interferer = Interferer(times: 1, other: try CommandService(log: harness.log))
        let service = try CommandService(log: harness.log, configuration: .init(willAppend: { await interferer.interfere(attempt: $0) }))
        #expect(try await service.task("t1")?.version == 1)  // cached before the other service writes
        let outcome = try await service.execute(TaskCommand(task: "t1", .addComment("mine", body: "hello")), metadata: metadata("dev"))
        #expect(outcome.attempts == 2)
        #expect(outcome.streamVersions == ["task-t1": 3])
        let task = try #require(try await service.task("t1"))
        #expect(Set(task.comments.keys) == ["x1", "mine"])
        #expect(try await Rebuilt(harness.log).matches(service))
        await harness.log.close()
    }

    @Test("conflicts on every attempt end in version-conflict after the retry limit, with nothing appended")
    func givesUp() async throws {
        let harness = try await Harness.make()
        try await harness.task("t1")
        let interferer = Interferer(times: 100, other: try CommandService(log: harness.log))
        let service = try CommandService(
            log: harness.log, configuration: .init(maxRetries: 2, willAppend: { await interferer.interfere(attempt: $0) }))
        await #expect(throws: CommandError.versionConflict(stream: "task-t1", attempts: 3)) {
            try await service.execute(TaskCommand(task: "t1", .addComment("mine", body: "hello")), metadata: metadata("dev"))
        }
        let task = try #require(try await service.task("t1"))
        #expect(Set(task.comments.keys) == ["x1", "x2", "x3"], "only the other service's comments")
        await harness.log.close()
    }
}
