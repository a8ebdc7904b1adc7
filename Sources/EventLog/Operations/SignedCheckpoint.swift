import Crypto
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A statement, signed with the server's Ed25519 key, that workspace W's log had chain hash H at
/// position P at time T. An auditor who keeps a copy can later prove that the log's first P events are
/// still the ones it had then (`taskledger verify --checkpoint FILE`), even against an attacker who
/// rewrote events and recomputed every hash after them: the rewritten chain ends in another hash.
///
/// The signed message is the UTF-8 text
/// `taskledger-checkpoint-v1\n<workspace>\n<position>\n<chainHash hex>\n<signedAt>\n` (docs/auditing.md).
public struct SignedCheckpoint: Codable, Sendable, Equatable {
    public var version: Int
    public var workspace: String
    /// The position of the last event covered (a batch ends there).
    public var position: UInt64
    /// Hex of the chain hash (`batchHash`) of the batch that ends at `position`.
    public var chainHash: String
    /// RFC 3339, UTC.
    public var signedAt: String
    /// Hex of the 32-byte Ed25519 public key.
    public var publicKey: String
    /// Hex of the 64-byte Ed25519 signature of `message`.
    public var signature: String

    /// The bytes that are signed.
    public var message: [UInt8] { Array("taskledger-checkpoint-v1\n\(workspace)\n\(position)\n\(chainHash)\n\(signedAt)\n".utf8) }

    /// The first 16 hex digits of SHA-256 of the public key: short enough to compare by eye.
    public var keyID: String { CheckpointKey.keyID(publicKeyHex: publicKey) }

    /// Whether the signature is the key's signature of the message (says nothing about *which* key:
    /// compare `publicKey` or `keyID` with the one you trust).
    public var hasValidSignature: Bool {
        guard version == 1, let key = Data(hex: publicKey), let signature = Data(hex: signature),
            let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: key)
        else { return false }
        return publicKey.isValidSignature(signature, for: Data(message))
    }

    /// Decodes a checkpoint from its JSON (what the server serves and stores).
    public static func decode(_ json: some Collection<UInt8>) throws(EventLogError) -> SignedCheckpoint {
        do {
            return try JSONDecoder().decode(SignedCheckpoint.self, from: Data(json))
        } catch {
            throw .invalidInput(reason: "not a signed checkpoint: \(error)")
        }
    }

    /// One line of JSON, keys sorted.
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(self)) ?? Data())
    }
}

/// The server's checkpoint signing key: an Ed25519 private key in a file of mode 0600, created on first
/// use. The private key never leaves the file; checkpoints carry the public key.
public struct CheckpointKey: Sendable {
    /// The private key's 32 bytes (kept as bytes: swift-crypto's key type is not `Sendable`).
    private let rawKey: [UInt8]
    /// Hex of the public key.
    public let publicKeyHex: String

    private init(privateKey: Curve25519.Signing.PrivateKey) {
        rawKey = Array(privateKey.rawRepresentation)
        publicKeyHex = privateKey.publicKey.rawRepresentation.hexString
    }

    public var keyID: String { Self.keyID(publicKeyHex: publicKeyHex) }

    /// `<data>/keys/checkpoint-ed25519.key`.
    public static func defaultPath(dataDirectory: String) -> String { dataDirectory + "/keys/checkpoint-ed25519.key" }

    /// Loads the key at `path`, or creates it (mode 0600, written durably) when there is none. Refuses a
    /// key file that others may read.
    public static func loadOrCreate(at path: String) throws(EventLogError) -> CheckpointKey {
        if Directory.exists(path) {
            var info = stat()
            guard stat(path, &info) == 0 else { throw .io(operation: "stat", path: path, errno: errno) }
            guard info.st_mode & 0o077 == 0 else {
                throw .invalidInput(
                    reason: "the checkpoint key \(path) is readable by others (mode \(String(info.st_mode & 0o777, radix: 8))); chmod 600 it")
            }
            let file = try FileHandle.open(path, writable: false)
            let bytes = try file.read(count: 64, at: 0)
            guard bytes.count == 32, let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: bytes) else {
                throw .invalidInput(reason: "\(path) is not a 32-byte Ed25519 private key")
            }
            return CheckpointKey(privateKey: key)
        }
        let key = Curve25519.Signing.PrivateKey()
        try Directory.create(Directory.parent(of: path))
        try DurableFile.replace(path, with: Array(key.rawRepresentation), mode: 0o600)
        return CheckpointKey(privateKey: key)
    }

    /// Signs (workspace, head position, head chain hash, now).
    public func sign(workspace: String, head: LogHead, at time: Timestamp = .now()) -> SignedCheckpoint {
        var checkpoint = SignedCheckpoint(
            version: 1, workspace: workspace, position: head.position, chainHash: head.batchHash.description, signedAt: time.description,
            publicKey: publicKeyHex, signature: "")
        // Ed25519 signing cannot fail for a valid key and message.
        let privateKey = try? Curve25519.Signing.PrivateKey(rawRepresentation: rawKey)
        checkpoint.signature = ((try? privateKey?.signature(for: Data(checkpoint.message))) ?? Data()).hexString
        return checkpoint
    }

    static func keyID(publicKeyHex: String) -> String {
        String(Array(publicKeyHex.utf8).withUnsafeBytes { Digest32.sha256($0) }.description.prefix(16))
    }
}

/// A workspace's signed checkpoints: `<data>/workspaces/<ws>/checkpoints.ndjson`, one per line, appended
/// durably, oldest first.
public struct CheckpointStore: Sendable {
    public let path: String

    public init(dataDirectory: String, workspace: String) throws(EventLogError) {
        try EventLog.validateWorkspaceName(workspace)
        path = dataDirectory + "/workspaces/" + workspace + "/checkpoints.ndjson"
    }

    /// Appends `checkpoint` as one line and syncs the file. `O_APPEND` makes each line one atomic write,
    /// so the server's signer and `taskledger checkpoint sign` can both append.
    public func append(_ checkpoint: SignedCheckpoint) throws(EventLogError) {
        let created = !Directory.exists(path)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .io(operation: "open", path: path, errno: errno) }
        defer { close(descriptor) }
        let line = checkpoint.encoded() + [UInt8(ascii: "\n")]
        let written = line.withUnsafeBytes { write(descriptor, $0.baseAddress!, $0.count) }
        guard written == line.count else { throw .io(operation: "write", path: path, errno: written < 0 ? errno : EIO) }
        guard fdatasync(descriptor) == 0 else { throw .io(operation: "fdatasync", path: path, errno: errno) }
        if created { try Directory.sync(Directory.parent(of: path)) }
    }

    /// Every stored checkpoint, oldest first (lines that do not decode are skipped: a torn last line
    /// after a crash is the only way to get one).
    public func all() throws(EventLogError) -> [SignedCheckpoint] {
        guard Directory.exists(path) else { return [] }
        let file = try FileHandle.open(path, writable: false)
        let bytes = try file.read(count: Int(try file.size()), at: 0)
        return bytes.split(separator: UInt8(ascii: "\n")).compactMap { try? SignedCheckpoint.decode($0) }
    }

    /// The newest checkpoint, if any. Reads only the end of the file, which grows by a line per
    /// checkpoint for the life of the workspace.
    public func latest() throws(EventLogError) -> SignedCheckpoint? {
        guard Directory.exists(path) else { return nil }
        let file = try FileHandle.open(path, writable: false)
        let size = try file.size()
        var window: Int64 = 4_096
        while true {
            let start = max(0, size - window)
            let bytes = try file.read(count: Int(size - start), at: start)
            // Lines whole in the window: all of them from the file's start, else all but the first.
            var lines = bytes.split(separator: UInt8(ascii: "\n"))
            if start > 0, !lines.isEmpty { lines.removeFirst() }
            if let newest = lines.reversed().lazy.compactMap({ try? SignedCheckpoint.decode($0) }).first { return newest }
            if start == 0 { return nil }
            window *= 4
        }
    }
}

extension Data {
    init?(hex: String) {
        let utf8 = Array(hex.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2)
        for index in stride(from: 0, to: utf8.count, by: 2) {
            guard let high = hexValue(utf8[index]), let low = hexValue(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        self.init(bytes)
    }
}

extension DataProtocol {
    var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
