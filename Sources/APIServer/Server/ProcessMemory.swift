import Foundation

/// The process's memory as Linux reports it.
enum ProcessMemory {
    /// Resident set size in bytes: the second field of `/proc/self/statm`, in pages. Nil where there is none.
    static func residentBytes() -> Int? {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = statm.split(separator: " ")
        guard fields.count >= 2, let pages = Int(fields[1]) else { return nil }
        return pages * sysconf(Int32(_SC_PAGESIZE))
    }
}
