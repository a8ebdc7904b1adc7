import ArgumentParser
import EventLog

#if canImport(Glibc)
    import Glibc
#endif

/// The CLI's exit codes (also in docs/cli.md).
enum ExitStatus {
    /// The operation failed: I/O, a version conflict, a locked log.
    static let failure: Int32 = 1
    /// The input was refused; nothing was written.
    static let badInput: Int32 = 2
    /// `verify`: the log is damaged.
    static let corrupt: Int32 = 3
    /// `verify`: intact, but ends in an unfinished write that the next open cuts off (or, when the index
    /// recorded that batch as durable, refuses).
    static let tornTail: Int32 = 4
}

/// Prints `taskledger: <message>` as one line on stderr and returns the exit code to throw.
func fail(_ message: String, status: Int32) -> ExitCode {
    StandardError.write("taskledger: " + message.replacingNewlines() + "\n")
    return ExitCode(status)
}

/// Maps a log error to its one-line message and exit code.
func fail(_ error: EventLogError, context: String? = nil) -> ExitCode {
    let status: Int32 =
        switch error {
        case .eventTooLarge, .tooManyEvents, .appendTooLarge, .emptyAppend, .invalidStreamID, .invalidEventType, .invalidJSON, .invalidInput,
            .invalidExtension, .conflictingExpectations, .invalidWorkspaceName, .duplicateEventIDInAppend:
            ExitStatus.badInput
        case .corrupted: ExitStatus.corrupt
        default: ExitStatus.failure
        }
    return fail((context.map { $0 + ": " } ?? "") + "\(error.code): \(error.description)", status: status)
}

enum StandardError {
    static func write(_ text: String) { writeAll(2, Array(text.utf8)) }
}

/// Writes all of `bytes` to a file descriptor (unbuffered; stdio's globals are not concurrency-safe).
func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) {
    bytes.withUnsafeBytes { raw in
        var done = 0
        while done < raw.count {
            let result = Glibc.write(descriptor, raw.baseAddress! + done, raw.count - done)
            if result < 0 {
                if errno == EINTR { continue }
                return
            }
            done += result
        }
    }
}

/// Buffered stdout for bulk output (reads of a million events), flushed on demand.
final class StandardOutput {
    private var buffer: [UInt8] = []

    init() { buffer.reserveCapacity(1 << 16) }

    func write(_ bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { flush() }
    }

    func write(_ text: String) { write(text.utf8) }

    func flush() {
        writeAll(1, buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    deinit { flush() }
}

extension String {
    func replacingNewlines() -> String { split(whereSeparator: \.isNewline).joined(separator: " ") }
}
