/// What the index records of one committed batch.
struct IndexEntry: Sendable {
    let location: BatchLocation
    /// The batch's event ids, in position order.
    let ids: [EventID]
    /// The stream number of each event, in position order (see `StreamIndex`).
    let streamNumbers: [UInt32]
    /// Streams that appeared for the first time in this batch.
    let newStreams: [(number: UInt32, name: String)]
}

/// The derived index of a log, in SQLite: one row per batch (where it is, its hash, its event ids and
/// stream numbers as packed blobs) and one row per stream name. Everything in it can be rebuilt from the
/// segments, so it is written with `synchronous=NORMAL`, off the append path.
///
/// Why rows per batch and not per event: the index exists so that a large workspace opens fast (a 1M-event
/// log must be ready in under a second). Loading ~2k blobs is far cheaper than 1M rows, and writing one row
/// per batch keeps SQLite's B-tree work off the appenders' two cores.
final class LogIndex {
    static let formatVersion: Int64 = 2

    private let connection: SQLiteConnection
    private let insertBatch: SQLiteStatement
    private let insertStream: SQLiteStatement

    /// Opens (or creates) the index at `path`; a file of another format version is emptied.
    init(path: String) throws(EventLogError) {
        connection = try SQLiteConnection(path: path)
        try connection.execute(
            """
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous=NORMAL;
            CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);
            """)
        if try Self.readMeta(connection, "format") != Self.formatVersion {
            try connection.execute(
                """
                DROP TABLE IF EXISTS batches; DROP TABLE IF EXISTS streams; DROP TABLE IF EXISTS stream_events; DELETE FROM meta;
                INSERT INTO meta(key, value) VALUES('format', \(Self.formatVersion));
                """)
        }
        try connection.execute(
            """
            CREATE TABLE IF NOT EXISTS batches(
              first_position INTEGER PRIMARY KEY, event_count INTEGER NOT NULL, segment INTEGER NOT NULL,
              offset INTEGER NOT NULL, stored_bytes INTEGER NOT NULL, committed_at INTEGER NOT NULL,
              hash BLOB NOT NULL, ids BLOB NOT NULL, streams BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS streams(stream_no INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
            """)
        insertBatch = try connection.prepare(
            """
            INSERT INTO batches(first_position, event_count, segment, offset, stored_bytes, committed_at, hash, ids, streams)
            VALUES(?,?,?,?,?,?,?,?,?)
            """)
        insertStream = try connection.prepare("INSERT INTO streams(stream_no, name) VALUES(?,?)")
    }

    private static func readMeta(_ connection: SQLiteConnection, _ key: String) throws(EventLogError) -> Int64? {
        let statement = try connection.prepare("SELECT value FROM meta WHERE key = ?")
        statement.bind(1, key)
        return try statement.step() ? statement.int64(0) : nil
    }

    /// Empties the index (it no longer matches the segments).
    func reset() throws(EventLogError) {
        try connection.execute("DELETE FROM batches; DELETE FROM streams;")
    }

    /// What a log needs in memory at open.
    struct Loaded {
        var batches: [BatchLocation] = []
        var ids = EventIDTable()
        /// Stream names by number.
        var streamNames: [String] = []
        /// Each batch's stream numbers.
        var batchStreams: [(firstPosition: UInt64, numbers: [UInt32])] = []
    }

    /// Loads everything; nil when the rows do not fit together (then the index is rebuilt).
    func load() throws(EventLogError) -> Loaded? {
        var loaded = Loaded()
        let streams = try connection.prepare("SELECT stream_no, name FROM streams ORDER BY stream_no")
        while try streams.step() {
            guard streams.int64(0) == Int64(loaded.streamNames.count) else { return nil }
            loaded.streamNames.append(streams.string(1))
        }
        let count = try connection.prepare("SELECT count(*), coalesce(sum(event_count), 0) FROM batches")
        if try count.step() {
            loaded.batches.reserveCapacity(Int(count.int64(0)))
            loaded.batchStreams.reserveCapacity(Int(count.int64(0)))
            loaded.ids = EventIDTable(minimumCapacity: Int(count.int64(1)))
        }
        let batches = try connection.prepare(
            "SELECT first_position, event_count, segment, offset, stored_bytes, committed_at, hash, ids, streams FROM batches ORDER BY first_position"
        )
        let streamCount = UInt32(loaded.streamNames.count)
        while try batches.step() {
            let first = UInt64(batches.int64(0))
            let eventCount = Int(batches.int64(1))
            let location = BatchLocation(
                firstPosition: first, eventCount: UInt32(eventCount), segment: UInt64(batches.int64(2)),
                offset: batches.int64(3), storedBytes: Int32(batches.int64(4)),
                committedAt: Timestamp(unixMicros: batches.int64(5)),
                batchHash: batches.withBlob(6) { $0.count == 32 ? Digest32(bytes: $0) : .zero })
            let idsFit = batches.withBlob(7) { raw -> Bool in
                guard raw.count == 16 * eventCount else { return false }
                for index in 0..<eventCount {
                    let id = EventID(bytes: UnsafeRawBufferPointer(rebasing: raw[(16 * index)..<(16 * index + 16)]))
                    loaded.ids.insert(id, at: first + UInt64(index))
                }
                return true
            }
            let numbers = batches.withBlob(8) { raw -> [UInt32]? in
                guard raw.count == 4 * eventCount else { return nil }
                return (0..<eventCount).map { loadLE(UInt32.self, raw, 4 * $0) }
            }
            guard idsFit, let numbers, numbers.allSatisfy({ $0 < streamCount }) else { return nil }
            loaded.batches.append(location)
            loaded.batchStreams.append((first, numbers))
        }
        return loaded
    }

    /// Records committed batches, in one transaction.
    func record(_ entries: [IndexEntry]) throws(EventLogError) {
        guard !entries.isEmpty else { return }
        try connection.execute("BEGIN IMMEDIATE")
        do {
            for entry in entries {
                for (number, name) in entry.newStreams {
                    insertStream.bind(1, Int64(number))
                    insertStream.bind(2, name)
                    try insertStream.run()
                }
                let location = entry.location
                insertBatch.bind(1, Int64(location.firstPosition))
                insertBatch.bind(2, Int64(location.eventCount))
                insertBatch.bind(3, Int64(location.segment))
                insertBatch.bind(4, location.offset)
                insertBatch.bind(5, Int64(location.storedBytes))
                insertBatch.bind(6, location.committedAt.unixMicros)
                var bytes: [UInt8] = []
                location.batchHash.append(to: &bytes)
                insertBatch.bind(7, bytes: bytes)
                bytes.removeAll(keepingCapacity: true)
                for id in entry.ids { id.append(to: &bytes) }
                insertBatch.bind(8, bytes: bytes)
                bytes.removeAll(keepingCapacity: true)
                for number in entry.streamNumbers { appendLE(number, &bytes) }
                insertBatch.bind(9, bytes: bytes)
                try insertBatch.run()
            }
            try connection.execute("COMMIT")
        } catch {
            try? connection.execute("ROLLBACK")
            throw error
        }
    }
}
