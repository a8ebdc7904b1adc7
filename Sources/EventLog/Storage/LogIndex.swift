/// What the index records of one committed batch.
struct IndexEntry: Sendable {
    let location: BatchLocation
    /// The batch's event ids, in position order.
    let ids: [EventID]
    /// Stream and version of each event, in position order.
    let streams: [(stream: String, version: UInt64)]
}

/// The derived index of a log, in SQLite: where each batch is (with its event ids), each stream's
/// version, and each stream event's position. Everything in it can be rebuilt from the segments,
/// so it is written with `synchronous=NORMAL` and off the append path.
///
/// Why SQLite rather than in-memory maps rebuilt at start-up: a 1M-event workspace must be ready in
/// under a second, and rebuilding from the log costs a full decode of every event.
final class LogIndex {
    static let formatVersion: Int64 = 1

    private let connection: SQLiteConnection
    private var streamNumbers: [String: Int64] = [:]
    private var nextStreamNumber: Int64 = 1
    private let insertBatch: SQLiteStatement
    private let insertStream: SQLiteStatement
    private let updateStream: SQLiteStatement
    private let insertStreamEvent: SQLiteStatement
    private let selectStreamPositions: SQLiteStatement

    /// Opens (or creates) the index at `path`; a file of another format version is emptied.
    init(path: String) throws(EventLogError) {
        connection = try SQLiteConnection(path: path)
        try connection.execute(
            """
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous=NORMAL;
            PRAGMA cache_size=-16000;
            CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS batches(
              first_position INTEGER PRIMARY KEY, event_count INTEGER NOT NULL, segment INTEGER NOT NULL,
              offset INTEGER NOT NULL, stored_bytes INTEGER NOT NULL, committed_at INTEGER NOT NULL,
              hash BLOB NOT NULL, ids BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS streams(stream_no INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, version INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS stream_events(
              stream_no INTEGER NOT NULL, version INTEGER NOT NULL, position INTEGER NOT NULL,
              PRIMARY KEY(stream_no, version)) WITHOUT ROWID;
            """)
        let version = try Self.readMeta(connection, "format")
        if version != Self.formatVersion {
            try connection.execute("DELETE FROM batches; DELETE FROM streams; DELETE FROM stream_events; DELETE FROM meta;")
            try connection.execute("INSERT INTO meta(key, value) VALUES('format', \(Self.formatVersion))")
        }
        insertBatch = try connection.prepare(
            "INSERT INTO batches(first_position, event_count, segment, offset, stored_bytes, committed_at, hash, ids) VALUES(?,?,?,?,?,?,?,?)")
        insertStream = try connection.prepare("INSERT INTO streams(stream_no, name, version) VALUES(?,?,?)")
        updateStream = try connection.prepare("UPDATE streams SET version = ? WHERE stream_no = ?")
        insertStreamEvent = try connection.prepare("INSERT INTO stream_events(stream_no, version, position) VALUES(?,?,?)")
        selectStreamPositions = try connection.prepare(
            "SELECT position FROM stream_events WHERE stream_no = ? AND version >= ? ORDER BY version LIMIT ?")
    }

    private static func readMeta(_ connection: SQLiteConnection, _ key: String) throws(EventLogError) -> Int64? {
        let statement = try connection.prepare("SELECT value FROM meta WHERE key = ?")
        statement.bind(1, key)
        return try statement.step() ? statement.int64(0) : nil
    }

    /// Empties the index (it no longer matches the segments).
    func reset() throws(EventLogError) {
        try connection.execute("DELETE FROM batches; DELETE FROM streams; DELETE FROM stream_events;")
        streamNumbers = [:]
        nextStreamNumber = 1
    }

    /// What a log needs in memory at open: batch table, event ids, stream versions.
    struct Loaded {
        var batches: [BatchLocation] = []
        var ids: [EventID: UInt64] = [:]
        var streamVersions: [String: UInt64] = [:]
    }

    func load() throws(EventLogError) -> Loaded {
        var loaded = Loaded()
        let count = try connection.prepare("SELECT count(*), coalesce(sum(event_count), 0) FROM batches")
        if try count.step() {
            loaded.batches.reserveCapacity(Int(count.int64(0)))
            loaded.ids.reserveCapacity(Int(count.int64(1)))
        }
        let batches = try connection.prepare(
            "SELECT first_position, event_count, segment, offset, stored_bytes, committed_at, hash, ids FROM batches ORDER BY first_position")
        while try batches.step() {
            let first = UInt64(batches.int64(0))
            let location = BatchLocation(
                firstPosition: first, eventCount: UInt32(batches.int64(1)), segment: UInt64(batches.int64(2)),
                offset: batches.int64(3), storedBytes: Int32(batches.int64(4)),
                committedAt: Timestamp(unixMicros: batches.int64(5)),
                batchHash: batches.withBlob(6) { $0.count == 32 ? Digest32(bytes: $0) : .zero })
            batches.withBlob(7) { raw in
                var offset = 0
                var position = first
                while offset + 16 <= raw.count {
                    loaded.ids[EventID(bytes: UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + 16)]))] = position
                    offset += 16
                    position += 1
                }
            }
            loaded.batches.append(location)
        }
        let streams = try connection.prepare("SELECT stream_no, name, version FROM streams")
        while try streams.step() {
            let number = streams.int64(0)
            let name = streams.string(1)
            streamNumbers[name] = number
            nextStreamNumber = max(nextStreamNumber, number + 1)
            loaded.streamVersions[name] = UInt64(streams.int64(2))
        }
        return loaded
    }

    /// Records committed batches, in one transaction.
    func record(_ entries: [IndexEntry]) throws(EventLogError) {
        guard !entries.isEmpty else { return }
        try connection.execute("BEGIN IMMEDIATE")
        do {
            var touched: [Int64: UInt64] = [:]
            for entry in entries {
                let location = entry.location
                insertBatch.bind(1, Int64(location.firstPosition))
                insertBatch.bind(2, Int64(location.eventCount))
                insertBatch.bind(3, Int64(location.segment))
                insertBatch.bind(4, location.offset)
                insertBatch.bind(5, Int64(location.storedBytes))
                insertBatch.bind(6, location.committedAt.unixMicros)
                var hash: [UInt8] = []
                location.batchHash.append(to: &hash)
                insertBatch.bind(7, bytes: hash)
                var ids: [UInt8] = []
                ids.reserveCapacity(16 * entry.ids.count)
                for id in entry.ids { id.append(to: &ids) }
                insertBatch.bind(8, bytes: ids)
                try insertBatch.run()
                for (index, (stream, version)) in entry.streams.enumerated() {
                    let number: Int64
                    if let known = streamNumbers[stream] {
                        number = known
                    } else {
                        number = nextStreamNumber
                        nextStreamNumber += 1
                        streamNumbers[stream] = number
                        insertStream.bind(1, number)
                        insertStream.bind(2, stream)
                        insertStream.bind(3, 0)
                        try insertStream.run()
                    }
                    touched[number] = max(touched[number] ?? 0, version)
                    insertStreamEvent.bind(1, number)
                    insertStreamEvent.bind(2, Int64(version))
                    insertStreamEvent.bind(3, Int64(location.firstPosition) + Int64(index))
                    try insertStreamEvent.run()
                }
            }
            for (number, version) in touched {
                updateStream.bind(1, Int64(version))
                updateStream.bind(2, number)
                try updateStream.run()
            }
            try connection.execute("COMMIT")
        } catch {
            try? connection.execute("ROLLBACK")
            throw error
        }
    }

    /// Positions of `stream`'s events from `fromVersion` on, at most `limit`.
    func positions(stream: String, fromVersion: UInt64, limit: Int) throws(EventLogError) -> [UInt64] {
        guard let number = streamNumbers[stream] else { return [] }
        selectStreamPositions.reset()
        selectStreamPositions.bind(1, number)
        selectStreamPositions.bind(2, Int64(fromVersion))
        selectStreamPositions.bind(3, Int64(limit))
        var positions: [UInt64] = []
        while try selectStreamPositions.step() { positions.append(UInt64(selectStreamPositions.int64(0))) }
        selectStreamPositions.reset()
        return positions
    }
}
