import CommandService
import EventLog
import Foundation
import Hummingbird
import HummingbirdCore
import ProjectionEngine
import Workflow

/// Reads: every projection's named queries (`GET /projections/{name}/{query}`), the built-in read models
/// under friendly routes (board, task, history, audit, progress, burndown, cycle time, activity), the
/// projections' status, and the audit trail exported as NDJSON or CSV.
///
/// Every read takes:
/// - `minPosition=P`: wait (at most 5 s, woken by the projection's commits, no polling) until the read
///   model has applied position P — pass the `position` a write answered: read-your-writes. Then 504
///   `not-caught-up`.
/// - `at=P` or `at=<RFC 3339>`: the answer as of that position or time (a time resolves to the last
///   position committed at or before it).
/// - `cursor` (a page's `next`) and `limit`; the other query parameters are the query's own.
/// The answer's `position` is the read model's position; `ETag` is made of it, so `If-None-Match` with an
/// unchanged read model answers 304 without running the query.
struct ProjectionRoutes {
    static let waitMax: Duration = .seconds(5)
    /// Parameters the route takes itself; everything else goes to the query.
    static let reserved: Set<String> = ["cursor", "limit", "minPosition", "at", "format", "total"]

    /// A friendly route: which projection and query it runs, and which path parameters become which
    /// query parameters.
    struct Alias: Sendable {
        var path: String
        var projection: String
        var query: String
        var pathParameters: [String: String]
        /// Whether the query's `type` parameter names event types, checked by `EventTypeFilter` (a name
        /// no event can have, or a catalogue type in the wrong case, is a 400).
        var filtersEventTypes = false
    }

    static let aliases: [Alias] = [
        Alias(path: "projects/{project}/board", projection: "board", query: "columns", pathParameters: ["project": "project"]),
        Alias(
            path: "projects/{project}/board/columns/{state}", projection: "board", query: "column",
            pathParameters: ["project": "project", "state": "state"]),
        Alias(path: "projects/{project}/tasks", projection: "task", query: "tasks", pathParameters: ["project": "project"]),
        Alias(path: "tasks/{task}", projection: "task", query: "task", pathParameters: ["task": "task"]),
        Alias(path: "tasks/{task}/history", projection: "task_history", query: "history", pathParameters: ["task": "task"]),
        Alias(path: "audit", projection: "audit", query: "events", pathParameters: [:], filtersEventTypes: true),
        Alias(path: "projects/{project}/progress", projection: "progress", query: "summary", pathParameters: ["project": "project"]),
        Alias(
            path: "projects/{project}/progress/by-assignee", projection: "progress", query: "by_assignee",
            pathParameters: ["project": "project"]),
        Alias(path: "projects/{project}/milestones", projection: "progress", query: "milestones", pathParameters: ["project": "project"]),
        Alias(path: "projects/{project}/burndown", projection: "progress", query: "burndown", pathParameters: ["project": "project"]),
        Alias(path: "projects/{project}/cycle-time", projection: "progress", query: "cycle_time", pathParameters: ["project": "project"]),
        Alias(
            path: "projects/{project}/time-in-state", projection: "progress", query: "time_in_state", pathParameters: ["project": "project"]),
        Alias(path: "activity", projection: "activity", query: "activity", pathParameters: [:]),
    ]

    func add(to group: RouterGroup<APIRequestContext>) {
        group.getAndHead("projections") { _, context in try await status(context) }
        group.getAndHead("projections/{projection}/{query}") { request, context in
            try await read(
                request, context, projection: try context.parameters.require("projection"), query: try context.parameters.require("query"),
                fixed: [:])
        }
        group.getAndHead("audit/export") { request, context in try await export(request, context) }
        for alias in Self.aliases {
            group.getAndHead(RouterPath(alias.path)) { request, context in
                var fixed: [String: QueryValue] = [:]
                for (name, parameter) in alias.pathParameters { fixed[parameter] = .text(try context.parameters.require(name)) }
                if alias.filtersEventTypes { _ = try EventTypeFilter.types(request.uri.queryParameters.get("type")) }
                return try await read(request, context, projection: alias.projection, query: alias.query, fixed: fixed)
            }
        }
    }

    // MARK: Queries

    private func read(
        _ request: Request, _ context: APIRequestContext, projection: String, query: String, fixed: [String: QueryValue]
    ) async throws -> Response {
        let caller = try context.requireCaller()
        let engine = try await caller.workspace.projectionEngine()
        let parameters = try Self.parameters(request.uri.queryParameters, fixed: fixed)
        try await ReadAccess.check(caller, projection: projection, parameters: parameters)
        if let missing = Self.missingSubject(fixed, log: caller.workspace.log) { throw missing }
        let options = try ReadOptions(request.uri.queryParameters)
        try await Self.wait(engine, projection: projection, for: options.minPosition)
        if options.asOf == nil, let unchanged = Self.notModified(request.headers[.ifNoneMatch], position: engine.servedPosition(of: projection)) {
            return unchanged.response
        }
        let result: QueryResult
        do {
            result = try engine.query(
                projection: projection, query: query, parameters: parameters, cursor: options.cursor, limit: options.limit, asOf: options.asOf,
                total: options.total)
        } catch {
            throw Problem(error, rawFullText: parameters["match"] != nil)
        }
        return ReadAnswer(result).response
    }

    /// The answer to a read if it is ready now (`ProjectionEngine.readyAnswer`) and the caller may have it,
    /// decided without suspending, the same answer `read` gives: nil for everything else (an answer not
    /// computed yet, "as of", a `minPosition` not reached, a guest, any problem), which `read` answers.
    /// `ReadyReadFront` answers these on the connection's event loop.
    static func readyAnswer(
        _ caller: Caller, projection: String, query: String, fixed: [String: QueryValue], queryString: QueryString,
        ifNoneMatch: String?
    ) -> ReadAnswer? {
        guard let engine = caller.workspace.projections, let parameters = try? Self.parameters(queryString, fixed: fixed),
            let options = try? ReadOptions(queryString), options.asOf == nil, ReadAccess.allowsAtOnce(caller, projection: projection),
            let position = engine.servedPosition(of: projection), position >= options.minPosition ?? 0,
            missingSubject(fixed, log: caller.workspace.log) == nil
        else { return nil }
        if let unchanged = Self.notModified(ifNoneMatch, position: position) { return unchanged }
        return engine.readyAnswer(
            projection: projection, query: query, parameters: parameters, cursor: options.cursor, limit: options.limit, total: options.total
        )
        .map(ReadAnswer.init)
    }

    /// 404 when a friendly route's path names a project or a task that was never created: its read model
    /// would answer an empty page, which hides a mistyped id. Decided by the log (the entity's stream has
    /// events), not by the read model, so a read right after the create finds it, a deleted task is still
    /// found (its view says so), and a read "as of" a time before it existed answers empty.
    static func missingSubject(_ fixed: [String: QueryValue], log: EventLog) -> Problem? {
        let subjects: [(parameter: String, stream: (String) -> StreamName)] = [
            ("project", { .project(ProjectID($0)) }), ("task", { .task(TaskID($0)) }),
        ]
        for subject in subjects {
            guard case .text(let id)? = fixed[subject.parameter], log.version(of: subject.stream(id).rawValue) == 0 else { continue }
            return Problem(.notFound, code: "not-found", detail: "\(subject.parameter) \"\(id)\" does not exist")
        }
        return nil
    }

    static func etag(_ position: UInt64) -> String { "\"p\(position)\"" }

    /// 304 when `If-None-Match` names the read model's current position: an unchanged read model gives
    /// the same answer, so the query need not run.
    static func notModified(_ ifNoneMatch: String?, position: UInt64?) -> ReadAnswer? {
        guard let position, EntityTags.noneMatchHolds(ifNoneMatch, current: etag(position)) else { return nil }
        return .notModified(tag: etag(position))
    }

    /// Read-your-writes: waits (bounded) until `projection` has applied `minimum`.
    static func wait(_ engine: ProjectionEngine, projection: String, for minimum: UInt64?) async throws {
        guard let minimum else { return }
        let reached: Bool
        do {
            reached = try await engine.waitUntil(projection: projection, position: minimum, timeout: waitMax)
        } catch {
            throw Problem(error)
        }
        guard reached else {
            throw Problem(
                .gatewayTimeout, code: "not-caught-up",
                detail: "\(projection) has not applied position \(minimum) within 5 s; retry, or read without minPosition")
        }
    }

    /// The query's parameters: the path's, then the query string's (everything not reserved).
    static func parameters(_ queryString: QueryString, fixed: [String: QueryValue]) throws -> [String: QueryValue] {
        var parameters = fixed
        for (key, value) in queryString where !reserved.contains(String(key)) {
            let name = String(key)
            guard parameters[name] == nil else {
                throw Problem.badRequest("\(name) is given by the path; leave it out of the query string", code: "invalid-parameter")
            }
            parameters[name] = QueryValue(parsing: String(value))
        }
        return parameters
    }

    private func status(_ context: APIRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let engine = try await caller.workspace.projectionEngine()
        let statuses = engine.status().map { status -> JSONValue in
            var object: [String: JSONValue] = [
                "name": .string(status.name), "checkpoint": .number(Double(status.checkpoint)), "head": .number(Double(status.head)),
                "lag": .number(Double(status.lag)), "definitionVersion": .string(status.definitionVersion),
                "servingVersion": status.servingVersion.map(JSONValue.string) ?? .null,
                "eventsPerSecond": .number(status.eventsPerSecond.rounded()),
            ]
            switch status.state {
            case .catchingUp: object["state"] = .string("catching-up")
            case .live: object["state"] = .string("live")
            case .rebuilding: object["state"] = .string("rebuilding")
            case .failed(let position, let message):
                object["state"] = .string("failed")
                object["failedAt"] = .number(Double(position))
                object["error"] = .string(message)
            }
            return .object(object)
        }
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: JSONValue.object(["projections": .array(statuses)]).encoded())))
    }

    // MARK: Audit export

    /// The audit trail with the `events` query's filters, streamed page by page (newest first) as NDJSON
    /// or CSV: memory stays one page whatever the size of the trail.
    private func export(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let engine = try await caller.workspace.projectionEngine()
        let parameters = try Self.parameters(request.uri.queryParameters, fixed: [:])
        _ = try EventTypeFilter.types(request.uri.queryParameters.get("type"))
        try await ReadAccess.check(caller, projection: "audit", parameters: parameters)
        let format = request.uri.queryParameters.get("format") ?? "ndjson"
        guard format == "ndjson" || format == "csv" else { throw Problem.badRequest("format: ndjson or csv", code: "invalid-parameter") }
        let options = try ReadOptions(request.uri.queryParameters)
        let asOf = options.asOf
        try await Self.wait(engine, projection: "audit", for: options.minPosition)
        // The first page runs before the answer starts, so a bad parameter is a problem, not a broken stream.
        let first: QueryResult
        do {
            first = try engine.query(projection: "audit", query: "events", parameters: parameters, limit: 500, asOf: asOf)
        } catch {
            throw Problem(error, rawFullText: parameters["match"] != nil)
        }
        let body = ResponseBody { writer in
            var page = first
            var header = true
            while true {
                let bytes = format == "csv" ? AuditExport.csv(page, header: header) : AuditExport.ndjson(page)
                header = false
                if !bytes.isEmpty { try await writer.write(ByteBuffer(bytes: bytes)) }
                guard let next = page.next else { break }
                // Every page as of the first page's position: the export is one consistent snapshot.
                page = try engine.query(
                    projection: "audit", query: "events", parameters: parameters, cursor: next, limit: 500, asOf: .position(first.position))
            }
            try await writer.finish(nil)
        }
        let type = format == "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson"
        let headers: HTTPFields = [
            .contentType: type, .init("Audit-Position")!: String(first.position),
            .contentDisposition: "attachment; filename=\"audit.\(format)\"",
        ]
        return Response(status: .ok, headers: headers, body: body)
    }
}

/// A request's query string, decoded into names and values as Hummingbird's `URI` decodes it.
typealias QueryString = FlatDictionary<Substring, Substring>

/// `minPosition`, `at`, `cursor` and `limit` of a read.
struct ReadOptions {
    var minPosition: UInt64?
    var asOf: ProjectionEngine.AsOf?
    var cursor: String?
    var limit: Int?
    /// `total=true`: count the rows over all pages as well (a second run of the query, so only when asked).
    var total = false

    init(_ query: QueryString) throws {
        if let text = query.get("minPosition") {
            guard let value = UInt64(text) else { throw Problem.badRequest("minPosition: a position", code: "invalid-parameter") }
            minPosition = value
        }
        if let text = query.get("at") {
            if let position = UInt64(text) {
                asOf = .position(position)
            } else if let time = Timestamp(rfc3339: text) {
                asOf = .time(time)
            } else {
                throw Problem.badRequest("at: a position or an RFC 3339 time", code: "invalid-parameter")
            }
        }
        cursor = query.get("cursor")
        if let text = query.get("limit") {
            guard let value = Int(text), (1...500).contains(value) else { throw Problem.badRequest("limit: 1 to 500", code: "invalid-parameter") }
            limit = value
        }
        if let text = query.get("total") {
            guard text == "true" || text == "false" else { throw Problem.badRequest("total: true or false", code: "invalid-parameter") }
            total = text == "true"
        }
    }
}

extension Problem {
    /// The problem for a failed read.
    ///
    /// With `rawFullText` (the request has `match`, a raw FTS5 expression), a SQLite error is the
    /// expression's: `fts5: syntax error`, `unterminated string`, `no such column: a` (for `a:b`), …
    /// are the caller's mistake, a 400, not a server failure (schemathesis found `match=` answering 500).
    init(_ error: ProjectionError, rawFullText: Bool = false) {
        if rawFullText, case .sqlite = error {
            self.init(.badRequest, code: "invalid-parameter", detail: "match: not a full-text search expression (FTS5): \(error.description)")
            return
        }
        let status: HTTPResponse.Status =
            switch error {
            case .unknownProjection, .unknownQuery: .notFound
            case .invalidParameter, .missingParameter, .invalidCursor, .positionBeyondHead: .badRequest
            case .notReady, .failed, .queryTimeout: .serviceUnavailable
            default: .internalServerError
            }
        self.init(status, code: error.code, detail: error.description)
    }
}
