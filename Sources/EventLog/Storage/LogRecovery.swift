import Logging

/// Opens a log's files after a clean stop or a crash: checks the index against the segments, scans and
/// checks every batch the index does not cover yet, cuts off a torn final batch (keeping its bytes in
/// `quarantine/`), and refuses to open a log damaged anywhere else.
///
/// What it checks on the batches it scans: header and frame checksums, LZ4 content checksum, every
/// event line's digest, the hash chain, gap-free positions, and stream versions that grow by one.
/// Batches the index already covers were checked when they were indexed; `LogVerifier` re-checks all.
struct LogRecovery {
    let paths: LogPaths
    let workspace: String
    let options: EventLogOptions

    struct Opened {
        var start: GroupCommitWriter.Start
        var batches: [BatchLocation]
        var index: LogIndex
        var streamIndex: StreamIndex
        var lock: DirectoryLock
    }

    func open() throws(EventLogError) -> Opened {
        let logger = options.logger
        if !Directory.isDirectory(paths.directory) {
            guard options.createIfMissing else { throw .workspaceNotFound(workspace) }
            try Directory.create(paths.directory)
        }
        let lock = try DirectoryLock(directory: paths.directory)
        var segments = try SegmentName.list(in: paths.directory)
        let genesis = BatchHeader.genesisHash(workspace: workspace)
        let index = try openIndex()
        let stored = try index.load()
        var loaded = stored ?? LogIndex.Loaded()
        var usable = stored != nil && (loaded.batches.isEmpty == loaded.streamNames.isEmpty)
        if usable, !loaded.batches.isEmpty { usable = try indexMatches(loaded.batches, segments: segments) }
        if !usable {
            logger.warning("index does not match the segments; rebuilding it", metadata: ["log": "\(paths.directory)"])
            try index.reset()
            loaded = LogIndex.Loaded()
        }
        let streamIndex = StreamIndex()
        streamIndex.load(names: loaded.streamNames, batches: loaded.batchStreams)
        var versions = streamIndex.versions()
        if segments.isEmpty {
            let segment = try ActiveSegment.create(
                paths: paths, base: 1, preallocationBytes: options.preallocationBytes, segmentBytesMax: options.limits.segmentBytesMax)
            let head = LogHead(position: 0, batchHash: genesis, committedAt: nil)
            return Opened(
                start: .init(segment: segment, head: head, streamVersions: [:], eventIDs: EventIDTable()), batches: [], index: index,
                streamIndex: streamIndex, lock: lock)
        }

        var head = LogHead(position: 0, batchHash: genesis, committedAt: nil)
        var startSegment = segments[0]
        var startOffset: Int64 = 0
        if let last = loaded.batches.last {
            head = LogHead(position: last.lastPosition, batchHash: last.batchHash, committedAt: last.committedAt)
            startSegment = last.segment
            startOffset = last.offset + Int64(last.storedBytes)
        }

        var pending: [IndexEntry] = []
        var active: (base: UInt64, dataEnd: Int64)? = nil
        let decoder = BatchDecoder()
        var segmentIndex = segments.firstIndex(of: startSegment)!
        while segmentIndex < segments.count {
            let base = segments[segmentIndex]
            let isLast = segmentIndex == segments.count - 1
            let file = try FileHandle.open(paths.segment(base), writable: false)
            var cursor = try SegmentCursor(file: file, startingAt: base == startSegment ? startOffset : 0)
            let walked = try cursor.walk(inLastSegment: isLast, limits: options.limits) {
                (header, offset, frame) throws(EventLogError) -> BatchVisit in
                let entry = try check(
                    header, frame: frame, offset: offset, segment: base, head: head, versions: &versions, ids: &loaded.ids,
                    streamIndex: streamIndex, decoder: decoder)
                head = LogHead(position: header.lastPosition, batchHash: header.batchHash, committedAt: header.committedAt)
                pending.append(entry)
                return .next
            }
            let dataEnd: Int64
            switch walked {
            case .complete(let end):
                dataEnd = end
            case .stopped:
                // Not reached (the visitor never stops); the data read so far ends where the cursor is.
                dataEnd = cursor.offset
            case .tornTail(let torn):
                try cutTornTail(segment: base, at: torn.offset, position: head.position + 1, reason: torn.reason)
                dataEnd = torn.offset
            case .damaged(let damage):
                throw .corrupted(
                    position: damage.header?.firstPosition ?? head.position + 1, segment: SegmentName.fileName(base: base),
                    offset: damage.offset, reason: damage.reason)
            }
            if isLast { active = (base, dataEnd) }
            segmentIndex += 1
        }

        // An empty last segment that does not start where the log goes on is a leftover of a crash while
        // a segment was being created: remove it and keep appending to the one before.
        if var last = active, last.dataEnd == 0, last.base != head.position + 1, segments.count > 1 {
            logger.warning("removing an empty segment left by a crash", metadata: ["segment": "\(SegmentName.fileName(base: last.base))"])
            try Directory.remove(paths.segment(last.base))
            try Directory.sync(paths.directory)
            segments.removeLast()
            let previous = segments.last!
            last = (previous, try FileHandle.open(paths.segment(previous), writable: false).size())
            active = last
        }
        guard let active else { throw .index("no active segment") }
        let file = try FileHandle.open(paths.segment(active.base), writable: true)
        var segment = ActiveSegment(file: file, base: active.base, dataEnd: active.dataEnd, allocatedEnd: try file.size())
        if segment.allocatedEnd - segment.dataEnd > 0 && segment.allocatedEnd - segment.dataEnd < 8 {
            try file.truncate(to: segment.dataEnd)
            segment.allocatedEnd = segment.dataEnd
        }
        try segment.writeFiller()
        try file.syncData()

        for chunk in stride(from: 0, to: pending.count, by: 1_000) {
            try index.record(Array(pending[chunk..<min(chunk + 1_000, pending.count)]))
        }
        for entry in pending {
            loaded.batches.append(entry.location)
        }
        if !pending.isEmpty {
            logger.info("indexed batches found after the index", metadata: ["batches": "\(pending.count)", "head": "\(head.position)"])
        }
        return Opened(
            start: .init(segment: segment, head: head, streamVersions: versions, eventIDs: loaded.ids),
            batches: loaded.batches, index: index, streamIndex: streamIndex, lock: lock)
    }

    /// Checks one scanned batch against the chain so far; records it in `versions`, `ids` and
    /// `streamIndex`, and returns what the SQLite index needs of it.
    private func check(
        _ header: BatchHeader, frame: UnsafeRawBufferPointer, offset: Int64, segment: UInt64, head: LogHead,
        versions: inout [String: UInt64], ids: inout EventIDTable, streamIndex: StreamIndex, decoder: BatchDecoder
    ) throws(EventLogError) -> IndexEntry {
        func corrupt(_ reason: String) -> EventLogError {
            .corrupted(position: header.firstPosition, segment: SegmentName.fileName(base: segment), offset: offset, reason: reason)
        }
        guard header.firstPosition == head.position + 1 else {
            throw corrupt("batch starts at position \(header.firstPosition), expected \(head.position + 1)")
        }
        guard offset > 0 || header.firstPosition == segment else { throw corrupt("segment name does not match its first position") }
        guard header.previousHash == head.batchHash else { throw corrupt("previous-batch hash does not match the chain") }
        guard header.committedAt >= (head.committedAt ?? header.committedAt) else { throw corrupt("commit time goes backwards") }
        let expectedHash = BatchHeader.chainHash(
            previous: header.previousHash, firstPosition: header.firstPosition, eventCount: header.eventCount,
            committedAt: header.committedAt, contentDigest: header.contentDigest)
        guard expectedHash == header.batchHash else { throw corrupt("batch hash does not match its contents") }
        let batch: DecodedBatch
        switch decoder.decode(header, frame: frame, checkDigest: true) {
        case .success(let decoded): batch = decoded
        case .failure(let failure): throw corrupt(failure.reason)
        }
        var batchIDs: [EventID] = []
        var streams: [String] = []
        batchIDs.reserveCapacity(batch.events.count)
        streams.reserveCapacity(batch.events.count)
        for event in batch.events {
            let stream = event.stream
            let expected = (versions[stream] ?? 0) + 1
            guard event.streamVersion == expected else {
                throw corrupt("stream \(quoted(stream)) goes from version \(expected - 1) to \(event.streamVersion)")
            }
            versions[stream] = expected
            ids.insert(event.id, at: event.position)
            batchIDs.append(event.id)
            streams.append(stream)
        }
        let location = BatchLocation(
            firstPosition: header.firstPosition, eventCount: header.eventCount, segment: segment, offset: offset,
            storedBytes: Int32(header.storedBytes), committedAt: header.committedAt, batchHash: header.batchHash)
        let (numbers, newStreams) = streamIndex.record(firstPosition: header.firstPosition, streams: streams)
        return IndexEntry(location: location, ids: batchIDs, streamNumbers: numbers, newStreams: newStreams)
    }

    /// Whether the index describes these segments: its batches are contiguous, and its first and last
    /// batches are where it says, with the hashes it says. A batch the index holds was durable when it was
    /// indexed, so a *damaged* header there is corruption (never a torn write to cut), while a different
    /// intact batch, or a missing segment, means the index belongs to other files: rebuild it.
    private func indexMatches(_ batches: [BatchLocation], segments: [UInt64]) throws(EventLogError) -> Bool {
        var expected: UInt64 = 1
        for batch in batches {
            guard batch.firstPosition == expected else { return false }
            expected = batch.lastPosition + 1
        }
        for location in [batches.first!, batches.last!] {
            guard segments.contains(location.segment) else { return false }
            let file = try FileHandle.open(paths.segment(location.segment), writable: false)
            let bytes = try file.read(count: BatchHeader.encodedSize, at: location.offset)
            switch bytes.withUnsafeBytes({ BatchHeader.decode($0) }) {
            case .header(let header):
                guard header.firstPosition == location.firstPosition, header.batchHash == location.batchHash else { return false }
                // The scan starts after the last indexed batch, so check its frame here: an indexed batch
                // was durable, and damage to it must stop the open rather than be appended after.
                let frame = try file.read(count: Int(header.frameBytes), at: location.offset + Int64(BatchHeader.encodedSize))
                guard frame.count == Int(header.frameBytes), frame.withUnsafeBytes({ tl_crc32cCheck($0, header.frameCRC) }) else {
                    throw .corrupted(
                        position: location.firstPosition, segment: SegmentName.fileName(base: location.segment), offset: location.offset,
                        reason: "frame checksum mismatch in a batch the index recorded as durable")
                }
            case .filler:
                return false
            case .invalid(let reason):
                throw .corrupted(
                    position: location.firstPosition, segment: SegmentName.fileName(base: location.segment), offset: location.offset,
                    reason: reason)
            }
        }
        return true
    }

    /// Opens the index; an unreadable index file is deleted and created anew (it is derived).
    private func openIndex() throws(EventLogError) -> LogIndex {
        do {
            return try LogIndex(path: paths.index)
        } catch {
            options.logger.warning("index unreadable; recreating it", metadata: ["error": "\(error)"])
            for suffix in ["", "-wal", "-shm"] { try Directory.remove(paths.index + suffix) }
            return try LogIndex(path: paths.index)
        }
    }

    /// Moves the bytes of a torn final batch into `quarantine/`, zeroes them, and ends the segment's data at
    /// `offset`. Why keep them: an operator can inspect what was cut; nothing is destroyed silently.
    private func cutTornTail(segment base: UInt64, at offset: Int64, position: UInt64, reason: String) throws(EventLogError) {
        let path = paths.segment(base)
        let file = try FileHandle.open(path, writable: true)
        let size = try file.size()
        let tail = try file.read(count: Int(size - offset), at: offset)
        let used = (tail.lastIndex(where: { $0 != 0 }) ?? -1) + 1
        if used > 0 {
            try Directory.create(paths.quarantine)
            let saved = paths.quarantine + "/" + SegmentName.fileName(base: base) + ".at-\(offset).torn"
            let out = try FileHandle.open(saved, writable: true, create: true)
            try out.truncate(to: 0)
            try out.write(Array(tail[0..<used]), at: 0)
            try out.syncData()
            try Directory.sync(paths.quarantine)
            try file.write([UInt8](repeating: 0, count: used), at: offset)
        }
        try file.syncData()
        options.logger.warning(
            "cut off a torn final batch (an append that was never acknowledged)",
            metadata: [
                "segment": "\(SegmentName.fileName(base: base))", "offset": "\(offset)", "bytes": "\(used)",
                "reason": "\(reason)",
            ])
    }
}
