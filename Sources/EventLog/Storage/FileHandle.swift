#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file descriptor with the few calls the log needs, each turning `errno` into `EventLogError.io`.
/// Not thread-safe by itself; `pread` and `pwrite` carry their own offset, so concurrent readers are fine.
final class FileHandle: @unchecked Sendable {
    let descriptor: Int32
    let path: String

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit { close(descriptor) }

    static func open(_ path: String, writable: Bool, create: Bool = false) throws(EventLogError) -> FileHandle {
        var flags = (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC
        if create { flags |= O_CREAT }
        let descriptor = Glibc.open(path, flags, 0o644)
        guard descriptor >= 0 else { throw .io(operation: "open", path: path, errno: errno) }
        return FileHandle(descriptor: descriptor, path: path)
    }

    func size() throws(EventLogError) -> Int64 {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw .io(operation: "fstat", path: path, errno: errno) }
        return Int64(info.st_size)
    }

    /// Reads exactly `count` bytes at `offset`, or fewer only at the end of the file.
    func read(count: Int, at offset: Int64) throws(EventLogError) -> [UInt8] {
        var buffer = [UInt8](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
        let got = try buffer.withMutableBytes { (raw) throws(EventLogError) in try read(into: raw, at: offset) }
        if got < count { buffer.removeLast(count - got) }
        return buffer
    }

    /// Fills `buffer` from `offset`; returns how many bytes were read (fewer only at the end of the file).
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(EventLogError) -> Int {
        var done = 0
        while done < buffer.count {
            let result = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
            if result < 0 {
                if errno == EINTR { continue }
                throw .io(operation: "pread", path: path, errno: errno)
            }
            if result == 0 { break }
            done += result
        }
        return done
    }

    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(EventLogError) {
        var done = 0
        while done < bytes.count {
            let result = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            if result < 0 {
                if errno == EINTR { continue }
                throw .io(operation: "pwrite", path: path, errno: errno)
            }
            done += result
        }
    }

    func write(_ bytes: [UInt8], at offset: Int64) throws(EventLogError) {
        try bytes.withBytes { (raw) throws(EventLogError) in try write(raw, at: offset) }
    }

    /// Makes written data durable (and the metadata needed to read it back, such as a new size).
    func syncData() throws(EventLogError) {
        #if canImport(Glibc)
            let result = fdatasync(descriptor)
        #else
            let result = fsync(descriptor)
        #endif
        guard result == 0 else { throw .io(operation: "fdatasync", path: path, errno: errno) }
    }

    func truncate(to length: Int64) throws(EventLogError) {
        guard ftruncate(descriptor, off_t(length)) == 0 else { throw .io(operation: "ftruncate", path: path, errno: errno) }
    }
}

/// Directory operations the log needs.
enum Directory {
    /// Creates `path` and its parents; fsyncs each directory it creates so the entries survive a crash.
    static func create(_ path: String) throws(EventLogError) {
        var components: [String] = []
        var current = path
        while !current.isEmpty, current != "/", !exists(current) {
            components.append(current)
            current = parent(of: current)
        }
        for directory in components.reversed() {
            if mkdir(directory, 0o755) != 0, errno != EEXIST { throw .io(operation: "mkdir", path: directory, errno: errno) }
            try sync(parent(of: directory))
        }
    }

    /// fsyncs a directory, making the entries created in it durable.
    static func sync(_ path: String) throws(EventLogError) {
        let descriptor = open(path.isEmpty ? "." : path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .io(operation: "open directory", path: path, errno: errno) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw .io(operation: "fsync directory", path: path, errno: errno) }
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Names of the entries in `path` (without `.` and `..`).
    static func list(_ path: String) throws(EventLogError) -> [String] {
        guard let handle = opendir(path) else { throw .io(operation: "opendir", path: path, errno: errno) }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names
    }

    static func remove(_ path: String) throws(EventLogError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw .io(operation: "unlink", path: path, errno: errno) }
    }

    static func rename(_ from: String, to: String) throws(EventLogError) {
        guard Glibc.rename(from, to) == 0 else { throw .io(operation: "rename", path: from, errno: errno) }
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

func systemErrorMessage(_ code: Int32) -> String {
    String(cString: strerror(code))
}
