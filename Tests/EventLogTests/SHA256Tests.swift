import CSupport
import Crypto
import Foundation
import Testing

@testable import EventLog

/// The log's own SHA-256 (CSupport's `tl_sha256`, with the CPU's SHA extensions when it has them) must
/// give exactly the digests of a reference implementation: every line digest, content digest and chain
/// hash ever written depends on it.
@Suite("SHA-256")
struct SHA256Tests {
    private func reference(_ bytes: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: bytes)) }

    private func ours(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { raw in Digest32.sha256(raw).withUnsafeBytes { Array($0) } }
    }

    private func portable(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        bytes.withUnsafeBytes { raw in tl_sha256_portable(raw.baseAddress, raw.count, &out) }
        return out
    }

    @Test("the published test vectors")
    func vectors() {
        let cases: [(String, String)] = [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (
                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
            ),
        ]
        for (input, expected) in cases {
            let bytes = Array(input.utf8)
            let hex = bytes.withUnsafeBytes { Digest32.sha256($0).description }
            #expect(hex == expected, "SHA-256 of \"\(input)\"")
            #expect(portable(bytes) == ours(bytes))
        }
    }

    @Test("every length from 0 to 1,100 bytes and a 1 MiB input match the reference, on both code paths")
    func lengths() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt8 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
        for length in 0...1_100 {
            let bytes = (0..<length).map { _ in next() }
            let expected = reference(bytes)
            #expect(ours(bytes) == expected, "length \(length)")
            #expect(portable(bytes) == expected, "length \(length), portable")
        }
        let large = (0..<(1 << 20)).map { _ in next() }
        #expect(ours(large) == reference(large))
        #expect(portable(large) == reference(large))
    }

    @Test("the SHA extensions are used when /proc/cpuinfo lists them")
    func dispatch() throws {
        let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let listed = cpuinfo.split(separator: "\n").contains { $0.hasPrefix("flags") && $0.split(separator: " ").contains("sha_ni") }
        #expect((tl_sha256_uses_cpu_extensions() != 0) == listed)
    }
}
