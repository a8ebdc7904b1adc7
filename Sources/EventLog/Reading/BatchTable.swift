import Synchronization

/// The durable head of a log: its last position and the hash of its last batch.
public struct LogHead: Sendable, Equatable {
    /// The last committed position (0 when the log is empty).
    public var position: UInt64
    /// The chain hash of the last batch (the genesis hash when empty).
    public var batchHash: Digest32
    /// When the last batch was committed.
    public var committedAt: Timestamp?
}

/// Where every batch is, shared by the writer (which appends) and readers (which look up).
/// One entry per batch (~100 bytes), so a 1M-event log at ~100 events per batch needs ~1 MB.
final class BatchTable: Sendable {
    private struct State {
        var batches: [BatchLocation]
        var head: LogHead
    }

    private let state: Mutex<State>

    init(batches: [BatchLocation], head: LogHead) {
        state = Mutex(State(batches: batches, head: head))
    }

    var head: LogHead { state.withLock { $0.head } }
    var count: Int { state.withLock { $0.batches.count } }

    func append(_ location: BatchLocation, head: LogHead) {
        state.withLock {
            $0.batches.append(location)
            $0.head = head
        }
    }

    /// The batch holding `position`, if it is committed.
    func locate(_ position: UInt64) -> BatchLocation? {
        state.withLock { state in
            let batches = state.batches
            var low = 0
            var high = batches.count
            while low < high {
                let middle = (low + high) / 2
                if batches[middle].lastPosition < position { low = middle + 1 } else { high = middle }
            }
            return low < batches.count && batches[low].contains(position) ? batches[low] : nil
        }
    }

    /// The last position committed at or before `time` (0 when none was).
    func lastPosition(atOrBefore time: Timestamp) -> UInt64 {
        state.withLock { state in
            let batches = state.batches
            var low = 0
            var high = batches.count
            while low < high {
                let middle = (low + high) / 2
                if batches[middle].committedAt <= time { low = middle + 1 } else { high = middle }
            }
            return low == 0 ? 0 : batches[low - 1].lastPosition
        }
    }

    /// A copy of the batch locations, for tools that walk the whole log.
    func snapshot() -> [BatchLocation] { state.withLock { $0.batches } }
}
