import Foundation
import Logging
import Synchronization

/// Persists the index on its own thread, off the append path: the writer hands it each committed batch,
/// and it records everything waiting in one SQLite transaction. Nothing reads through it while the log is
/// open (readers use the in-memory `BatchTable` and `StreamIndex`); it exists so the next open is fast.
final class Indexer: @unchecked Sendable {
    private let lock = ConditionLock()
    private var queue: [IndexEntry] = []
    private var stopping = false
    /// Released when the thread ends, which closes the SQLite connection: after `stop`, nothing of the
    /// log's is left open.
    private var index: LogIndex?
    private let logger: Logger
    private let finished = ThreadCompletion()

    init(index: LogIndex, logger: Logger) {
        self.index = index
        self.logger = logger
    }

    func start() {
        let thread = Thread { [self] in
            // Named from the thread itself (Foundation on Linux names only the current thread); at most
            // 15 bytes, or Linux refuses the name.
            Thread.current.name = "tl-log-indexer"
            run()
        }
        thread.start()
    }

    func enqueue(_ entry: IndexEntry) {
        lock.withLock {
            // Only the first entry wakes the thread; later ones join the batch it is gathering.
            if queue.isEmpty { lock.signal() }
            queue.append(entry)
        }
    }

    /// How long the indexer gathers batches before one transaction. The index only speeds up the next
    /// open, so a short delay costs nothing, while one SQLite transaction per committed batch (thousands a
    /// second under load) took CPU from the appenders on a 2-core machine.
    static let gatherMicros = 20_000

    /// Records what is queued, then ends the thread.
    func stop() async {
        lock.withLock {
            stopping = true
            lock.signal()
        }
        await finished.wait()
    }

    private func run() {
        var broken = false
        while true {
            let (entries, stop) = lock.withLock { () -> ([IndexEntry], Bool) in
                while queue.isEmpty && !stopping { lock.wait() }
                if !stopping { lock.wait(micros: Self.gatherMicros) }
                let entries = queue
                queue = []
                return (entries, stopping)
            }
            if !entries.isEmpty && !broken {
                do throws(EventLogError) {
                    try index?.record(entries)
                } catch {
                    // The index is derived: the log stays correct, and the next open finds the index behind
                    // the segments (or unreadable) and catches it up from them.
                    logger.error("index update failed; the next open rebuilds it", metadata: ["error": "\(error)"])
                    broken = true
                }
            }
            if stop && lock.withLock({ queue.isEmpty }) { break }
        }
        index = nil
        finished.finish()
    }
}
