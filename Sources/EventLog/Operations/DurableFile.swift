import CSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Whole-file writes that survive a crash: either the old file or the new one, never a mix.
enum DurableFile {
    /// Writes `bytes` to a temporary file beside `path`, syncs it, renames it over `path` and syncs the
    /// directory.
    /// Creates or truncates `path` with `bytes`, without syncing: for many small files made durable
    /// together afterwards by one `syncFileSystem` (a sync per document blob made a backup or a restore
    /// of 16,000 documents spend seconds in `fdatasync`).
    static func writeUnsynced(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws(EventLogError) {
        let descriptor = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw .io(operation: "open", path: path, errno: errno) }
        close(descriptor)
        try FileHandle.open(path, writable: true).write(bytes, at: 0)
    }

    /// Flushes every file and directory of the file system holding `path` (syncfs(2)).
    static func syncFileSystem(_ path: String) throws(EventLogError) {
        guard tl_sync_filesystem(path) == 0 else { throw .io(operation: "syncfs", path: path, errno: errno) }
    }

    static func replace(_ path: String, with bytes: [UInt8], mode: mode_t = 0o644) throws(EventLogError) {
        let temporary = path + ".tmp"
        try Directory.remove(temporary)
        let descriptor = Glibc.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw .io(operation: "open", path: temporary, errno: errno) }
        close(descriptor)
        let file = try FileHandle.open(temporary, writable: true)
        try file.write(bytes, at: 0)
        try file.syncData()
        try Directory.rename(temporary, to: path)
        try Directory.sync(Directory.parent(of: path))
    }

    /// Copies `count` bytes at `offset` of `source` to the end of `destination` (created when missing),
    /// then syncs it. Returns the bytes copied.
    static func append(from source: FileHandle, offset: Int64, count: Int64, to destination: String) throws(EventLogError) {
        let created = !Directory.exists(destination)
        let out = try FileHandle.open(destination, writable: true, create: true)
        var at = try out.size()
        var done: Int64 = 0
        while done < count {
            let chunk = try source.read(count: Int(min(count - done, 8 << 20)), at: offset + done)
            guard !chunk.isEmpty else { throw .io(operation: "read (file shrank while copying)", path: source.path, errno: EIO) }
            try out.write(chunk, at: at)
            at += Int64(chunk.count)
            done += Int64(chunk.count)
        }
        try out.syncData()
        if created { try Directory.sync(Directory.parent(of: destination)) }
    }
}
