import CommandService
import EventLog
import TestSupport
import Testing
import Workflow

@Suite("Per-aggregate write rate limit")
struct RateLimitTests {
    @Test("a stream takes its burst, then is refused with rate-limited and nothing appended; it refills over time")
    func burstThenRefusal() async throws {
        // Each clock reading advances 1 ms: 10 commands refill 0.05 tokens, far from a whole one.
        let harness = try await Harness.make(streamRateLimit: StreamRateLimit(perSecond: 5, burst: 10))
        let service = harness.service
        try await harness.task("t1")  // 1 command on task-t1
        for index in 0..<9 {
            try await service.execute(TaskCommand(task: "t1", .addComment(CommentID("c\(index)"), body: "note")), metadata: metadata("dev"))
        }
        let head = harness.log.head.position
        var refusal: CommandError?
        do {
            try await service.execute(TaskCommand(task: "t1", .addComment("c-over", body: "one too many")), metadata: metadata("dev"))
        } catch {
            refusal = error
        }
        guard case .rateLimited(let stream, let retryAfter)? = refusal else {
            Issue.record("expected rate-limited, got \(String(describing: refusal))")
            return
        }
        #expect(stream == "task-t1")
        #expect(retryAfter > 0 && retryAfter <= 0.2)
        #expect(refusal?.code == "rate-limited")
        #expect(harness.log.head.position == head, "nothing appended")
        // Another task is not affected.
        try await harness.task("t2")
        // After waiting as told, the stream takes commands again.
        harness.clock.advance(seconds: retryAfter)
        try await service.execute(TaskCommand(task: "t1", .addComment("c-later", body: "after a pause")), metadata: metadata("dev"))
        #expect(try await service.task("t1")?.comments.count == 10)
        await harness.log.close()
    }

    @Test("unlimited never refuses")
    func unlimited() async throws {
        let harness = try await Harness.make(streamRateLimit: .unlimited)
        try await harness.task("t1")
        for index in 0..<150 {
            try await harness.service.execute(
                TaskCommand(task: "t1", .addComment(CommentID("c\(index)"), body: "note")), metadata: metadata("dev"))
        }
        #expect(try await harness.service.task("t1")?.comments.count == 150)
        await harness.log.close()
    }
}
