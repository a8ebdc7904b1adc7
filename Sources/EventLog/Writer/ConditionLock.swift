#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A mutex with a condition variable, for the log's dedicated threads (the group-commit writer and the
/// indexer) to sleep until there is work. Swift's `Mutex` has no condition; async code never waits on this.
final class ConditionLock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }

    /// Waits for a signal; call with the lock held.
    func wait() { pthread_cond_wait(condition, mutex) }

    /// Waits for a signal or until `micros` have passed; call with the lock held.
    func wait(micros: Int) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var nanos = Int(now.tv_nsec) + (micros % 1_000_000) * 1_000
        var deadline = timespec(tv_sec: now.tv_sec + micros / 1_000_000, tv_nsec: 0)
        if nanos >= 1_000_000_000 {
            deadline.tv_sec += 1
            nanos -= 1_000_000_000
        }
        deadline.tv_nsec = nanos
        pthread_cond_timedwait(condition, mutex, &deadline)
    }

    func signal() { pthread_cond_signal(condition) }
    func broadcast() { pthread_cond_broadcast(condition) }

    func withLock<R>(_ body: () throws -> R) rethrows -> R {
        lock()
        defer { unlock() }
        return try body()
    }
}
