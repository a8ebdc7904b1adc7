/// Where a log keeps its files, and how they are named.
///
/// `<data>/workspaces/<workspace>/log/` holds `segment-<first position, 20 digits>.lz4` files, the
/// derived `index.sqlite3`, and `quarantine/` for the bytes of torn batches cut off during recovery.
struct LogPaths: Sendable {
    let directory: String

    init(dataDirectory: String, workspace: String) {
        directory = dataDirectory + "/workspaces/" + workspace + "/log"
    }

    init(directory: String) { self.directory = directory }

    var index: String { directory + "/index.sqlite3" }
    var quarantine: String { directory + "/quarantine" }

    func segment(_ base: UInt64) -> String { directory + "/" + SegmentName.fileName(base: base) }
}

enum SegmentName {
    /// `segment-00000000000000000001.lz4`: the position of the segment's first batch, zero-padded so
    /// that names sort in log order.
    static func fileName(base: UInt64) -> String {
        let digits = String(base)
        return "segment-" + String(repeating: "0", count: max(0, 20 - digits.count)) + digits + ".lz4"
    }

    static func base(of name: String) -> UInt64? {
        guard name.hasPrefix("segment-"), name.hasSuffix(".lz4"), name.utf8.count == 8 + 20 + 4 else { return nil }
        return UInt64(name.dropFirst(8).dropLast(4))
    }

    /// Bases of the segments in `directory`, ascending.
    static func list(in directory: String) throws(EventLogError) -> [UInt64] {
        try Directory.list(directory).compactMap(base(of:)).sorted()
    }
}

/// Where one batch lives, and what the in-memory batch table keeps of it.
struct BatchLocation: Sendable, Equatable {
    var firstPosition: UInt64
    var eventCount: UInt32
    /// The base position of the segment file that holds it.
    var segment: UInt64
    var offset: Int64
    var storedBytes: Int32
    var committedAt: Timestamp
    var batchHash: Digest32

    var lastPosition: UInt64 { firstPosition + UInt64(eventCount) - 1 }

    func contains(_ position: UInt64) -> Bool { position >= firstPosition && position <= lastPosition }
}
