import Synchronization
import Workflow

/// The command service's own committed events that its workspace index has not folded in yet, by log
/// position.
///
/// The log's writer thread records them (through `AppendRequest.onCommit`) after they are durable and
/// before the log's head moves past them. So when the index catches up to the head, every position is
/// either here — taken without reading or decoding anything — or another writer's, read from the log.
/// Without this, a decision that starts after a batch is durable but before its appenders have been
/// resumed would read the service's own events back from the log and decode them again.
final class OwnCommits: Sendable {
    /// nil for an event the index does not read (it only needs its position marked as seen).
    private let events = Mutex<[UInt64: DomainEvent?]>([:])

    /// Records `events` (nil where the index has nothing to fold), committed at `positions`.
    func record(_ events: [DomainEvent?], at positions: [UInt64]) {
        self.events.withLock { table in
            for (event, position) in zip(events, positions) { table[position] = .some(event) }
        }
    }

    /// Removes and returns the event at `position` if it is the service's own: `.some(nil)` for one the
    /// index skips, nil for a position the service did not write.
    func take(_ position: UInt64) -> DomainEvent?? {
        events.withLock { $0.removeValue(forKey: position) }
    }
}
