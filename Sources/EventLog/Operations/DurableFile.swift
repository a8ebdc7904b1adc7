#if canImport(Glibc)
    import Glibc
#endif

/// Whole-file writes that survive a crash: either the old file or the new one, never a mix.
enum DurableFile {
    /// Writes `bytes` to a temporary file beside `path`, syncs it, renames it over `path` and syncs the
    /// directory.
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
