import NIOCore
import NIOPosix
import Synchronization

/// The server's open event subscriptions: how many there are and how many events they were sent (for
/// `/metrics`), and the shutdown signal that ends them (an SSE response would otherwise keep its
/// connection, and graceful shutdown, waiting forever).
final class SubscriptionRegistry: Sendable {
    private struct State {
        var open = 0
        var nextID = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())
    // Read or bumped by every live subscriber on every write: atomics, not the lock they would all share.
    private let delivered = Atomic<UInt64>(0)
    private let shuttingDown = Atomic<Bool>(false)
    /// One pacer per event loop of the server's group, made up front (so finding one takes no lock).
    private let pacers: [ObjectIdentifier: LoopPacer]
    /// A pacer for a connection whose loop is not the group's (a test's simulated channel).
    private let fallbackPacer: LoopPacer

    /// The group the HTTP server's connections run on: the server is given this one, so every
    /// connection's loop has a pacer here.
    let eventLoopGroup: any EventLoopGroup
    /// Where each open connection's event stream can write its chunks straight to the socket.
    let outlets = StreamOutlet.Registry()

    /// `pacingInterval`: how often a live subscriber may be written to.
    init(eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, pacingInterval: TimeAmount = .milliseconds(20)) {
        self.eventLoopGroup = eventLoopGroup
        var pacers: [ObjectIdentifier: LoopPacer] = [:]
        for loop in eventLoopGroup.makeIterator() {
            pacers[ObjectIdentifier(loop)] = LoopPacer(eventLoop: loop, interval: pacingInterval)
        }
        self.pacers = pacers
        fallbackPacer = LoopPacer(eventLoop: eventLoopGroup.next(), interval: pacingInterval)
    }

    /// The pacer of the subscribers on the event loop `id`, or nil when that loop is not the group's.
    func pacer(forLoop id: ObjectIdentifier) -> LoopPacer? { pacers[id] }

    /// The pacer for subscribers whose connection is not on one of the group's loops: it still coalesces
    /// their writes; they run on the global executor.
    var pacerOffTheGroup: LoopPacer { fallbackPacer }

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
