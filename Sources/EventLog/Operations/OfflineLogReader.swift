/// Reads a workspace's events straight from its segment files, without the log's lock, so it runs
/// beside a live server (export, backup) or on a copy. It reads the batches complete at the moment it
/// passes them: a write in progress at the end of the last segment is not read yet.
///
/// ```swift
/// try OfflineLogReader(dataDirectory: data, workspace: "acme").forEachEvent { event in
///     print(event.json)
///     return true   // false stops
/// }
/// ```
public struct OfflineLogReader: Sendable {
    public let workspace: String
    let paths: LogPaths

    public init(dataDirectory: String, workspace: String) throws(EventLogError) {
        try EventLog.validateWorkspaceName(workspace)
        self.workspace = workspace
        paths = LogPaths(dataDirectory: dataDirectory, workspace: workspace)
    }

    public init(logDirectory: String, workspace: String) throws(EventLogError) {
        try EventLog.validateWorkspaceName(workspace)
        self.workspace = workspace
        paths = LogPaths(directory: logDirectory)
    }

    /// Calls `body` with every event from `position` on, in order, until it returns false. Damage before
    /// the end of the log throws `.corrupted`; an unfinished write at the very end is not read.
    public func forEachEvent(from position: UInt64 = 1, _ body: (RecordedEvent) throws(EventLogError) -> Bool) throws(EventLogError) {
        try forEachBatch(from: position) { (batch) throws(EventLogError) -> Bool in
            for event in batch.events where event.position >= position {
                guard try body(event) else { return false }
            }
            return true
        }
    }

    /// Every batch holding a position ≥ `position`, decoded (line digests checked).
    func forEachBatch(from position: UInt64 = 1, _ body: (DecodedBatch) throws(EventLogError) -> Bool) throws(EventLogError) {
        guard Directory.isDirectory(paths.directory) else { throw .workspaceNotFound(workspace) }
        let segments = try SegmentName.list(in: paths.directory)
        let decoder = BatchDecoder()
        for (number, base) in segments.enumerated() {
            if number + 1 < segments.count, segments[number + 1] <= position { continue }
            let file = try FileHandle.open(paths.segment(base), writable: false)
            var cursor = try SegmentCursor(file: file)
            let walked = try cursor.walk(
                inLastSegment: number == segments.count - 1
            ) { (header, offset, frame) throws(EventLogError) -> BatchVisit in
                guard header.lastPosition >= position else { return .next }
                switch decoder.decode(header, frame: frame, checkDigest: true) {
                case .success(let batch): return try body(batch) ? .next : .stop
                case .failure(let failure):
                    throw .corrupted(
                        position: header.firstPosition, segment: SegmentName.fileName(base: base), offset: offset, reason: failure.reason)
                }
            }
            switch walked {
            case .complete: continue
            case .stopped, .tornTail: return
            case .damaged(let damage):
                throw .corrupted(
                    position: damage.header?.firstPosition ?? 0, segment: SegmentName.fileName(base: base), offset: damage.offset,
                    reason: damage.reason)
            }
        }
    }
}
