#if canImport(Glibc)
    import Glibc
#endif

/// Writes a whole file so that a crash leaves either the complete new file or nothing: write a temporary
/// file in the same directory, `fsync` it, `rename` it over the target, `fsync` the directory. Without
/// `sync`, the same steps minus both `fsync`s: still all or nothing after a process crash, not after a
/// power loss (for bulk loads that sync everything once at the end).
enum AtomicFile {
    static func write(_ bytes: [UInt8], to path: String, via temporary: String, sync: Bool = true) throws(DocumentStoreError) {
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .io("cannot create \(temporary): errno \(errno)") }
        var written = 0
        let ok: Bool = bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let result = Glibc.write(descriptor, raw.baseAddress! + written, raw.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                written += result
            }
            return !sync || fsync(descriptor) == 0
        }
        close(descriptor)
        guard ok else {
            unlink(temporary)
            throw .io("cannot write \(temporary): errno \(errno)")
        }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw .io("cannot rename \(temporary): errno \(errno)")
        }
        guard sync else { return }
        let folder = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        let directory = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }
}
