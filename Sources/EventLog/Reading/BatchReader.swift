import Synchronization

/// Reads batches for the log's readers: finds the bytes through the batch table, checks the frame
/// checksum, decodes, and keeps recently decoded batches in a cache bounded by bytes.
final class BatchReader: Sendable {
    private let paths: LogPaths
    private let cacheBytesMax: Int
    private let handlesMax: Int
    private let handles = Mutex<[UInt64: (handle: FileHandle, lastUse: UInt64)]>([:])
    private let cache = Mutex<BatchCache>(BatchCache())
    private let decoders = Mutex<[BatchDecoder]>([])
    private let clock = Atomic<UInt64>(0)

    init(paths: LogPaths, cacheBytesMax: Int, handlesMax: Int) {
        self.paths = paths
        self.cacheBytesMax = cacheBytesMax
        self.handlesMax = max(1, handlesMax)
    }

    /// The decoded batches' cache: approximate bytes held, and its limit.
    var cacheBytes: (used: Int, limit: Int) { (cache.withLock { $0.bytes }, cacheBytesMax) }

    /// The decoded batch at `location`. `cached` keeps it for later reads: right for random access (stream
    /// reads), wrong for a sequential scan, which would only push everything else out.
    func batch(at location: BatchLocation, cached useCache: Bool) throws(EventLogError) -> DecodedBatch {
        if useCache, let cached = cache.withLock({ $0.get(location.firstPosition) }) { return cached }
        func corrupt(_ reason: String) -> EventLogError {
            .corrupted(
                position: location.firstPosition, segment: SegmentName.fileName(base: location.segment), offset: location.offset, reason: reason)
        }
        let file = try handle(for: location.segment)
        let bytes = try file.read(count: Int(location.storedBytes), at: location.offset)
        guard bytes.count == Int(location.storedBytes) else { throw corrupt("segment ends inside the batch") }
        let decoded: Result<DecodedBatch, BatchDecoder.Failure> = bytes.withUnsafeBytes { raw in
            guard case .header(let header) = BatchHeader.decode(raw) else {
                return .failure(.init(reason: "batch header is damaged"))
            }
            guard header.firstPosition == location.firstPosition, header.storedBytes == raw.count else {
                return .failure(.init(reason: "batch header does not match the index"))
            }
            let frame = UnsafeRawBufferPointer(rebasing: raw[BatchHeader.encodedSize...])
            guard tl_crc32cCheck(frame, header.frameCRC) else { return .failure(.init(reason: "frame checksum mismatch")) }
            let decoder = decoders.withLock { $0.popLast() } ?? BatchDecoder()
            defer { decoders.withLock { if $0.count < 4 { $0.append(decoder) } } }
            return decoder.decode(header, frame: frame, checkDigest: false)
        }
        switch decoded {
        case .success(let batch):
            if useCache { cache.withLock { $0.put(batch, bytesMax: cacheBytesMax) } }
            return batch
        case .failure(let failure):
            throw corrupt(failure.reason)
        }
    }

    /// An open read-only handle for a segment; closes the least recently used beyond `handlesMax`.
    private func handle(for segment: UInt64) throws(EventLogError) -> FileHandle {
        let now = clock.add(1, ordering: .relaxed).newValue
        if let found = handles.withLock({ table -> FileHandle? in
            guard let entry = table[segment] else { return nil }
            table[segment] = (entry.handle, now)
            return entry.handle
        }) {
            return found
        }
        let opened = try FileHandle.open(paths.segment(segment), writable: false)
        handles.withLock { table in
            table[segment] = (opened, now)
            while table.count > handlesMax, let oldest = table.min(by: { $0.value.lastUse < $1.value.lastUse })?.key {
                table[oldest] = nil
            }
        }
        return opened
    }

    /// Drops cached handles and batches (when the log closes).
    func close() {
        handles.withLock { $0 = [:] }
        cache.withLock { $0 = BatchCache() }
    }
}

/// Decoded batches by first position, least recently used evicted first, bounded by their decompressed
/// bytes (plus 64 per event for the decoded records).
struct BatchCache {
    private var cache = LRUCache<UInt64, DecodedBatch>()

    mutating func get(_ first: UInt64) -> DecodedBatch? { cache.get(first) }

    var bytes: Int { cache.bytes }

    mutating func put(_ batch: DecodedBatch, bytesMax: Int) {
        cache.put(batch, for: batch.header.firstPosition, size: batch.raw.bytes.count + 64 * batch.events.count, bytesMax: bytesMax)
    }
}
