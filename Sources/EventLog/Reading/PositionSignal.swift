import Synchronization

/// A position that only grows, which async tasks can wait on without polling: the log's durable head
/// (for live tails) and its indexed head (for stream reads).
final class PositionSignal: Sendable {
    private struct State {
        var value: UInt64
        var closed = false
        var waiters: [UInt64: (threshold: UInt64, continuation: CheckedContinuation<Bool, Never>)] = [:]
        var nextTicket: UInt64 = 0
        /// Tickets interrupted while not waiting: their next wait returns false at once.
        var interrupted: Set<UInt64> = []
    }

    private let state: Mutex<State>

    init(_ value: UInt64) { state = Mutex(State(value: value)) }

    var value: UInt64 { state.withLock { $0.value } }

    /// Raises the value and wakes, in one sweep, every waiter it satisfies.
    func advance(to value: UInt64) {
        let ready = state.withLock { state -> [CheckedContinuation<Bool, Never>] in
            guard value > state.value else { return [] }
            state.value = value
            var ready: [CheckedContinuation<Bool, Never>] = []
            for (ticket, waiter) in state.waiters where waiter.threshold < value {
                ready.append(waiter.continuation)
                state.waiters[ticket] = nil
            }
            return ready
        }
        for continuation in ready { continuation.resume(returning: true) }
    }

    /// Wakes every waiter with `false`; later waits return `false` at once.
    func close() {
        let all = state.withLock { state -> [CheckedContinuation<Bool, Never>] in
            state.closed = true
            let all = state.waiters.values.map(\.continuation)
            state.waiters = [:]
            return all
        }
        for continuation in all { continuation.resume(returning: false) }
    }

    /// A ticket for `wait(beyond:ticket:)` and `interrupt(_:)`.
    func makeTicket() -> UInt64 {
        state.withLock { state -> UInt64 in
            state.nextTicket += 1
            return state.nextTicket
        }
    }

    /// Ends the wait of `ticket` with false — or, when it is not waiting now, its next wait. Lets a
    /// long-lived waiter (a live subscription) be woken for a heartbeat or a shutdown without racing a
    /// timer task against every wait.
    func interrupt(_ ticket: UInt64) {
        let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            guard let waiter = state.waiters.removeValue(forKey: ticket) else {
                state.interrupted.insert(ticket)
                return nil
            }
            return waiter.continuation
        }
        waiter?.resume(returning: false)
    }

    /// Forgets an interruption left pending for `ticket` (when its waiter is done for good).
    func discard(_ ticket: UInt64) { _ = state.withLock { $0.interrupted.remove(ticket) } }

    /// Waits until the value passes `threshold`. Returns false when the signal closed or the task was
    /// cancelled first.
    func wait(beyond threshold: UInt64) async -> Bool { await wait(beyond: threshold, ticket: makeTicket()) }

    /// Waits until the value passes `threshold`. Returns false when the signal closed, the task was
    /// cancelled or `ticket` was interrupted first.
    func wait(beyond threshold: UInt64, ticket: UInt64) async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let immediate: Bool? = state.withLock { state in
                    if state.value > threshold { return true }
                    if state.interrupted.remove(ticket) != nil { return false }
                    if state.closed || Task.isCancelled { return false }
                    state.waiters[ticket] = (threshold, continuation)
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: ticket) }
            waiter?.continuation.resume(returning: false)
        }
    }
}
