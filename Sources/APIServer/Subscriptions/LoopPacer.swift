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
///
/// Why the interval shrinks with fewer subscribers: the pause is there to bound the writes a loop makes
/// per second, and a few subscribers make few writes whatever the pause. A full `interval` with ten
/// subscribers only delayed each event by up to 20 ms (delivery p50 20 ms at 1,000 events/s). The
/// pause is `interval × subscribers / fullFrom` (at most `interval`): with every subscriber live, a
/// loop writes at most `fullFrom / interval` times a second (12,500 by default) at any count.
final class LoopPacer: Sendable {
    let eventLoop: any EventLoop
    let interval: TimeAmount
    /// Subscribers on the loop from which the pause is the whole `interval`.
    let fullFrom: Int
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
    private let joined = Atomic<Int>(0)

    init(eventLoop: any EventLoop, interval: TimeAmount, fullFrom: Int = 250) {
        precondition(fullFrom > 0, "fullFrom: at least one subscriber")
        self.eventLoop = eventLoop
        self.interval = interval
        self.fullFrom = fullFrom
    }

    /// Counts a new subscriber in (until `leave()`) and gives it a slot: round robin, so each slot holds
    /// about a quarter of the loop's.
    func join() -> Int {
        joined.add(1, ordering: .relaxed)
        return slotsGiven.add(1, ordering: .relaxed).oldValue % Self.slots
    }

    /// Counts a subscriber out: once for each `join()`.
    func leave() { joined.subtract(1, ordering: .relaxed) }

    /// Subscribers joined and not left.
    var subscribers: Int { joined.load(ordering: .relaxed) }

    /// The pause between two writes to a live subscriber now: `interval` scaled by how many subscribers
    /// the loop has, up to `fullFrom`.
    var currentInterval: TimeAmount {
        let count = min(max(subscribers, 1), fullFrom)
        return .nanoseconds(interval.nanoseconds * Int64(count) / Int64(fullFrom))
    }

    /// Returns at `slot`'s next tick (`slot` modulo `slots`): at most `currentInterval` from now (as it
    /// stands at each tick), together with the other waiters of that slot.
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

    /// How far ahead the next tick is scheduled: a quarter of the current pause (one slot's turn).
    var tickDelay: TimeAmount { .nanoseconds(currentInterval.nanoseconds / Int64(Self.slots)) }

    private func schedule() {
        eventLoop.scheduleTask(in: tickDelay) { self.fire() }
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
