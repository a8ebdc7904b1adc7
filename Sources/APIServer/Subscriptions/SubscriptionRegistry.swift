import NIOCore
import Synchronization

/// The server's open event subscriptions: how many there are and how many events they were sent (for
/// `/metrics`), and the shutdown signal that ends them (an SSE response would otherwise keep its
/// connection, and graceful shutdown, waiting forever).
final class SubscriptionRegistry: Sendable {
    private struct State {
        var open = 0
        var nextID = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var pacers: [ObjectIdentifier: LoopPacer] = [:]
    }

    private let state = Mutex(State())
    // Read or bumped by every live subscriber on every write: atomics, not the lock they would all share.
    private let delivered = Atomic<UInt64>(0)
    private let shuttingDown = Atomic<Bool>(false)
    /// How often a live subscriber may be written to (see `EventRoutes.coalescingInterval`).
    let pacingInterval: TimeAmount

    init(pacingInterval: TimeAmount = .milliseconds(20)) { self.pacingInterval = pacingInterval }

    /// The pacer of the subscribers on `eventLoop`: one per loop for the server's life.
    func pacer(for eventLoop: any EventLoop) -> LoopPacer {
        state.withLock { state in
            if let pacer = state.pacers[ObjectIdentifier(eventLoop)] { return pacer }
            let pacer = LoopPacer(eventLoop: eventLoop, interval: pacingInterval)
            state.pacers[ObjectIdentifier(eventLoop)] = pacer
            return pacer
        }
    }

    struct Subscription: Sendable { let id: Int }

    func open() -> Subscription {
        state.withLock { state in
            state.open += 1
            state.nextID += 1
            return Subscription(id: state.nextID)
        }
    }

    func close(_ subscription: Subscription) { state.withLock { $0.open -= 1 } }

    func delivered(_ count: Int) { delivered.add(UInt64(count), ordering: .relaxed) }

    var openCount: Int { state.withLock { $0.open } }
    var deliveredCount: UInt64 { delivered.load(ordering: .relaxed) }
    var isShuttingDown: Bool { shuttingDown.load(ordering: .acquiring) }

    /// Ends every subscription (each finishes its response) and refuses to keep new ones open.
    func shutDown() {
        let waiters = state.withLock { state in
            shuttingDown.store(true, ordering: .releasing)
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns when `shutDown()` is called, or when the task is cancelled.
    func waitForShutdown() async {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if shuttingDown.load(ordering: .acquiring) || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}
