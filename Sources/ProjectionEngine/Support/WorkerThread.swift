import Foundation

/// A dedicated thread that runs jobs in order. A SQLite connection is not thread-safe and applying a batch
/// blocks for milliseconds, so each database being written gets one of these instead of running on the
/// cooperative pool (this machine has two cores). Each job has a weight (a batch: its events); submitting
/// waits, asynchronously, while `capacity` weight is already queued: back-pressure for the feed. A job
/// is taken whatever its weight when the queue is below capacity, so a large batch never waits forever.
final class WorkerThread: @unchecked Sendable {
    private let lock = ConditionLock()
    // Guarded by `lock`.
    private var jobs: [(weight: Int, job: @Sendable () -> Void)] = []
    private var queuedWeight = 0
    private var stopping = false
    private var finished = false
    private var running = false
    private var spaceWaiters: [CheckedContinuation<Void, Never>] = []
    private let capacity: Int

    init(name: String, capacity: Int) {
        self.capacity = capacity
        // What `top -H` and `perf` show for the thread. Set from the thread itself (Foundation on Linux
        // names only the current thread), and cut to 15 bytes: Linux refuses a longer name.
        let shortName = String(decoding: name.utf8.prefix(15), as: UTF8.self)
        let thread = Thread { [self] in
            Thread.current.name = shortName
            run()
        }
        thread.start()
    }

    /// Queues a job of `weight`, waiting while the queue is full.
    func submit(weight: Int, _ job: @escaping @Sendable () -> Void) async {
        while true {
            let queued: Bool = lock.withLock {
                guard queuedWeight < capacity || stopping else { return false }
                if !stopping {
                    jobs.append((weight, job))
                    queuedWeight += weight
                }
                lock.broadcast()
                return true
            }
            if queued { return }
            await withCheckedContinuation { continuation in
                let resumeNow: Bool = lock.withLock {
                    if queuedWeight < capacity || stopping { return true }
                    spaceWaiters.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }

    /// No job queued or running (for tests).
    var isIdle: Bool { lock.withLock { jobs.isEmpty && !running } }

    /// Queues a job without waiting for space (control jobs: finalise, stop).
    func submitNow(_ job: @escaping @Sendable () -> Void) {
        lock.withLock {
            if !stopping { jobs.append((0, job)) }
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
            queuedWeight = 0
            lock.broadcast()
        }
        resumeSpaceWaiters()
    }

    private func run() {
        while true {
            let job: (@Sendable () -> Void)? = lock.withLock {
                while jobs.isEmpty && !stopping { lock.wait() }
                guard !jobs.isEmpty else { return nil }
                let next = jobs.removeFirst()
                queuedWeight -= next.weight
                running = true
                return next.job
            }
            guard let job else { break }
            job()
            lock.withLock { running = false }
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
            guard queuedWeight < capacity || stopping else { return [] }
            defer { spaceWaiters.removeAll() }
            return spaceWaiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
