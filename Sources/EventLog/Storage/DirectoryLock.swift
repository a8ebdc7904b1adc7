import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An exclusive `flock` on `<log>/LOCK`, held while a process has the log open for writing, so that two
/// processes never append to one log. The kernel drops it when the process dies, even by `kill -9`.
final class DirectoryLock: Sendable {
    private let descriptor: Mutex<Int32?>
    /// At most 20 tries 10 ms apart (200 ms) before `.locked`.
    private static let attemptsMax = 20
    private static let retryMicros: UInt32 = 10_000

    init(directory: String) throws(EventLogError) {
        let path = directory + "/LOCK"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .io(operation: "open", path: path, errno: errno) }
        // A few short retries before reporting the log as taken: a process that forks while the lock is
        // held (to spawn a child) keeps a copy of the descriptor, and so the lock, until the child execs.
        var attempts = 0
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            attempts += 1
            if code == EWOULDBLOCK && attempts < Self.attemptsMax {
                usleep(Self.retryMicros)
                continue
            }
            close(descriptor)
            if code == EWOULDBLOCK { throw .locked(path: directory) }
            throw .io(operation: "flock", path: path, errno: code)
        }
        self.descriptor = Mutex(descriptor)
    }

    /// Releases the lock (closing the descriptor releases the `flock`).
    func release() {
        descriptor.withLock { descriptor in
            if let open = descriptor { close(open) }
            descriptor = nil
        }
    }

    deinit { release() }
}
