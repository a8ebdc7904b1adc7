import Crypto
public import EventLog
import Foundation

/// Document contents, stored content-addressed: `<workspace>/documents/<aa>/<sha256>` where `aa` is the
/// digest's first two hex digits. Events carry the digest, size, type and name — never the bytes — so
/// the log stays small and an identical file uploaded twice is stored once.
///
/// Writes are atomic (a temporary file, `fsync`, `rename`, directory `fsync`; without the `fsync`s in
/// `.unsafeNoSync` mode): a crash leaves either the whole blob or none. Reads recompute the digest, so a damaged blob is reported, never served.
///
/// ```swift
/// let store = try DocumentStore(workspaceDirectory: "./taskledger-data/workspaces/acme")
/// let stored = try store.put(Array("hello".utf8))   // stored.digest names it from now on
/// let bytes = try store.get(stored.digest)
/// ```
public struct DocumentStore: Sendable {
    /// The largest document accepted, in bytes. Default 25 MiB.
    public let documentBytesMax: Int
    /// `.fsync` (the default): each `put` is durable when it returns. `.unsafeNoSync`: the file and its
    /// directory are not synced (still written to a temporary file and renamed, so a crash leaves whole
    /// files or none, but power loss may lose recent ones) — for a bulk load that syncs the whole
    /// directory once at the end, instead of two `fsync`s per document.
    public let durability: EventLogOptions.Durability
    let directory: String

    /// What `put` stored.
    public struct Stored: Sendable, Equatable {
        public var digest: Digest32
        public var size: Int
        /// False when the same content was already stored (nothing was written).
        public var isNew: Bool
    }

    public init(
        workspaceDirectory: String, documentBytesMax: Int = 25 << 20, durability: EventLogOptions.Durability = .fsync
    ) throws(DocumentStoreError) {
        self.documentBytesMax = documentBytesMax
        self.durability = durability
        directory = workspaceDirectory + "/documents"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .io("cannot create \(directory): \(error.localizedDescription)")
        }
    }

    /// Stores `bytes`, returning their SHA-256 digest; refuses more than `documentBytesMax` bytes.
    public func put(_ bytes: [UInt8]) throws(DocumentStoreError) -> Stored {
        guard bytes.count <= documentBytesMax else { throw .tooLarge(bytes: bytes.count, limit: documentBytesMax) }
        let digest = bytes.withUnsafeBytes { Digest32.sha256(of: $0) }
        let path = self.path(of: digest)
        if FileManager.default.fileExists(atPath: path) { return Stored(digest: digest, size: bytes.count, isNew: false) }
        let folder = (path as NSString).deletingLastPathComponent
        let temporary = folder + "/.tmp-\(digest)-\(UInt64.random(in: 0...UInt64.max))"
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try AtomicFile.write(bytes, to: path, via: temporary, sync: durability == .fsync)
        } catch let error as DocumentStoreError {
            throw error
        } catch {
            throw .io("cannot store \(digest): \(error.localizedDescription)")
        }
        return Stored(digest: digest, size: bytes.count, isNew: true)
    }

    /// The bytes stored under `digest`, after checking that they still hash to it.
    public func get(_ digest: Digest32) throws(DocumentStoreError) -> [UInt8] {
        let path = self.path(of: digest)
        guard let data = FileManager.default.contents(atPath: path) else { throw .notFound(digest) }
        let bytes = [UInt8](data)
        let actual = bytes.withUnsafeBytes { Digest32.sha256(of: $0) }
        guard actual == digest else { throw .corrupted(digest, actual: actual) }
        return bytes
    }

    /// Whether a blob is stored under `digest` (without reading it).
    public func contains(_ digest: Digest32) -> Bool { FileManager.default.fileExists(atPath: path(of: digest)) }

    func path(of digest: Digest32) -> String {
        let hex = digest.description
        return directory + "/" + hex.prefix(2) + "/" + hex
    }
}

/// Why a document operation failed; `code` is stable.
public enum DocumentStoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case tooLarge(bytes: Int, limit: Int)
    case notFound(Digest32)
    /// The stored bytes no longer hash to their name: the blob is damaged.
    case corrupted(Digest32, actual: Digest32)
    case io(String)

    public var code: String {
        switch self {
        case .tooLarge: "document-too-large"
        case .notFound: "not-found"
        case .corrupted: "document-corrupted"
        case .io: "io-error"
        }
    }

    public var description: String {
        switch self {
        case .tooLarge(let bytes, let limit): "document is \(bytes) bytes, more than the limit of \(limit) bytes"
        case .notFound(let digest): "no document with digest \(digest)"
        case .corrupted(let digest, let actual): "document \(digest) is damaged: its bytes hash to \(actual)"
        case .io(let message): message
        }
    }
}
