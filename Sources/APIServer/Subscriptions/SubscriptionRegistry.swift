import Synchronization

/// The server's open event subscriptions: how many there are and how many events they were sent (for
/// `/metrics`), and the shutdown signal that ends them (an SSE response would otherwise keep its
/// connection, and graceful shutdown, waiting forever).
final class SubscriptionRegistry: Sendable {
    private struct State {
        var open = 0
        var nextID = 0
        var delivered: UInt64 = 0
        var shuttingDown = false
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    struct Subscription: Sendable { let id: Int }

    func open() -> Subscription {
        state.withLock { state in
            state.open += 1
            state.nextID += 1
            return Subscription(id: state.nextID)
        }
    }

    func close(_ subscription: Subscription) { state.withLock { $0.open -= 1 } }

    func delivered(_ count: Int) { state.withLock { $0.delivered += UInt64(count) } }

    var openCount: Int { state.withLock { $0.open } }
    var deliveredCount: UInt64 { state.withLock { $0.delivered } }
    var isShuttingDown: Bool { state.withLock { $0.shuttingDown } }

    /// Ends every subscription (each finishes its response) and refuses to keep new ones open.
    func shutDown() {
        let waiters = state.withLock { state in
            state.shuttingDown = true
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
                    if state.shuttingDown || Task.isCancelled { return true }
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
