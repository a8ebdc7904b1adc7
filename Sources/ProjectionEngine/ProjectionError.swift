public import EventLog

/// Every way a projection operation can fail; `code` is a stable kebab-case identifier (the CLI and the
/// HTTP API show it), `description` says what happened.
public enum ProjectionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A definition file was refused.
    case definition(DefinitionError)
    case unknownProjection(String)
    case unknownQuery(projection: String, query: String)
    /// A parameter the query does not declare, or a bad value.
    case invalidParameter(name: String, reason: String)
    case missingParameter(String)
    case invalidCursor
    /// No database of this projection has finished its first catch-up yet.
    case notReady(String)
    /// The projection stopped on a failing statement.
    case failed(projection: String, position: UInt64, message: String)
    case positionBeyondHead(requested: UInt64, head: UInt64)
    /// The query ran longer than the engine's `queryTimeSecondsMax` and was stopped.
    case queryTimeout(query: String, seconds: Double)
    case io(String)
    case sqlite(String)
    case log(EventLogError)

    public var code: String {
        switch self {
        case .definition: "invalid-definition"
        case .unknownProjection: "unknown-projection"
        case .unknownQuery: "unknown-query"
        case .invalidParameter: "invalid-parameter"
        case .missingParameter: "missing-parameter"
        case .invalidCursor: "invalid-cursor"
        case .notReady: "projection-not-ready"
        case .failed: "projection-failed"
        case .positionBeyondHead: "position-beyond-head"
        case .queryTimeout: "query-timeout"
        case .io: "projection-io"
        case .sqlite: "projection-sqlite"
        case .log(let error): error.code
        }
    }

    public var description: String {
        switch self {
        case .definition(let error): error.description
        case .unknownProjection(let name): "no projection named '\(name)'"
        case .unknownQuery(let projection, let query): "projection '\(projection)' has no query named '\(query)'"
        case .invalidParameter(let name, let reason): "parameter '\(name)': \(reason)"
        case .missingParameter(let name): "missing parameter '\(name)' (it has no default)"
        case .invalidCursor: "the cursor is not one this query returned"
        case .notReady(let name): "projection '\(name)' has not finished its first catch-up yet"
        case .failed(let name, let position, let message): "projection '\(name)' stopped at position \(position): \(message)"
        case .positionBeyondHead(let requested, let head): "position \(requested) is beyond the log's head (\(head))"
        case .queryTimeout(let query, let seconds):
            "query '\(query)' ran longer than \(seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)) s and was stopped; narrow it with its parameters, or leave out total"
        case .io(let message): message
        case .sqlite(let message): message
        case .log(let error): error.description
        }
    }
}
