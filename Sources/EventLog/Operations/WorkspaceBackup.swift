import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Copies a workspace into a backup directory while the server keeps writing: consistent (whole
/// batches only, up to a chain head), incremental (sealed segments are copied once; the active one
/// from where the last run stopped), verified after copying, and described by a manifest.
///
/// Backup layout: `manifest.json`, `log/segment-*.lz4` (a valid log: `taskledger verify --backup`
/// reads it), `documents/` (document blobs), `checkpoints.ndjson` (signed checkpoints).
/// Projections are not copied: they are derived, and a restore rebuilds them.
///
/// ```swift
/// let report = try WorkspaceBackup(dataDirectory: data, workspace: "acme").run(to: "/backups/acme")
/// ```
public struct WorkspaceBackup: Sendable {
    public let workspace: String
    let dataDirectory: String
    let paths: LogPaths

    public init(dataDirectory: String, workspace: String) throws(EventLogError) {
        try EventLog.validateWorkspaceName(workspace)
        self.workspace = workspace
        self.dataDirectory = dataDirectory
        paths = LogPaths(dataDirectory: dataDirectory, workspace: workspace)
    }

    /// What a run did.
    public struct Report: Sendable {
        public var headPosition: UInt64
        public var headHash: String
        public var events: UInt64
        public var bytesCopied: Int64
        public var segmentsCopied: Int
        /// Segments copied again in full because they were rewritten (redacted) since the last run.
        public var segmentsRecopied: Int
        public var documentsCopied: Int
        /// Events checked by the verification after copying (only the new ones when it could go on
        /// from the last run's).
        public var eventsVerified: UInt64
        public var seconds: Double
    }

    /// Runs one (incremental) backup into `backupDirectory`, creating it when needed.
    public func run(to backupDirectory: String) throws(EventLogError) -> Report {
        let started = Timestamp.now()
        guard Directory.isDirectory(paths.directory) else { throw .workspaceNotFound(workspace) }
        let logDirectory = backupDirectory + "/log"
        try Directory.create(logDirectory)
        var manifest =
            try BackupManifest.load(backupDirectory: backupDirectory)
            ?? BackupManifest(
                format: 1, workspace: workspace, createdAt: started.description, updatedAt: started.description, headPosition: 0,
                headHash: BatchHeader.genesisHash(workspace: workspace).description, events: 0, segments: [], documents: 0, verification: nil,
                runs: [])
        guard manifest.workspace == workspace else {
            throw .invalidInput(reason: "\(backupDirectory) holds a backup of workspace \(quoted(manifest.workspace)), not \(quoted(workspace))")
        }
        var report = Report(
            headPosition: manifest.headPosition, headHash: manifest.headHash, events: manifest.events, bytesCopied: 0, segmentsCopied: 0,
            segmentsRecopied: 0, documentsCopied: 0, eventsVerified: 0, seconds: 0)
        var known = Dictionary(manifest.segments.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        let sources = try SegmentName.list(in: paths.directory)
        var recopied = false
        for (number, base) in sources.enumerated() {
            let name = SegmentName.fileName(base: base)
            let source = try FileHandle.open(paths.segment(base), writable: false)
            var start: Int64 = 0
            if let prior = known[name] {
                if try Self.stillHolds(prior, in: source) {
                    start = prior.bytes
                } else {
                    try Directory.remove(logDirectory + "/" + name)
                    known[name] = nil
                    report.segmentsRecopied += 1
                    recopied = true
                }
            }
            guard let extent = try Self.dataExtent(of: source, from: start, isLast: number == sources.count - 1, name: name) else { continue }
            try DurableFile.append(from: source, offset: start, count: extent.end - start, to: logDirectory + "/" + name)
            report.bytesCopied += extent.end - start
            report.segmentsCopied += 1
            known[name] = BackupManifest.Segment(
                name: name, bytes: extent.end, lastBatchOffset: extent.lastBatch.offset, lastBatchHash: extent.lastBatch.header.batchHash.description,
                lastFrameCRC: extent.lastBatch.header.frameCRC)
        }
        // Verify what was copied: from where the last verification stopped, or (after a segment was
        // copied again) from genesis.
        if report.segmentsCopied > 0 {
            let verifier = try LogVerifier(logDirectory: logDirectory, workspace: workspace)
            let previous = recopied ? nil : manifest.verification
            let verified = try verifier.verify(resuming: previous)
            if let problem = verified.problem {
                throw .corrupted(
                    position: problem.position, segment: problem.segment, offset: problem.offset,
                    reason: "the backup copy does not verify: \(problem.reason)")
            }
            report.eventsVerified = verified.events - (previous?.events ?? 0)
            manifest.verification = verified.resumeState(workspace: workspace)
            report.headPosition = verified.head.position
            report.headHash = verified.head.batchHash.description
            report.events = verified.events
        }
        report.documentsCopied = try copyDocuments(to: backupDirectory + "/documents")
        try copyCheckpoints(to: backupDirectory + "/checkpoints.ndjson")
        manifest.segments = known.values.sorted { $0.name < $1.name }
        manifest.headPosition = report.headPosition
        manifest.headHash = report.headHash
        manifest.events = report.events
        manifest.documents += report.documentsCopied
        let finished = Timestamp.now()
        manifest.updatedAt = finished.description
        report.seconds = Double(finished.unixMicros - started.unixMicros) / 1e6
        manifest.runs.append(
            .init(
                at: finished.description, headPosition: report.headPosition, bytesCopied: report.bytesCopied, segmentsCopied: report.segmentsCopied,
                documentsCopied: report.documentsCopied, milliseconds: Int(report.seconds * 1000)))
        if manifest.runs.count > 50 { manifest.runs.removeFirst(manifest.runs.count - 50) }
        try manifest.save(backupDirectory: backupDirectory)
        return report
    }

    /// Whether the batch a manifest says was copied last is still at its offset, unchanged.
    static func stillHolds(_ prior: BackupManifest.Segment, in source: FileHandle) throws(EventLogError) -> Bool {
        guard try source.size() >= prior.bytes else { return false }
        let bytes = try source.read(count: BatchHeader.encodedSize, at: prior.lastBatchOffset)
        guard case .header(let header) = bytes.withUnsafeBytes({ BatchHeader.decode($0) }) else { return false }
        return header.batchHash.description == prior.lastBatchHash && header.frameCRC == prior.lastFrameCRC
            && prior.lastBatchOffset + Int64(header.storedBytes) == prior.bytes
    }

    /// Where the complete batches from `start` end, and the last of them; nil when there is none. An
    /// unfinished write at the end of the last segment (the server is writing it) ends the walk there.
    static func dataExtent(
        of source: FileHandle, from start: Int64, isLast: Bool, name: String
    ) throws(EventLogError) -> (end: Int64, lastBatch: (offset: Int64, header: BatchHeader))? {
        var cursor = try SegmentCursor(file: source, startingAt: start)
        var last: (offset: Int64, header: BatchHeader)?
        let walked = try cursor.walk(inLastSegment: isLast) {
            (header, offset, _) throws(EventLogError) -> BatchVisit in
            last = (offset, header)
            return .next
        }
        if case .damaged(let damage) = walked {
            throw .corrupted(position: damage.header?.firstPosition ?? 0, segment: name, offset: damage.offset, reason: damage.reason)
        }
        guard let last else { return nil }
        return (last.offset + Int64(last.header.storedBytes), last)
    }

    /// Copies the document blobs the backup lacks, checking each against its name; returns how many.
    private func copyDocuments(to destination: String) throws(EventLogError) -> Int {
        let source = dataDirectory + "/workspaces/" + workspace + "/documents"
        guard Directory.isDirectory(source) else { return 0 }
        // New blobs are written as `NAME.tmp`, made durable by one syncfs, and only then renamed to their
        // names (a second syncfs makes the renames durable): a blob under its name is always whole, so the
        // next run can skip it, and a crash in between leaves only `.tmp` files that are written again.
        var staged: [String] = []
        for folder in try Directory.list(source).sorted() where Directory.isDirectory(source + "/" + folder) {
            for name in try Directory.list(source + "/" + folder) where DocumentBlobs.isBlobName(name) {
                let target = destination + "/" + folder + "/" + name
                guard !Directory.exists(target) else { continue }
                let file = try FileHandle.open(source + "/" + folder + "/" + name, writable: false)
                let bytes = try file.read(count: Int(try file.size()), at: 0)
                guard bytes.withUnsafeBytes({ Digest32.sha256($0) }).description == name else {
                    throw .invalidInput(reason: "document blob \(folder)/\(name) does not hash to its name: it is damaged")
                }
                try Directory.create(destination + "/" + folder)
                try DurableFile.writeUnsynced(target + ".tmp", bytes)
                staged.append(target)
            }
        }
        guard !staged.isEmpty else { return 0 }
        try DurableFile.syncFileSystem(destination)
        for target in staged { try Directory.rename(target + ".tmp", to: target) }
        try DurableFile.syncFileSystem(destination)
        return staged.count
    }

    /// Copies the signed checkpoints file when it grew.
    private func copyCheckpoints(to destination: String) throws(EventLogError) {
        let source = dataDirectory + "/workspaces/" + workspace + "/checkpoints.ndjson"
        guard Directory.exists(source) else { return }
        let file = try FileHandle.open(source, writable: false)
        let size = try file.size()
        if Directory.exists(destination), try FileHandle.open(destination, writable: false).size() == size { return }
        try DurableFile.replace(destination, with: try file.read(count: Int(size), at: 0))
    }
}

/// Restores a backup into a data directory that does not hold the workspace: verifies the backup's
/// whole chain first (a backup that does not verify is refused), copies it into a staging directory,
/// syncs, and renames it into place, so a restore interrupted half-way leaves no workspace at all.
/// The log index is rebuilt on first open; projections are rebuilt by the caller.
public struct WorkspaceRestore: Sendable {
    public let backupDirectory: String

    public init(backupDirectory: String) { self.backupDirectory = backupDirectory }

    /// What a restore did.
    public struct Report: Sendable {
        public var workspace: String
        public var events: UInt64
        public var headPosition: UInt64
        public var headHash: String
        public var segments: Int
        public var documents: Int
        public var verifySeconds: Double
        public var copySeconds: Double
    }

    /// Restores into `<dataDirectory>/workspaces/<workspace>`; `workspace` must be the backup's (the
    /// genesis hash, and so the whole chain, depends on it).
    public func run(into dataDirectory: String) throws(EventLogError) -> Report {
        guard let manifest = try BackupManifest.load(backupDirectory: backupDirectory) else {
            throw .invalidInput(reason: "\(backupDirectory) has no manifest.json: it is not a backup made by taskledger backup")
        }
        let workspace = manifest.workspace
        try EventLog.validateWorkspaceName(workspace)
        let target = dataDirectory + "/workspaces/" + workspace
        if Directory.exists(target), !(try Directory.list(target).isEmpty) {
            throw .invalidInput(
                reason: "workspace \(quoted(workspace)) already exists in \(dataDirectory); restore only into a data directory without it")
        }
        let started = Timestamp.now()
        let verified = try LogVerifier(logDirectory: backupDirectory + "/log", workspace: workspace).verify()
        if let problem = verified.problem ?? verified.tornTail {
            throw .corrupted(
                position: problem.position, segment: problem.segment, offset: problem.offset, reason: "the backup does not verify: \(problem.reason)")
        }
        guard verified.head.position >= manifest.headPosition else {
            throw .corrupted(
                position: verified.head.position, segment: "", offset: -1,
                reason: "the backup's log ends at \(verified.head.position), but its manifest says \(manifest.headPosition): segments are missing")
        }
        let checked = Timestamp.now()
        let staging = dataDirectory + "/workspaces/." + workspace + ".restoring"
        try removeTree(staging)
        try Directory.create(staging + "/log")
        var segments = 0
        for name in try Directory.list(backupDirectory + "/log").sorted() where SegmentName.base(of: name) != nil {
            let source = try FileHandle.open(backupDirectory + "/log/" + name, writable: false)
            try DurableFile.append(from: source, offset: 0, count: try source.size(), to: staging + "/log/" + name)
            segments += 1
        }
        var documents = 0
        let blobs = backupDirectory + "/documents"
        if Directory.isDirectory(blobs) {
            for folder in try Directory.list(blobs) where Directory.isDirectory(blobs + "/" + folder) {
                try Directory.create(staging + "/documents/" + folder)
                for name in try Directory.list(blobs + "/" + folder) where DocumentBlobs.isBlobName(name) {
                    let file = try FileHandle.open(blobs + "/" + folder + "/" + name, writable: false)
                    // Synced all at once below, before the staging directory is renamed into place.
                    try DurableFile.writeUnsynced(staging + "/documents/" + folder + "/" + name, try file.read(count: Int(try file.size()), at: 0))
                    documents += 1
                }
            }
        }
        if Directory.exists(backupDirectory + "/checkpoints.ndjson") {
            let file = try FileHandle.open(backupDirectory + "/checkpoints.ndjson", writable: false)
            try DurableFile.replace(staging + "/checkpoints.ndjson", with: try file.read(count: Int(try file.size()), at: 0))
        }
        try DurableFile.syncFileSystem(staging)
        if Directory.exists(target) { try removeTree(target) }
        try Directory.rename(staging, to: target)
        try Directory.sync(dataDirectory + "/workspaces")
        let finished = Timestamp.now()
        return Report(
            workspace: workspace, events: verified.events, headPosition: verified.head.position, headHash: verified.head.batchHash.description,
            segments: segments, documents: documents, verifySeconds: Double(checked.unixMicros - started.unixMicros) / 1e6,
            copySeconds: Double(finished.unixMicros - checked.unixMicros) / 1e6)
    }

    private func removeTree(_ path: String) throws(EventLogError) {
        guard Directory.exists(path) else { return }
        do { try FileManager.default.removeItem(atPath: path) } catch { throw .io(operation: "remove", path: path, errno: EIO) }
    }
}

/// Document blob files: named by the SHA-256 of their content (64 hexadecimal digits). Anything else in
/// the folders (`.tmp` files of an interrupted copy, dot files) is not a blob.
enum DocumentBlobs {
    static func isBlobName(_ name: String) -> Bool {
        name.utf8.count == 64 && name.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
