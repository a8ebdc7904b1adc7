import CSupport

/// Reads a segment file's batches in order, with large sequential reads.
///
/// It checks structure and the frame checksum only; decompression, line digests and the hash chain
/// are the caller's (`BatchDecoder`, `LogVerifier`).
struct SegmentCursor {
    /// One step through a segment.
    enum Item {
        /// A batch whose header and frame checksum are intact; `frame` is its LZ4 frame.
        case batch(BatchHeader, offset: Int64, frame: UnsafeRawBufferPointer)
        /// The unused, pre-allocated tail of the active segment: the segment's data ends at `offset`.
        case filler(offset: Int64)
        /// The end of the file, right after the last batch.
        case end(offset: Int64)
        /// Bytes at `offset` that are not a valid batch. `header` is set when the header was intact.
        case damaged(offset: Int64, reason: String, header: BatchHeader?)
    }

    let file: FileHandle
    let fileSize: Int64
    /// Whether `next` checks each frame's CRC. The verifier turns it off and checks them on its worker
    /// threads, off the thread that reads (which bounds its speed).
    var checksFrames = true
    private(set) var offset: Int64
    /// Read-ahead bytes, reused from read to read (a fresh megabyte per read costs page faults).
    private var buffer: [UInt8] = []
    /// How many bytes of `buffer` hold the file from `bufferStart`.
    private var bufferCount = 0
    private var bufferStart: Int64 = 0
    private static let readAheadBytes = 1 << 20

    init(file: FileHandle, startingAt offset: Int64 = 0) throws(EventLogError) {
        self.file = file
        self.fileSize = try file.size()
        self.offset = offset
    }

    /// Ensures `count` bytes from `at` are buffered (fewer only at the end of the file); returns how many are.
    private mutating func fill(_ at: Int64, _ count: Int) throws(EventLogError) -> Int {
        let available = Int(min(Int64(count), max(0, fileSize - at)))
        if at >= bufferStart, at + Int64(available) <= bufferStart + Int64(bufferCount) { return available }
        let want = Int(min(Int64(max(count, Self.readAheadBytes)), fileSize - at))
        if buffer.count < want { buffer = [UInt8](repeating: 0, count: max(want, Self.readAheadBytes)) }
        bufferCount = 0
        let file = file
        let read: Result<Int, EventLogError> = buffer.withUnsafeMutableBytes { raw in
            do throws(EventLogError) {
                return .success(try file.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<want]), at: at))
            } catch {
                return .failure(error)
            }
        }
        let got = try read.get()
        bufferCount = got
        bufferStart = at
        return min(available, got)
    }

    /// The next item; `body` sees it while the buffer is valid. Advances past batches only.
    mutating func next<R>(_ body: (Item) throws(EventLogError) -> R) throws(EventLogError) -> R {
        let at = offset
        if at == fileSize { return try body(.end(offset: at)) }
        let have = try fill(at, BatchHeader.encodedSize)
        guard have >= 8 else { return try body(.damaged(offset: at, reason: "\(have) stray bytes at the end of the segment", header: nil)) }
        let start = Int(at - bufferStart)
        let decoded = buffer.withUnsafeBytes { BatchHeader.decode(UnsafeRawBufferPointer(rebasing: $0[start..<(start + have)])) }
        switch decoded {
        case .filler(let covered):
            guard at + 8 + Int64(covered) == fileSize else {
                return try body(.damaged(offset: at, reason: "filler frame covers \(covered) bytes, but \(fileSize - at - 8) remain", header: nil))
            }
            return try body(.filler(offset: at))
        case .invalid(let reason):
            return try body(.damaged(offset: at, reason: reason, header: nil))
        case .header(let header):
            let total = header.storedBytes
            guard at + Int64(total) <= fileSize else {
                return try body(.damaged(offset: at, reason: "batch of \(total) bytes runs past the end of the file", header: header))
            }
            _ = try fill(at, total)
            let frameStart = Int(at - bufferStart) + BatchHeader.encodedSize
            let crcOK =
                !checksFrames
                || buffer.withUnsafeBytes { raw in
                    tl_crc32cCheck(UnsafeRawBufferPointer(rebasing: raw[frameStart..<(frameStart + Int(header.frameBytes))]), header.frameCRC)
                }
            guard crcOK else { return try body(.damaged(offset: at, reason: "frame checksum mismatch", header: header)) }
            offset = at + Int64(total)
            return try buffer.withBytes { (raw) throws(EventLogError) in
                try body(.batch(header, offset: at, frame: UnsafeRawBufferPointer(rebasing: raw[frameStart..<(frameStart + Int(header.frameBytes))])))
            }
        }
    }

    /// Whether a complete batch write ends at `end`: the file ends there, or a filler frame that reaches the
    /// end of the file starts there. Tells a torn write (incomplete) from damage to a completed one.
    func writeCompletes(at end: Int64) throws(EventLogError) -> Bool {
        if end == fileSize { return true }
        guard end + 8 <= fileSize else { return false }
        let bytes = try file.read(count: 8, at: end)
        guard bytes.count == 8 else { return false }
        if case .filler(let covered) = bytes.withUnsafeBytes({ BatchHeader.decode($0) }) {
            return end + 8 + Int64(covered) == fileSize
        }
        return false
    }

    /// Whether damage at `offset` is a torn final batch (an unfinished, never-acknowledged write that
    /// recovery may cut off) rather than corruption. It is torn only in the last segment, when the write
    /// did not complete (see `writeCompletes`) and no intact batch follows it. A header that fails its
    /// checksum is read unchecked: if its frame is whole and intact and the write completed behind it, the
    /// header was damaged after the fact.
    func isTornTail(at offset: Int64, header: BatchHeader?, inLastSegment: Bool, writeBytesMax: Int) throws(EventLogError) -> Bool {
        guard inLastSegment else { return false }
        // One unfinished write is at most one batch and the filler header behind it: more damaged bytes than
        // that cannot be a torn write.
        guard try damagedExtent(from: offset) <= writeBytesMax else { return false }
        if let header, try writeCompletes(at: offset + Int64(header.storedBytes)) { return false }
        if header == nil {
            let bytes = try file.read(count: BatchHeader.encodedSize, at: offset)
            if let unchecked = bytes.withUnsafeBytes({ BatchHeader.decodeUnchecked($0) }),
                offset + Int64(unchecked.storedBytes) <= fileSize,
                try writeCompletes(at: offset + Int64(unchecked.storedBytes))
            {
                let frame = try file.read(count: Int(unchecked.frameBytes), at: offset + Int64(BatchHeader.encodedSize))
                if frame.withUnsafeBytes({ tl_crc32cCheck($0, unchecked.frameCRC) }) { return false }
            }
        }
        return try !intactBatchFollows(after: offset)
    }

    /// How many bytes from `offset` to the last non-zero byte of the file.
    func damagedExtent(from offset: Int64) throws(EventLogError) -> Int {
        var end = fileSize
        let chunk: Int64 = 1 << 20
        while end > offset {
            let start = max(offset, end - chunk)
            let bytes = try file.read(count: Int(end - start), at: start)
            if let last = bytes.lastIndex(where: { $0 != 0 }) { return Int(start - offset) + last + 1 }
            end = start
        }
        return 0
    }

    /// The most bytes one batch write can leave behind a torn point, under `limits`.
    static func writeBytesMax(_ limits: EventLogLimits) -> Int {
        BatchHeader.encodedSize + limits.batchBytesMax + limits.batchBytesMax / 255 + 64 + 8
    }

    /// Whether an intact batch header appears anywhere in the file after `offset`: damage followed by valid
    /// data is corruption in the middle of the log, never a torn tail.
    func intactBatchFollows(after offset: Int64) throws(EventLogError) -> Bool {
        var position = offset + 1
        let chunk = 4 << 20
        while position < fileSize {
            let bytes = try file.read(count: chunk + BatchHeader.encodedSize, at: position)
            let found = bytes.withUnsafeBytes { raw -> Bool in
                var index = 0
                while index + BatchHeader.encodedSize <= raw.count {
                    if raw[index] == 0x5A, raw[index + 1] == 0x2A, raw[index + 2] == 0x4D, raw[index + 3] == 0x18,
                        case .header = BatchHeader.decode(UnsafeRawBufferPointer(rebasing: raw[index..<(index + BatchHeader.encodedSize)]))
                    {
                        return true
                    }
                    index += 1
                }
                return false
            }
            if found { return true }
            position += Int64(chunk)
        }
        return false
    }
}

@inline(__always)
func tl_crc32cCheck(_ bytes: UnsafeRawBufferPointer, _ expected: UInt32) -> Bool {
    tl_crc32c(0, bytes.baseAddress, bytes.count) == expected
}
