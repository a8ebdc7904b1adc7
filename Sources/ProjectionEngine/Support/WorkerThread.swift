import Foundation

/// A dedicated thread that runs jobs in order. A SQLite connection is not thread-safe and applying a batch
/// blocks for milliseconds, so each database being written gets one of these instead of running on the
/// cooperative pool (this machine has two cores). Submitting waits, asynchronously, while `capacity` jobs
/// are already queued: back-pressure for the feed.
final class WorkerThread: @unchecked Sendable {
    private let lock = ConditionLock()
    // Guarded by `lock`.
    private var jobs: [@Sendable () -> Void] = []
    private var stopping = false
    private var finished = false
    private var spaceWaiters: [CheckedContinuation<Void, Never>] = []
    private let capacity: Int

    init(name: String, capacity: Int = 2) {
        self.capacity = capacity
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.start()
    }

    /// Queues a job, waiting while the queue is full.
    func submit(_ job: @escaping @Sendable () -> Void) async {
        while true {
            let queued: Bool = lock.withLock {
                guard jobs.count < capacity || stopping else { return false }
                if !stopping { jobs.append(job) }
                lock.broadcast()
                return true
            }
            if queued { return }
            await withCheckedContinuation { continuation in
                let resumeNow: Bool = lock.withLock {
                    if jobs.count < capacity || stopping { return true }
                    spaceWaiters.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }

    /// Queues a job without waiting for space (control jobs: finalise, stop).
    func submitNow(_ job: @escaping @Sendable () -> Void) {
        lock.withLock {
            if !stopping { jobs.append(job) }
            lock.broadcast()
        }
    }

    /// Lets the queued jobs finish, then ends the thread; returns when it has ended. Call from outside it.
    func stopAndWait() {
        lock.withLock {
            stopping = true
            lock.broadcast()
            while !finished { lock.wait() }
        }
        resumeSpaceWaiters()
    }

    /// Ends the thread after the current job; for a job that must stop its own thread.
    func stopFromInside() {
        lock.withLock {
            stopping = true
            jobs.removeAll()
            lock.broadcast()
        }
        resumeSpaceWaiters()
    }

    private func run() {
        while true {
            let job: (@Sendable () -> Void)? = lock.withLock {
                while jobs.isEmpty && !stopping { lock.wait() }
                return jobs.isEmpty ? nil : jobs.removeFirst()
            }
            guard let job else { break }
            job()
            resumeSpaceWaiters()
        }
        lock.withLock {
            finished = true
            lock.broadcast()
        }
        resumeSpaceWaiters()
    }

    private func resumeSpaceWaiters() {
        let waiters: [CheckedContinuation<Void, Never>] = lock.withLock {
            guard jobs.count < capacity || stopping else { return [] }
            defer { spaceWaiters.removeAll() }
            return spaceWaiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
