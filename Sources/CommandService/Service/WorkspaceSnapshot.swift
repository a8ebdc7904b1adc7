import Synchronization
import Workflow

/// The workspace's state as the service last loaded it, readable without the service's actor.
///
/// Why: every read checks the caller's role in the workspace, and asking the actor for the state made
/// each read hop onto it and queue behind the commands in flight. The workspace changes rarely (members,
/// roles, settings), so a read compares the log's current version of the workspace stream with the
/// recorded state's own `version` (one per event folded) and uses the state when they match; when they
/// differ it asks the actor, which loads and records the new state.
final class WorkspaceSnapshot: Sendable {
    private let current = Mutex<WorkspaceState?>(nil)

    /// The recorded state if it is of stream version `version`, else nil (nothing recorded yet, or the
    /// stream moved on).
    func state(ifAt version: UInt64) -> WorkspaceState? {
        current.withLock { current in current?.version == version ? current : nil }
    }

    /// Records `state`, unless a later version is recorded already.
    func record(_ state: WorkspaceState) {
        current.withLock { current in
            if let recorded = current, recorded.version > state.version { return }
            current = state
        }
    }
}
