import Foundation
import Logging
import Synchronization

/// Keeps the SQLite index up with the log, on its own thread and off the append path: the writer
/// hands it each committed batch; it records everything waiting in one transaction. Stream reads wait
/// on `indexed` so they always see every committed event.
final class Indexer: @unchecked Sendable {
    private let lock = ConditionLock()
    private var queue: [IndexEntry] = []
    private var stopping = false
    private var broken: EventLogError?

    /// The SQLite index; also used by stream readers, so every use takes `indexLock`.
    private let index: LogIndex
    private let indexLock = Mutex(())
    let indexed: PositionSignal
    private let logger: Logger
    private let finished = Mutex<(done: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    init(index: LogIndex, indexedThrough: UInt64, logger: Logger) {
        self.index = index
        self.indexed = PositionSignal(indexedThrough)
        self.logger = logger
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "taskledger-indexer"
        thread.start()
    }

    func enqueue(_ entry: IndexEntry) {
        lock.withLock {
            queue.append(entry)
            lock.signal()
        }
    }

    /// Positions of a stream's events; waits until every event committed before the call is indexed.
    func positions(stream: String, fromVersion: UInt64, limit: Int, committedHead: UInt64) async throws(EventLogError) -> [UInt64] {
        if indexed.value < committedHead {
            _ = await indexed.wait(beyond: committedHead - 1)
        }
        if let broken = lock.withLock({ broken }) { throw broken }
        return try indexLock.withLock { (_) throws(EventLogError) in
            try index.positions(stream: stream, fromVersion: fromVersion, limit: limit)
        }
    }

    /// Records what is queued, then ends the thread.
    func stop() async {
        lock.withLock {
            stopping = true
            lock.signal()
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = finished.withLock { state -> Bool in
                if state.done { return true }
                state.waiter = continuation
                return false
            }
            if done { continuation.resume() }
        }
    }

    private func run() {
        while true {
            let (entries, stop) = lock.withLock { () -> ([IndexEntry], Bool) in
                while queue.isEmpty && !stopping { lock.wait() }
                let entries = queue
                queue = []
                return (entries, stopping)
            }
            if !entries.isEmpty {
                do throws(EventLogError) {
                    try indexLock.withLock { (_) throws(EventLogError) in try index.record(entries) }
                    indexed.advance(to: entries.last!.location.lastPosition)
                } catch {
                    // The index is derived: the log stays correct, and reopening rebuilds the index.
                    logger.error("index update failed; stream reads fail until the log is reopened", metadata: ["error": "\(error)"])
                    lock.withLock { broken = error }
                    indexed.close()
                }
            }
            if stop && lock.withLock({ queue.isEmpty }) { break }
        }
        let waiter = finished.withLock { state -> CheckedContinuation<Void, Never>? in
            state.done = true
            return state.waiter
        }
        waiter?.resume()
    }
}
