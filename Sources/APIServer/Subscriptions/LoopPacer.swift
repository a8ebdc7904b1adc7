import NIOCore
import Synchronization

/// Paces the live SSE subscribers of one event loop: after a write, a subscriber waits for its slot's
/// next tick, and one timer serves them all.
///
/// Why one timer: coalescing a live subscriber's writes used to cost a timer per subscriber per write:
/// with 1,000 subscribers, 50,000 timers a second, each a scheduled task, a promise and an insertion
/// into and removal from the loop's timer heap (a tenth of the server's CPU). The timer runs only while
/// someone waits, so an idle server has none.
///
/// Why slots: subscribers run on the loop (see `EventLoopTaskExecutor`), so waking all of a loop's
/// subscribers at one tick ran ~500 writes back to back, and every other request on that loop waited
/// behind them (a comment's acknowledgement p50 went to 25 ms). The loop ticks `slots` times per
/// `interval` and each tick wakes one slot: the same writes, in bursts a quarter the size.
final class LoopPacer: Sendable {
    let eventLoop: any EventLoop
    let interval: TimeAmount
    static let slots = 4

    private struct State {
        var waiters: [[UnsafeContinuation<Void, Never>]] = Array(repeating: [], count: LoopPacer.slots)
        var waiting = 0
        /// Ticks since the pacer was made; tick `n` wakes slot `n % slots`.
        var tick = 0
        var armed = false
    }

    private let state = Mutex(State())
    private let slotsGiven = Atomic<Int>(0)

    init(eventLoop: any EventLoop, interval: TimeAmount) {
        self.eventLoop = eventLoop
        self.interval = interval
    }

    /// A slot for a new subscriber: round robin, so each slot holds about a quarter of the loop's.
    func assignSlot() -> Int { slotsGiven.add(1, ordering: .relaxed).oldValue % Self.slots }

    /// Returns at `slot`'s next tick (`slot` modulo `slots`): at most `interval` from now, together with
    /// the other waiters of that slot.
    func nextTick(slot: Int) async {
        await withUnsafeContinuation { continuation in
            let arm = state.withLock { state -> Bool in
                state.waiters[slot % Self.slots].append(continuation)
                state.waiting += 1
                defer { state.armed = true }
                return !state.armed
            }
            if arm { schedule() }
        }
    }

    /// Subscribers waiting for a tick now (for tests).
    var waiting: Int { state.withLock { $0.waiting } }
    /// Ticks so far (for tests).
    var ticks: Int { state.withLock { $0.tick } }

    private func schedule() {
        eventLoop.scheduleTask(in: .nanoseconds(interval.nanoseconds / Int64(Self.slots))) { self.fire() }
    }

    private func fire() {
        let (due, rearm) = state.withLock { state in
            state.tick += 1
            let slot = state.tick % Self.slots
            let due = state.waiters[slot]
            state.waiters[slot].removeAll(keepingCapacity: true)
            state.waiting -= due.count
            state.armed = state.waiting > 0
            return (due, state.armed)
        }
        if rearm { schedule() }
        for waiter in due { waiter.resume() }
    }
}
