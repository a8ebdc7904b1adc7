import Synchronization
import Workflow

/// The workspace's state as the service last loaded it, with the stream version it is of, readable
/// without the service's actor.
///
/// Why: every read checks the caller's role in the workspace, and asking the actor for the state made
/// each read hop onto it and queue behind the commands in flight. The workspace changes rarely (members,
/// roles, settings), so a read compares the log's current version of the workspace stream with this one
/// and uses the state when they match; when they differ it asks the actor, which loads and records the
/// new state.
final class WorkspaceSnapshot: Sendable {
    private let current = Mutex<(state: WorkspaceState?, version: UInt64)?>(nil)

    /// The recorded state if it is of `version`, else nil (nothing recorded, or the stream moved on).
    func state(ifAt version: UInt64) -> WorkspaceState?? {
        current.withLock { current in
            guard let current, current.version == version else { return nil }
            return .some(current.state)
        }
    }

    /// Records `state` as of `version`, unless a later version is recorded already.
    func record(_ state: WorkspaceState?, version: UInt64) {
        current.withLock { current in
            if let recorded = current, recorded.version > version { return }
            current = (state, version)
        }
    }
}
