import CSupport
import Crypto

/// A 32-byte SHA-256 digest, held inline (no allocation), compared by value.
public struct Digest32: Hashable, Sendable, CustomStringConvertible {
    var words: (UInt64, UInt64, UInt64, UInt64)

    public static let zero = Digest32(words: (0, 0, 0, 0))

    init(words: (UInt64, UInt64, UInt64, UInt64)) { self.words = words }

    /// Reads 32 bytes as they are stored.
    init(bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count >= 32)
        words = (
            bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self),
            bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
            bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self),
            bytes.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
        )
    }

    init(_ digest: SHA256.Digest) {
        self = digest.withUnsafeBytes { Digest32(bytes: $0) }
    }

    /// Parses 64 hexadecimal digits.
    public init?(hex: some StringProtocol) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 64 else { return nil }
        var bytes = [UInt8](repeating: 0, count: 32)
        for index in 0..<32 {
            guard let high = hexValue(utf8[2 * index]), let low = hexValue(utf8[2 * index + 1]) else { return nil }
            bytes[index] = high << 4 | low
        }
        self = bytes.withUnsafeBytes { Digest32(bytes: $0) }
    }

    /// The 32 bytes, as stored.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try Swift.withUnsafeBytes(of: words) { try body($0) }
    }

    func append(to out: inout [UInt8]) {
        withUnsafeBytes { out.append(contentsOf: $0) }
    }

    public static func == (lhs: Digest32, rhs: Digest32) -> Bool { lhs.words == rhs.words }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
    }

    /// 64 lower-case hexadecimal digits, the form `sha256sum` prints.
    public var description: String {
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        withUnsafeBytes { bytes in
            for byte in bytes {
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// SHA-256 of `bytes`.
    public static func sha256(of bytes: UnsafeRawBufferPointer) -> Digest32 { sha256(bytes) }

    /// SHA-256 of `bytes`.
    static func sha256(_ bytes: UnsafeRawBufferPointer) -> Digest32 {
        // `tl_sha256` (CSupport): the lines hashed here are short, and swift-crypto's per-hash context
        // allocation and digest copies cost more than the hashing itself (see sha256.c).
        var digest = Digest32.zero
        Swift.withUnsafeMutableBytes(of: &digest.words) { out in
            tl_sha256(bytes.baseAddress, bytes.count, out.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        return digest
    }
}
