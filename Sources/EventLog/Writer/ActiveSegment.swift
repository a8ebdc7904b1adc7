/// The segment the writer appends to: its data ends at `dataEnd`; the file may run on to `allocatedEnd`
/// with zeros covered by a filler frame (an LZ4 skippable frame), so `lz4 -dc` still reads it.
struct ActiveSegment {
    let file: FileHandle
    let base: UInt64
    /// Where the next batch goes.
    var dataEnd: Int64
    /// The file's size.
    var allocatedEnd: Int64

    /// Creates `segment-<base>.lz4`, pre-allocates it, and makes its directory entry durable.
    static func create(paths: LogPaths, base: UInt64, preallocationBytes: Int, segmentBytesMax: Int) throws(EventLogError) -> ActiveSegment {
        let path = paths.segment(base)
        let file = try FileHandle.open(path, writable: true, create: true)
        try file.truncate(to: 0)
        var segment = ActiveSegment(file: file, base: base, dataEnd: 0, allocatedEnd: 0)
        try segment.extend(toAtLeast: Int64(min(preallocationBytes, segmentBytesMax)), preallocationBytes: 0, segmentBytesMax: segmentBytesMax)
        if segment.allocatedEnd > 0 { try segment.writeFiller() }
        try file.syncData()
        try Directory.sync(paths.directory)
        return segment
    }

    /// Whether `bytes` more (plus room for a filler frame) fit under the segment size limit.
    func fits(_ bytes: Int, segmentBytesMax: Int) -> Bool {
        dataEnd + Int64(bytes) + 8 <= Int64(segmentBytesMax)
    }

    /// Grows the file with zeros so that `end` bytes (and a filler frame after them) exist, in steps of
    /// `preallocationBytes`. The caller writes the filler header and syncs.
    mutating func extend(toAtLeast end: Int64, preallocationBytes: Int, segmentBytesMax: Int) throws(EventLogError) {
        let slack = allocatedEnd - end
        // Enough room already, or exactly full (no filler needed).
        guard slack < 0 || (slack > 0 && slack < 8) else { return }
        let target = min(Int64(segmentBytesMax), max(end + 8, allocatedEnd + Int64(preallocationBytes)))
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        var at = allocatedEnd
        while at < target {
            let count = Int(min(Int64(zeros.count), target - at))
            try zeros.withBytes { (raw) throws(EventLogError) in try file.write(UnsafeRawBufferPointer(rebasing: raw[0..<count]), at: at) }
            at += Int64(count)
        }
        allocatedEnd = target
    }

    /// Writes the filler header at `dataEnd` covering the rest of the file (if at least 8 bytes remain).
    func writeFiller() throws(EventLogError) {
        let remaining = allocatedEnd - dataEnd
        guard remaining >= 8 else { return }
        try file.write(BatchHeader.fillerFrame(coveredBytes: UInt32(remaining - 8)), at: dataEnd)
    }

    /// Writes a batch (and, behind it, the filler header of the space left) in one `pwrite`.
    mutating func write(batch: inout [UInt8], preallocationBytes: Int, segmentBytesMax: Int) throws(EventLogError) {
        let end = dataEnd + Int64(batch.count)
        if preallocationBytes > 0 {
            try extend(toAtLeast: end, preallocationBytes: preallocationBytes, segmentBytesMax: segmentBytesMax)
        }
        let batchBytes = batch.count
        let remaining = allocatedEnd - end
        if remaining >= 8 {
            batch.append(contentsOf: BatchHeader.fillerFrame(coveredBytes: UInt32(remaining - 8)))
        }
        defer { batch.removeLast(batch.count - batchBytes) }
        try file.write(batch, at: dataEnd)
        if remaining > 0 && remaining < 8 {
            // Too little space left for a filler frame (8 bytes), which is what makes the rest of the file
            // readable to `lz4` and recovery: cut it off instead. (Only without pre-allocation, e.g. after
            // recovery zeroed a torn batch longer than this one.) The new size is flushed with the batch.
            try file.truncate(to: end)
            allocatedEnd = end
        }
        dataEnd = end
        allocatedEnd = max(allocatedEnd, end)
    }

    /// Cuts the file to its data and syncs it: a sealed segment has no filler.
    func seal() throws(EventLogError) {
        try file.truncate(to: dataEnd)
        try file.syncData()
    }
}
