import CSupport
import Crypto

/// The metadata of one batch, stored in an LZ4 *skippable frame* right before the batch's LZ4 frame,
/// so that `lz4 -dc` passes over it and prints only the events. Byte layout: docs/log-format.md.
struct BatchHeader: Equatable, Sendable {
    /// Magic of the skippable frame that holds a batch header (LZ4 reserves 0x184D2A50-5F for these).
    static let frameMagic: UInt32 = 0x184D_2A5A
    /// Magic of the skippable frame that covers a segment's pre-allocated, unused tail.
    static let fillerMagic: UInt32 = 0x184D_2A5F
    /// The first four bytes of the header payload: "TLB1".
    static let payloadMagic: UInt32 = 0x3142_4C54
    static let layoutVersion: UInt16 = 1
    static let payloadSize = 140
    /// Skippable-frame magic and size, then the payload.
    static let encodedSize = 8 + payloadSize

    var firstPosition: UInt64
    var eventCount: UInt32
    /// Bytes of the JSON lines before compression.
    var rawBytes: UInt32
    /// Bytes of the LZ4 frame that follows the header.
    var frameBytes: UInt32
    /// CRC-32C of the LZ4 frame's bytes.
    var frameCRC: UInt32
    /// When the batch was committed; never earlier than the previous batch's time.
    var committedAt: Timestamp
    var previousHash: Digest32
    /// SHA-256 over the SHA-256 of each event line (without its newline), in order.
    var contentDigest: Digest32
    /// SHA-256 chaining this batch to the previous one; see `chainHash`.
    var batchHash: Digest32

    var lastPosition: UInt64 { firstPosition + UInt64(eventCount) - 1 }
    var storedBytes: Int { Self.encodedSize + Int(frameBytes) }

    /// The hash that links a batch to its predecessor:
    /// `SHA-256(previousHash ‖ firstPosition (u64 BE) ‖ eventCount (u32 BE) ‖ committedAt µs (i64 BE) ‖ contentDigest)`.
    /// It covers what the batch *says*, not how it is compressed, so a segment can be recompressed (or a
    /// payload redacted, keeping its line digest) without breaking the chain.
    static func chainHash(
        previous: Digest32, firstPosition: UInt64, eventCount: UInt32, committedAt: Timestamp, contentDigest: Digest32
    ) -> Digest32 {
        // On the stack: this runs once per batch on the write, read and verify paths.
        withUnsafeTemporaryAllocation(byteCount: 84, alignment: 8) { input in
            previous.withUnsafeBytes { input.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: 32) }
            input.storeBytes(of: firstPosition.bigEndian, toByteOffset: 32, as: UInt64.self)
            input.storeBytes(of: eventCount.bigEndian, toByteOffset: 40, as: UInt32.self)
            input.storeBytes(of: committedAt.unixMicros.bigEndian, toByteOffset: 44, as: Int64.self)
            contentDigest.withUnsafeBytes { (input.baseAddress! + 52).copyMemory(from: $0.baseAddress!, byteCount: 32) }
            return Digest32.sha256(UnsafeRawBufferPointer(input))
        }
    }

    /// The `previousHash` of a workspace's first batch: SHA-256 of `taskledger genesis <workspace>`.
    static func genesisHash(workspace: String) -> Digest32 {
        Array("taskledger genesis \(workspace)".utf8).withUnsafeBytes { Digest32.sha256($0) }
    }

    /// Appends the skippable frame (magic, size, payload) to `out`.
    func encode(into out: inout [UInt8]) {
        let start = out.count
        appendLE(Self.frameMagic, &out)
        appendLE(UInt32(Self.payloadSize), &out)
        appendLE(Self.payloadMagic, &out)
        appendLE(Self.layoutVersion, &out)
        appendLE(UInt16(0), &out)
        appendLE(firstPosition, &out)
        appendLE(eventCount, &out)
        appendLE(rawBytes, &out)
        appendLE(frameBytes, &out)
        appendLE(frameCRC, &out)
        appendLE(UInt64(bitPattern: committedAt.unixMicros), &out)
        previousHash.append(to: &out)
        contentDigest.append(to: &out)
        batchHash.append(to: &out)
        let crc = out.withUnsafeBytes { tl_crc32c(0, $0.baseAddress! + start + 8, Self.payloadSize - 4) }
        appendLE(crc, &out)
        assert(out.count - start == Self.encodedSize)
    }

    /// What a byte range that should start a batch turned out to hold.
    enum Decoded {
        case header(BatchHeader)
        /// A filler frame: the segment's unused, pre-allocated tail of `coveredBytes` (after its 8-byte header).
        case filler(coveredBytes: UInt32)
        /// Bytes that are neither: `reason` says how they failed.
        case invalid(reason: String)
    }

    /// Decodes the start of `bytes` (at least 8 bytes; `encodedSize` for a header).
    static func decode(_ bytes: UnsafeRawBufferPointer) -> Decoded {
        guard bytes.count >= 8 else { return .invalid(reason: "fewer than 8 bytes") }
        let magic = loadLE(UInt32.self, bytes, 0)
        let size = loadLE(UInt32.self, bytes, 4)
        if magic == fillerMagic { return .filler(coveredBytes: size) }
        guard magic == frameMagic else { return .invalid(reason: "no batch header (magic \(hex32(magic)))") }
        guard size == UInt32(payloadSize) else { return .invalid(reason: "batch header of \(size) bytes, expected \(payloadSize)") }
        guard bytes.count >= encodedSize else { return .invalid(reason: "batch header cut short") }
        let payload = UnsafeRawBufferPointer(rebasing: bytes[8..<encodedSize])
        let storedCRC = loadLE(UInt32.self, payload, payloadSize - 4)
        guard tl_crc32c(0, payload.baseAddress!, payloadSize - 4) == storedCRC else {
            return .invalid(reason: "batch header checksum mismatch")
        }
        guard loadLE(UInt32.self, payload, 0) == payloadMagic else { return .invalid(reason: "batch header magic mismatch") }
        let version = loadLE(UInt16.self, payload, 4)
        guard version == layoutVersion else { return .invalid(reason: "batch header layout \(version) is not supported") }
        let header = fields(payload)
        guard header.eventCount > 0, header.firstPosition > 0 else { return .invalid(reason: "batch header has no events") }
        return .header(header)
    }

    /// The header's fields without checking its checksum: recovery uses them to tell a damaged header of a
    /// complete write from a torn one (see `SegmentCursor.isTornTail`). Nil unless the frame magic and size fit.
    static func decodeUnchecked(_ bytes: UnsafeRawBufferPointer) -> BatchHeader? {
        guard bytes.count >= encodedSize, loadLE(UInt32.self, bytes, 0) == frameMagic,
            loadLE(UInt32.self, bytes, 4) == UInt32(payloadSize)
        else { return nil }
        return fields(UnsafeRawBufferPointer(rebasing: bytes[8..<encodedSize]))
    }

    private static func fields(_ payload: UnsafeRawBufferPointer) -> BatchHeader {
        BatchHeader(
            firstPosition: loadLE(UInt64.self, payload, 8),
            eventCount: loadLE(UInt32.self, payload, 16),
            rawBytes: loadLE(UInt32.self, payload, 20),
            frameBytes: loadLE(UInt32.self, payload, 24),
            frameCRC: loadLE(UInt32.self, payload, 28),
            committedAt: Timestamp(unixMicros: Int64(bitPattern: loadLE(UInt64.self, payload, 32))),
            previousHash: Digest32(bytes: UnsafeRawBufferPointer(rebasing: payload[40..<72])),
            contentDigest: Digest32(bytes: UnsafeRawBufferPointer(rebasing: payload[72..<104])),
            batchHash: Digest32(bytes: UnsafeRawBufferPointer(rebasing: payload[104..<136]))
        )
    }

    /// The 8-byte header of a filler frame covering `coveredBytes` bytes after it.
    static func fillerFrame(coveredBytes: UInt32) -> [UInt8] {
        var out: [UInt8] = []
        appendLE(fillerMagic, &out)
        appendLE(coveredBytes, &out)
        return out
    }
}

@inline(__always)
func appendLE<T: FixedWidthInteger>(_ value: T, _ out: inout [UInt8]) {
    withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
}

@inline(__always)
func loadLE<T: FixedWidthInteger>(_: T.Type, _ bytes: UnsafeRawBufferPointer, _ offset: Int) -> T {
    T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
}

func hex32(_ value: UInt32) -> String {
    let text = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - text.count)) + text
}
