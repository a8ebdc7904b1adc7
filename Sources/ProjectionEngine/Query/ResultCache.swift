import Synchronization

/// The latest answers of one served database, each valid while the database stays at the position it
/// was computed at. A board read by many people between two writes runs its query once; the first
/// write makes every entry stale, and a stale entry is never returned.
///
/// Why this is safe: an answer is a function of the query, its parameters, cursor and limit, and the
/// database's content, which only changes when the writer commits a batch and advances the checkpoint
/// (the built-in and analysts' queries read the log's own clock, never SQLite's `now`). The caller
/// compares an entry's position with the writer's checkpoint, which the writer advances after its commit:
/// a hit is an answer exactly as of the position it reports, as a query run a moment earlier would give.
///
/// Bounded by `entriesMax` answers and `bytesMax` bytes of JSON: when full, stale entries go first, then
/// everything (at the next write they would all be stale anyway).
final class ResultCache: Sendable {
    struct Key: Hashable, Sendable {
        let query: String
        let parameters: [String: QueryValue]
        let cursor: String?
        let limit: Int?
        let total: Bool
    }

    static let entriesMax = 256
    static let bytesMax = 8 << 20
    /// Larger answers are not kept (an export-sized page would push out everything else).
    static let answerBytesMax = 256 << 10

    private struct State {
        var entries: [Key: QueryResult] = [:]
        var bytes = 0
    }

    private let state = Mutex(State())

    /// The answer to `key` computed at `position`, if there is one.
    func answer(_ key: Key, at position: UInt64) -> QueryResult? {
        state.withLock { state in
            guard let entry = state.entries[key], entry.position == position else { return nil }
            return entry
        }
    }

    /// Keeps `result` for `key` (replacing an older answer).
    func keep(_ result: QueryResult, for key: Key) {
        let size = result.json.utf8.count
        guard size <= Self.answerBytesMax else { return }
        state.withLock { state in
            if let old = state.entries.removeValue(forKey: key) { state.bytes -= old.json.utf8.count }
            if state.entries.count >= Self.entriesMax || state.bytes + size > Self.bytesMax {
                state.entries = state.entries.filter { $0.value.position >= result.position }
                state.bytes = state.entries.values.reduce(0) { $0 + $1.json.utf8.count }
                if state.entries.count >= Self.entriesMax || state.bytes + size > Self.bytesMax {
                    state.entries.removeAll(keepingCapacity: true)
                    state.bytes = 0
                }
            }
            state.entries[key] = result
            state.bytes += size
        }
    }

    var count: Int { state.withLock { $0.entries.count } }
}
