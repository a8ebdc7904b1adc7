public import EventLog
public import Workflow

/// Every way a command can fail in the command service. Nothing was appended when one is thrown.
/// `code` is stable and kebab-case: the API's problem+json `type`.
public enum CommandError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The domain refused the command (its `code`: `transition-not-allowed`, `wip-limit-exceeded`, …).
    case domain(DomainError)
    /// The log refused or failed the append or a read.
    case log(EventLogError)
    /// A stored event could not be read back as a domain event (see `EventMappingError`).
    case undecodableEvent(stream: String, position: UInt64, EventMappingError)
    /// A decided event could not be written as a log event.
    case unencodableEvent(EventMappingError)
    /// The acting member is not an active member of the workspace: they may do nothing at all. Reported
    /// as `missing-permission`, not `not-found`, so a caller cannot probe which member ids exist.
    case unknownActor(MemberID)
    /// The streams kept changing under the command: it was decided again `attempts` times and every
    /// append found another version than the one decided on.
    case versionConflict(stream: String, attempts: Int)
    /// The stream took more commands than its rate limit allows (`CommandService.Configuration.streamRateLimit`);
    /// nothing was decided. Retry after `retryAfter` seconds.
    case rateLimited(stream: String, retryAfter: Double)

    /// A stable, kebab-case identifier of the failure.
    public var code: String {
        switch self {
        case .domain(let error): error.code
        case .log(let error): error.code
        case .undecodableEvent(_, _, let error): error.code
        case .unencodableEvent(let error): error.code
        case .unknownActor: "missing-permission"
        case .versionConflict: "version-conflict"
        case .rateLimited: "rate-limited"
        }
    }

    public var description: String {
        switch self {
        case .domain(let error): error.description
        case .log(let error): error.description
        case .undecodableEvent(let stream, let position, let error): "event at position \(position) in \(stream): \(error)"
        case .unencodableEvent(let error): error.description
        case .unknownActor(let member): "member \"\(member)\" is not an active member of this workspace"
        case .versionConflict(let stream, let attempts):
            "stream \"\(stream)\" changed during each of \(attempts) attempts; try again"
        case .rateLimited(let stream, let retryAfter):
            "stream \"\(stream)\" is taking commands faster than its rate limit; retry in \(Int(retryAfter.rounded(.up))) s"
        }
    }
}
