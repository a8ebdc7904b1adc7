import Foundation

/// The files of one projection: `<projections>/<name>/<version>.sqlite` (or `<version>.b.sqlite`: a
/// rebuild of the version already live alternates between the two names, so the new file never shares
/// a name, and therefore a `-wal` file, with the one still serving queries), `<version>.building.sqlite`
/// while a version is built, and `snapshots/<version>/<position>.sqlite`.
struct ProjectionFiles: Sendable {
    let directory: String

    init(projectionsDirectory: String, name: String) {
        directory = projectionsDirectory + "/" + name
    }

    func buildingPath(version: String) -> String { "\(directory)/\(version).building.sqlite" }

    /// Where a finished build of `version` goes: the name the live file (if any) does not use.
    func finalPath(version: String, livePath: String?) -> String {
        let plain = "\(directory)/\(version).sqlite"
        return livePath == plain ? "\(directory)/\(version).b.sqlite" : plain
    }

    func snapshotDirectory(version: String) -> String { "\(directory)/snapshots/\(version)" }

    /// The database files in the directory (not snapshots).
    func databases() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".sqlite") }.sorted().map { directory + "/" + $0 }
    }

    func createDirectory() throws(ProjectionError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .io("cannot create \(directory): \(error.localizedDescription)")
        }
    }

    /// Removes a database and its `-wal`, `-shm` and `-journal` companions.
    static func remove(database path: String) {
        for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}

/// What a projection database says about itself (the `_projection_meta` and `_projection_checkpoint`
/// tables the engine adds beside the definition's schema).
struct DatabaseMeta: Sendable {
    let name: String
    let version: String
    /// The definition's source, so this version can be served and replayed after the file changed.
    let source: String
    /// Whether the first catch-up finished. A database that never finished it is never served.
    let complete: Bool
    let checkpoint: UInt64
    let failedPosition: UInt64?
    let failedMessage: String?

    static let createSQL = """
        CREATE TABLE IF NOT EXISTS _projection_meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS _projection_checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), position INTEGER NOT NULL);
        INSERT OR IGNORE INTO _projection_checkpoint (id, position) VALUES (1, 0);
        """

    /// Reads the meta of the database at `path`, or nil when it is not a projection database.
    static func read(path: String) -> DatabaseMeta? {
        guard let database = try? SQLiteDatabase(path: path, mode: .readOnly) else { return nil }
        return try? read(database)
    }

    static func read(_ database: SQLiteDatabase) throws(SQLiteError) -> DatabaseMeta? {
        let statement = try database.prepare("SELECT key, value FROM _projection_meta")
        var values: [String: String] = [:]
        while try statement.step() { values[statement.string(0)] = statement.isNull(1) ? nil : statement.string(1) }
        guard let name = values["name"], let version = values["version"], let source = values["source"] else { return nil }
        let checkpoint = try database.scalar("SELECT position FROM _projection_checkpoint WHERE id = 1") ?? 0
        return DatabaseMeta(
            name: name, version: version, source: source, complete: values["complete"] == "1", checkpoint: UInt64(checkpoint),
            failedPosition: values["failed_position"].flatMap { UInt64($0) }, failedMessage: values["failed_message"])
    }

    /// "0" while a build has not run its `after build` schema (and in snapshots taken meanwhile), "1"
    /// after; absent in databases made before the key existed, which had no such schema to run.
    static let afterBuildKey = "after_build"

    /// Whether the database at hand still lacks its definition's `after build` schema.
    static func lacksAfterBuild(_ database: SQLiteDatabase) throws(SQLiteError) -> Bool {
        let statement = try database.prepare("SELECT value FROM _projection_meta WHERE key = ?1")
        statement.bind(1, afterBuildKey)
        return try statement.step() && !statement.isNull(0) && statement.string(0) == "0"
    }

    static func set(_ key: String, _ value: String?, in database: SQLiteDatabase) throws(SQLiteError) {
        let statement = try database.prepare("INSERT OR REPLACE INTO _projection_meta (key, value) VALUES (?1, ?2)")
        statement.bind(1, key)
        if let value { statement.bind(2, value) } else { statement.bindNull(2) }
        while try statement.step() {}
    }
}
