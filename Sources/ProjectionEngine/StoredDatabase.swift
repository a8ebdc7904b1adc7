/// A projection database as found on disk, read without starting an engine (for `projections status`
/// while no server runs).
public struct StoredDatabase: Sendable {
    public let path: String
    public let version: String
    /// Whether its first catch-up finished (only complete databases are served).
    public let complete: Bool
    public let checkpoint: UInt64
    /// The position and message of the statement failure that stopped it, if any.
    public let failure: (position: UInt64, message: String)?

    /// The databases of projection `name` in a workspace, building ones included.
    public static func list(dataDirectory: String, workspace: String, name: String) -> [StoredDatabase] {
        let files = ProjectionFiles(projectionsDirectory: "\(dataDirectory)/workspaces/\(workspace)/projections", name: name)
        return files.databases().compactMap { path in
            guard let meta = DatabaseMeta.read(path: path) else { return nil }
            let failure = meta.failedPosition.map { ($0, meta.failedMessage ?? "") }
            return StoredDatabase(path: path, version: meta.version, complete: meta.complete, checkpoint: meta.checkpoint, failure: failure)
        }
    }
}
