import CommandService
import EventLog
import Hummingbird
import Workflow

extension Problem {
    /// The problem a refused or failed command answers with. Status by meaning: the request is
    /// malformed or breaks a validation rule (422), names nothing (404), is not allowed (403), conflicts
    /// with the current state (409), or the stream changed under it (409, or 412 with `If-Match`); a
    /// rate limit is 429 with `Retry-After`; the log being unavailable is 503. Never 500 for a refusal.
    init(_ error: CommandError, ifMatch: Bool = false) {
        let code = error.code
        let status: HTTPResponse.Status
        var headers: HTTPFields = [:]
        var extensions: [String: JSONValue] = [:]
        switch error {
        case .domain(let refusal):
            status = Self.status(ofDomainCode: refusal.code, ifMatch: ifMatch)
        case .unknownActor:
            status = .forbidden
        case .versionConflict(let stream, _):
            status = ifMatch ? .preconditionFailed : .conflict
            extensions["stream"] = .string(stream)
        case .rateLimited(let stream, let retryAfter):
            status = .tooManyRequests
            let seconds = max(1, Int(retryAfter.rounded(.up)))
            headers[.retryAfter] = String(seconds)
            extensions["retryAfter"] = .number(Double(seconds))
            extensions["stream"] = .string(stream)
        case .log(let failure):
            switch failure {
            case .wrongExpectedVersion(let stream, _, let actual):
                status = ifMatch ? .preconditionFailed : .conflict
                extensions["stream"] = .string(stream)
                extensions["currentVersion"] = .number(Double(actual))
            case .eventTooLarge, .appendTooLarge, .tooManyEvents: status = .contentTooLarge
            default: status = .serviceUnavailable
            }
        case .undecodableEvent, .unencodableEvent:
            status = .internalServerError
        }
        self.init(status, code: code, detail: error.description, extensions: extensions, headers: headers)
    }

    private static func status(ofDomainCode code: String, ifMatch: Bool) -> HTTPResponse.Status {
        switch code {
        case "validation-failed", "limit-exceeded", "required-field-missing", "parent-cycle", "state-not-mapped", "document-too-large",
            "migration-too-large":
            .unprocessableContent
        case "not-found": .notFound
        case "missing-permission": .forbidden
        case "version-conflict": ifMatch ? .preconditionFailed : .conflict
        default: .conflict
        }
    }
}
