/// Every way an `EventLog` operation can fail. Each case says what went wrong and carries what a caller
/// needs to act on it; `code` is a stable identifier for logs, exit codes and HTTP problem types.
public enum EventLogError: Error, Equatable, Sendable, CustomStringConvertible {
    // MARK: Bad input (nothing was written)

    /// An event's `data`, once compacted, is larger than `EventLogLimits.eventDataBytesMax`.
    case eventTooLarge(index: Int, bytes: Int, limit: Int)
    /// An append carried more events than `EventLogLimits.eventsPerAppendMax`.
    case tooManyEvents(count: Int, limit: Int)
    /// An append's encoded events add up to more than `EventLogLimits.appendBytesMax`.
    case appendTooLarge(bytes: Int, limit: Int)
    /// An append carried no events.
    case emptyAppend
    /// A stream id is empty, too long, or contains control characters.
    case invalidStreamID(String, reason: String)
    /// An event type is empty, too long, or has characters outside `[A-Za-z0-9._:-]`.
    case invalidEventType(String, reason: String)
    /// An event's `data` is not a JSON value.
    case invalidJSON(index: Int, reason: String)
    /// An input line (CLI or API) is not the expected JSON shape.
    case invalidInput(reason: String)
    /// An extension attribute's name or value breaks the CloudEvents rules.
    case invalidExtension(name: String, reason: String)
    /// The same stream was given two different expected versions in one append.
    case conflictingExpectations(stream: String)
    /// A workspace name is not usable as a directory name.
    case invalidWorkspaceName(String)

    // MARK: Concurrency and idempotency

    /// A stream's current version is not what the append expected; nothing of the append was written.
    case wrongExpectedVersion(stream: String, expected: ExpectedVersion, actual: UInt64)
    /// Some, but not all, of an append's event ids were already written: the append is neither new nor a retry.
    case partialDuplicate(eventID: EventID, position: UInt64)
    /// An event id appears twice in one append.
    case duplicateEventIDInAppend(EventID)

    // MARK: Storage

    /// The log is damaged at a place other than its final batch. Nothing past it is served.
    case corrupted(position: UInt64, segment: String, offset: Int64, reason: String)
    /// A system call failed; the log stops taking writes until it is reopened.
    case io(operation: String, path: String, errno: Int32)
    /// The log failed earlier (an I/O error while writing) and must be reopened.
    case logFailed(String)
    /// The log has been closed.
    case closed
    /// The workspace has no log yet.
    case workspaceNotFound(String)
    /// Another process has this log open.
    case locked(path: String)
    /// Every slot for an open log is in use.
    case tooManyOpenLogs(limit: Int)
    /// The index database failed.
    case index(String)
    /// A read asked for something outside the log.
    case positionOutOfRange(requested: UInt64, head: UInt64)

    /// A stable, kebab-case identifier of the failure.
    public var code: String {
        switch self {
        case .eventTooLarge: "event-too-large"
        case .tooManyEvents: "too-many-events"
        case .appendTooLarge: "append-too-large"
        case .emptyAppend: "empty-append"
        case .invalidStreamID: "invalid-stream-id"
        case .invalidEventType: "invalid-event-type"
        case .invalidJSON: "invalid-json"
        case .invalidInput: "invalid-input"
        case .invalidExtension: "invalid-extension"
        case .conflictingExpectations: "conflicting-expectations"
        case .invalidWorkspaceName: "invalid-workspace-name"
        case .wrongExpectedVersion: "version-conflict"
        case .partialDuplicate: "partial-duplicate"
        case .duplicateEventIDInAppend: "duplicate-event-id"
        case .corrupted: "log-corrupted"
        case .io: "io-error"
        case .logFailed: "log-failed"
        case .closed: "log-closed"
        case .workspaceNotFound: "workspace-not-found"
        case .locked: "log-locked"
        case .tooManyOpenLogs: "too-many-open-logs"
        case .index: "index-error"
        case .positionOutOfRange: "position-out-of-range"
        }
    }

    public var description: String {
        switch self {
        case .eventTooLarge(let index, let bytes, let limit):
            "event \(index + 1) of the append: data is \(bytes) bytes, more than the limit of \(limit) bytes"
        case .tooManyEvents(let count, let limit):
            "append has \(count) events, more than the limit of \(limit)"
        case .appendTooLarge(let bytes, let limit):
            "append encodes to \(bytes) bytes, more than the limit of \(limit) bytes"
        case .emptyAppend:
            "append has no events"
        case .invalidStreamID(let id, let reason):
            "invalid stream id \(quoted(id)): \(reason)"
        case .invalidEventType(let type, let reason):
            "invalid event type \(quoted(type)): \(reason)"
        case .invalidJSON(let index, let reason):
            "event \(index + 1) of the append: data is not valid JSON: \(reason)"
        case .invalidInput(let reason):
            reason
        case .invalidExtension(let name, let reason):
            "invalid extension attribute \(quoted(name)): \(reason)"
        case .conflictingExpectations(let stream):
            "stream \(quoted(stream)) has two different expected versions in one append"
        case .invalidWorkspaceName(let name):
            "invalid workspace name \(quoted(name)): use 1-64 characters from [a-z0-9-_], starting with a letter or digit"
        case .wrongExpectedVersion(let stream, let expected, let actual):
            "stream \(quoted(stream)) is at version \(actual), expected \(expected)"
        case .partialDuplicate(let id, let position):
            "event id \(id) was already written at position \(position), but other events of this append were not"
        case .duplicateEventIDInAppend(let id):
            "event id \(id) appears twice in one append"
        case .corrupted(let position, let segment, let offset, let reason):
            "log corrupted at position \(position) (segment \(segment), offset \(offset)): \(reason)"
        case .io(let operation, let path, let errno):
            "\(operation) failed on \(path): \(systemErrorMessage(errno)) (errno \(errno))"
        case .logFailed(let reason):
            "the log stopped taking writes after an earlier failure (\(reason)); reopen it"
        case .closed:
            "the log is closed"
        case .workspaceNotFound(let name):
            "workspace \(quoted(name)) has no log"
        case .locked(let path):
            "the log at \(path) is open in another process (a running server?)"
        case .tooManyOpenLogs(let limit):
            "all \(limit) open-log slots are in use"
        case .index(let message):
            "index: \(message)"
        case .positionOutOfRange(let requested, let head):
            "position \(requested) is outside the log (head is \(head))"
        }
    }
}

func quoted(_ text: String) -> String {
    let shown = text.count > 80 ? String(text.prefix(80)) + "…" : text
    return "\"" + shown + "\""
}
