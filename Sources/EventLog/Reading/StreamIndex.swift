import Synchronization

/// Which positions belong to each stream, in memory: stream id → number → positions in version order
/// (the version of the event at `positions[i]` is `i + 1`).
///
/// The writer records each batch right after it is durable, so a stream read sees every committed event
/// without waiting for the SQLite index; the index persists stream numbers per batch so that an open
/// rebuilds this table without decoding events (~8 bytes of memory per event).
final class StreamIndex: Sendable {
    private struct State {
        var numbers: [String: UInt32] = [:]
        var names: [String] = []
        var positions: [[UInt64]] = []
    }

    private let state = Mutex(State())

    init() {}

    /// The number of `stream`, if it has events.
    func number(of stream: String) -> UInt32? { state.withLock { $0.numbers[stream] } }

    var streamCount: Int { state.withLock { $0.names.count } }

    /// Records a batch's events; returns each event's stream number and the streams seen for the first time.
    func record(firstPosition: UInt64, streams: [String]) -> (numbers: [UInt32], new: [(UInt32, String)]) {
        state.withLock { state in
            var numbers: [UInt32] = []
            numbers.reserveCapacity(streams.count)
            var new: [(UInt32, String)] = []
            for (offset, stream) in streams.enumerated() {
                let number: UInt32
                if let known = state.numbers[stream] {
                    number = known
                } else {
                    number = UInt32(state.names.count)
                    state.numbers[stream] = number
                    state.names.append(stream)
                    state.positions.append([])
                    new.append((number, stream))
                }
                state.positions[Int(number)].append(firstPosition + UInt64(offset))
                numbers.append(number)
            }
            return (numbers, new)
        }
    }

    /// Restores the table from the index: stream names by number, and each batch's stream numbers.
    func load(names: [String], batches: [(firstPosition: UInt64, numbers: [UInt32])]) {
        state.withLock { state in
            state.names = names
            state.numbers = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($0.element, UInt32($0.offset)) })
            state.positions = Array(repeating: [], count: names.count)
            for (first, numbers) in batches {
                for (offset, number) in numbers.enumerated() {
                    state.positions[Int(number)].append(first + UInt64(offset))
                }
            }
        }
    }

    /// Every stream's current version (its event count), for the writer's expected-version checks.
    func versions() -> [String: UInt64] {
        state.withLock { state in
            var versions: [String: UInt64] = [:]
            versions.reserveCapacity(state.names.count)
            for (number, name) in state.names.enumerated() { versions[name] = UInt64(state.positions[number].count) }
            return versions
        }
    }

    /// The current version of `stream` (its event count; 0 when it has none).
    func version(of stream: String) -> UInt64 {
        state.withLock { state in state.numbers[stream].map { UInt64(state.positions[Int($0)].count) } ?? 0 }
    }

    /// Positions of `stream`'s events from version `fromVersion` on, at most `limit`.
    func positions(of stream: String, fromVersion: UInt64, limit: Int) -> [UInt64] {
        state.withLock { state in
            guard let number = state.numbers[stream] else { return [] }
            let all = state.positions[Int(number)]
            let start = Int(min(UInt64(all.count), max(fromVersion, 1) - 1))
            return Array(all[start..<min(all.count, start + limit)])
        }
    }
}
