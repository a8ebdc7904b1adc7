import Crypto
public import EventLog

/// API tokens: `tl_` followed by 43 base64url characters (32 random bytes). The secret is shown once, at
/// issue; events and state keep only its SHA-256, and a presented token is checked in constant time.
///
/// ```swift
/// let issued = TokenSecret.issue()
/// print(issued.secret)            // give this to the client, once
/// store(issued.hash)              // keep only this
/// TokenSecret.matches(presented, hash: issued.hash)
/// ```
public enum TokenSecret {
    public static let prefix = "tl_"

    /// A new secret and the hash to keep.
    public struct Issued: Sendable {
        public let secret: String
        public let hash: Digest32
    }

    /// Draws 32 bytes from the system's secure generator (`SystemRandomNumberGenerator`, i.e. getrandom(2)).
    public static func issue() -> Issued {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for _ in 0..<4 { withUnsafeBytes(of: generator.next()) { bytes.append(contentsOf: $0) } }
        let secret = prefix + base64URL(bytes)
        return Issued(secret: secret, hash: hash(of: secret))
    }

    /// A new secret that names its workspace and token id: `tl_<workspace>.<token id>.<43 random
    /// characters>`. The server routes a presented token to its workspace and loads its state by id
    /// without any server-wide table; the names are not secret, the random part is, and the stored hash
    /// covers the whole string, so neither name can be altered.
    public static func issue(workspace: String, token: String) -> Issued {
        let random = issue().secret.dropFirst(prefix.count)
        let secret = prefix + workspace + "." + token + "." + random
        return Issued(secret: secret, hash: hash(of: secret))
    }

    /// The workspace and token id a presented `tl_<workspace>.<token id>.<secret>` names, or nil when it
    /// is not of that shape. Says nothing about whether the token is valid.
    public static func route(_ presented: String) -> (workspace: String, token: String)? {
        // On the UTF-8 view: this runs on every request, and splitting the String made an array of
        // substrings each time.
        let utf8 = presented.utf8
        guard presented.hasPrefix(prefix), utf8.count <= 256 else { return nil }
        let dot = UInt8(ascii: ".")
        let start = utf8.index(utf8.startIndex, offsetBy: prefix.utf8.count)
        guard let first = utf8[start...].firstIndex(of: dot), first != start else { return nil }
        let tokenStart = utf8.index(after: first)
        guard let second = utf8[tokenStart...].firstIndex(of: dot), second != tokenStart else { return nil }
        let secret = utf8[utf8.index(after: second)...]
        guard secret.count == 43, !secret.contains(dot) else { return nil }
        return (String(presented[start..<first]), String(presented[tokenStart..<second]))
    }

    /// The SHA-256 of a presented token (what is stored and compared).
    public static func hash(of token: String) -> Digest32 {
        Array(token.utf8).withUnsafeBytes { Digest32.sha256(of: $0) }
    }

    /// Whether `token` hashes to `hash`, comparing all 32 bytes whatever they hold, so the time taken
    /// does not tell an attacker how many leading bytes were right.
    public static func matches(_ token: String, hash expected: Digest32) -> Bool {
        guard token.hasPrefix(prefix), token.utf8.count <= 256 else { return false }
        let actual = hash(of: token)
        var difference: UInt8 = 0
        actual.withUnsafeBytes { a in
            expected.withUnsafeBytes { b in
                for index in 0..<32 { difference |= a[index] ^ b[index] }
            }
        }
        return difference == 0
    }

    /// `matches` against a stored lower-case hex hash (as events and `TokenState` keep it).
    public static func matches(_ token: String, hexHash expected: String) -> Bool {
        guard token.hasPrefix(prefix), token.utf8.count <= 256 else { return false }
        let actual = Array(hash(of: token).description.utf8)
        let stored = Array(expected.utf8)
        guard actual.count == stored.count else { return false }
        var difference: UInt8 = 0
        for index in 0..<actual.count { difference |= actual[index] ^ stored[index] }
        return difference == 0
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var out: [UInt8] = []
        var index = 0
        while index + 3 <= bytes.count {
            let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], alphabet[Int(n & 63)]]
            index += 3
        }
        let rest = bytes.count - index
        if rest == 1 {
            let n = UInt32(bytes[index]) << 16
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)]]
        } else if rest == 2 {
            let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)]]
        }
        return String(decoding: out, as: UTF8.self)
    }
}
