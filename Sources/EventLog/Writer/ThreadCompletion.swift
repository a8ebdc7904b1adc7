import Synchronization

/// Lets async code wait for a dedicated thread (the writer, the indexer) to finish its loop.
final class ThreadCompletion: Sendable {
    private let state = Mutex<(done: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    /// Called by the thread as its last act.
    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.done = true
            return state.waiter
        }
        waiter?.resume()
    }

    /// Returns once `finish` has been called (at once if it already was).
    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state -> Bool in
                if state.done { return true }
                state.waiter = continuation
                return false
            }
            if done { continuation.resume() }
        }
    }
}
