import Foundation

/// `manifest.json` of a backup directory: what has been copied, so the next backup copies only what is
/// new, and what was verified, so it verifies only what it copied (docs/operations.md).
public struct BackupManifest: Codable, Sendable, Equatable {
    /// The manifest's own format version.
    public var format: Int
    public var workspace: String
    /// When the first and the latest backup into this directory ran (RFC 3339).
    public var createdAt: String
    public var updatedAt: String
    /// The log position and chain hash the backup holds up to.
    public var headPosition: UInt64
    public var headHash: String
    public var events: UInt64
    public var segments: [Segment]
    /// Document blobs held (content-addressed, each checked against its name when copied).
    public var documents: Int
    /// Where the last verification of the backup's log stopped (the next one goes on from here).
    public var verification: VerificationState?
    /// The latest runs, newest last (at most 50).
    public var runs: [Run]

    /// One copied segment file.
    public struct Segment: Codable, Sendable, Equatable {
        public var name: String
        /// Bytes copied (the segment's data, without pre-allocated space).
        public var bytes: Int64
        /// The last copied batch: where it starts, its chain hash and frame checksum. A source segment whose
        /// batch at that offset differs was rewritten (a redaction) and is copied again in full.
        public var lastBatchOffset: Int64
        public var lastBatchHash: String
        public var lastFrameCRC: UInt32
    }

    /// One backup run.
    public struct Run: Codable, Sendable, Equatable {
        public var at: String
        public var headPosition: UInt64
        public var bytesCopied: Int64
        public var segmentsCopied: Int
        public var documentsCopied: Int
        public var milliseconds: Int
    }

    static func path(in backup: String) -> String { backup + "/manifest.json" }

    /// Reads `<backup>/manifest.json`; nil when there is none.
    public static func load(backupDirectory: String) throws(EventLogError) -> BackupManifest? {
        let path = path(in: backupDirectory)
        guard Directory.exists(path) else { return nil }
        do {
            return try JSONDecoder().decode(BackupManifest.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw .invalidInput(reason: "\(path) is not a backup manifest: \(error.localizedDescription)")
        }
    }

    func save(backupDirectory: String) throws(EventLogError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let bytes: [UInt8]
        do { bytes = Array(try encoder.encode(self)) } catch { throw .invalidInput(reason: "cannot encode the manifest: \(error)") }
        try DurableFile.replace(Self.path(in: backupDirectory), with: bytes + [UInt8(ascii: "\n")])
    }
}
