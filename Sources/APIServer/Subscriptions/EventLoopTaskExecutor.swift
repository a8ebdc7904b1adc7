import NIOCore

/// A NIO event loop as a Swift `TaskExecutor`, so a task can prefer to run on its connection's own loop.
///
/// Why: a live SSE subscriber's loop runs on Swift's global executor while its socket belongs to an event
/// loop, so every write hopped to the loop (an `eventfd` wake-up) and back (a worker thread woken). With
/// 1,000 subscribers that was ~100k thread switches a second, half the server's CPU in the kernel's
/// scheduler. Run with this preference, the subscriber's nonisolated code (the frame window, the body
/// writer) executes on the loop, where NIO writes directly to the channel.
///
/// Work run here blocks the loop's other connections while it runs: only short, non-blocking steps
/// belong on it (a subscriber's step is a window lookup and one write; a catch-up page is one log read).
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
