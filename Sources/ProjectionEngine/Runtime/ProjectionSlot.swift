import Foundation
import Logging
import Synchronization

/// One projection of a workspace: the database serving queries (`live`), the one being built beside it
/// (`building`), and the tasks waiting for either to reach a position. State changes happen under one lock
/// so that a swap is atomic for queries: a query gets the old database's readers or the new one's.
final class ProjectionSlot: Sendable {
    /// A database that finished its first catch-up, with its writer and readers.
    final class Served: Sendable {
        let writer: ProjectionWriter?
        let readers: ReaderPool
        init(writer: ProjectionWriter?, readers: ReaderPool) {
            self.writer = writer
            self.readers = readers
        }
        var definition: ProjectionDefinition { readers.definition }
    }

    private struct Waiter {
        let condition: @Sendable (ProjectionSlot.Snapshot) -> Bool
        let continuation: CheckedContinuation<Bool, Never>
    }

    /// What waiters look at.
    struct Snapshot: Sendable {
        let servedCheckpoint: UInt64?
        let servedCaughtUp: Bool
        let building: Bool
        /// The served database's writer stopped on a failing statement.
        let servedFailed: Bool
        /// The build stopped on a failing statement.
        let buildFailed: Bool
    }

    private struct State {
        var definition: ProjectionDefinition
        var served: Served?
        var building: ProjectionWriter?
        var waiters: [Int: Waiter] = [:]
        var nextWaiter = 0
        /// Waiters whose timer fired before they were registered.
        var expired: Set<Int> = []
    }

    let name: String
    let files: ProjectionFiles
    let snapshotOptions: (every: UInt64, keep: Int, bytes: Int64)
    private let state: Mutex<State>
    private let logger: Logger

    init(definition: ProjectionDefinition, files: ProjectionFiles, options: ProjectionEngineOptions) {
        name = definition.name
        self.files = files
        snapshotOptions = (options.snapshotEveryEvents, options.snapshotsMax, options.snapshotBytesMax)
        logger = options.logger
        state = Mutex(State(definition: definition))
    }

    /// The snapshots of `definition`'s version, spaced as its `-- snapshots:` directive says, else as the
    /// engine's options say.
    func snapshots(_ definition: ProjectionDefinition) -> SnapshotStore {
        SnapshotStore(
            directory: files.snapshotDirectory(version: definition.version), everyEvents: definition.snapshotEveryEvents ?? snapshotOptions.every,
            keepMax: snapshotOptions.keep, bytesMax: snapshotOptions.bytes)
    }

    var definition: ProjectionDefinition { state.withLock { $0.definition } }
    var served: Served? { state.withLock { $0.served } }
    var building: ProjectionWriter? { state.withLock { $0.building } }

    func setServed(_ served: Served) {
        state.withLock { $0.served = served }
        changed()
    }

    /// Starts tracking a build; false when one is already running.
    func setBuilding(_ writer: ProjectionWriter) -> Bool {
        let accepted = state.withLock { state in
            guard state.building == nil || state.building?.isActive == false else { return false }
            state.building = writer
            return true
        }
        changed()
        return accepted
    }

    // MARK: Writer notifications (on writer threads)

    /// Called by every writer of this slot.
    func handle(_ writer: ProjectionWriter, _ change: ProjectionWriter.Change) {
        if change == .promoted { swapIn(writer) }
        changed()
    }

    /// The build caught up and is complete: serve it, then retire the database it replaces.
    private func swapIn(_ writer: ProjectionWriter) {
        let path = writer.state.path
        let readers = ReaderPool(path: path, definition: writer.definition)
        let old: Served? = state.withLock { state in
            defer {
                state.served = Served(writer: writer, readers: readers)
                if state.building === writer { state.building = nil }
            }
            return state.served
        }
        logger.info("projection \(name): version \(writer.definition.version) is live at \(path)")
        guard let old else { return }
        old.readers.close()
        // The old writer's thread may be applying a batch; it finishes it, then stops. Never this thread.
        if let oldWriter = old.writer, oldWriter !== writer { oldWriter.stop() }
        if old.readers.path != path { ProjectionFiles.remove(database: old.readers.path) }
        if old.definition.version != writer.definition.version {
            try? FileManager.default.removeItem(atPath: files.snapshotDirectory(version: old.definition.version))
        }
    }

    // MARK: Waiting

    private func snapshot(_ state: State) -> Snapshot {
        let servedProgress = state.served?.writer?.state
        return Snapshot(
            servedCheckpoint: state.served.map { _ in servedProgress?.checkpoint ?? 0 },
            servedCaughtUp: servedProgress?.caughtUp ?? false,
            building: state.building != nil,
            servedFailed: servedProgress?.failure != nil,
            buildFailed: state.building?.state.failure != nil)
    }

    /// Waits until `condition` holds, re-evaluated at every change (no polling), or `timeout` passes.
    func wait(until condition: @escaping @Sendable (Snapshot) -> Bool, timeout: Duration) async -> Bool {
        let id: Int? = state.withLock { state in
            if condition(snapshot(state)) { return nil }
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        guard let id else { return true }
        let timer = Task {
            try? await Task.sleep(for: timeout)
            let waiter = state.withLock { state in
                let waiter = state.waiters.removeValue(forKey: id)
                if waiter == nil { state.expired.insert(id) }
                return waiter
            }
            waiter?.continuation.resume(returning: false)
        }
        let result = await withCheckedContinuation { continuation in
            let resumeNow: Bool? = state.withLock { state in
                if condition(snapshot(state)) { return true }
                if state.expired.remove(id) != nil { return false }
                state.waiters[id] = Waiter(condition: condition, continuation: continuation)
                return nil
            }
            if let resumeNow { continuation.resume(returning: resumeNow) }
        }
        timer.cancel()
        state.withLock { _ = $0.expired.remove(id) }
        return result
    }

    /// Resumes the waiters whose condition now holds.
    func changed() {
        let ready: [CheckedContinuation<Bool, Never>] = state.withLock { state in
            guard !state.waiters.isEmpty else { return [] }
            let current = snapshot(state)
            let done = state.waiters.filter { $0.value.condition(current) }
            for id in done.keys { state.waiters.removeValue(forKey: id) }
            return done.values.map(\.continuation)
        }
        for continuation in ready { continuation.resume(returning: true) }
    }

    /// Resumes every waiter with false (the engine is stopping).
    func cancelWaiters() {
        let all = state.withLock { state in
            defer { state.waiters.removeAll() }
            return state.waiters.values.map(\.continuation)
        }
        for continuation in all { continuation.resume(returning: false) }
    }

    // MARK: Status

    func status(head: UInt64) -> ProjectionStatus {
        state.withLock { state in
            let served = state.served?.writer?.state
            let building = state.building?.state
            let checkpoint = served?.checkpoint ?? building?.checkpoint ?? 0
            let stateValue: ProjectionStatus.State
            if let failure = served?.failure ?? building?.failure {
                stateValue = .failed(position: failure.position, message: failure.message)
            } else if building != nil {
                stateValue = state.served == nil ? .catchingUp : .rebuilding
            } else if served?.caughtUp == true {
                stateValue = .live
            } else {
                stateValue = .catchingUp
            }
            return ProjectionStatus(
                name: name, state: stateValue, servingVersion: state.served?.definition.version, definitionVersion: state.definition.version,
                checkpoint: checkpoint, buildCheckpoint: state.served == nil ? nil : building?.checkpoint, head: head,
                eventsPerSecond: (building ?? served)?.rate.eventsPerSecond ?? 0)
        }
    }
}
