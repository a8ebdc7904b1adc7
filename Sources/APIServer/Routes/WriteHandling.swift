import CommandService
import Crypto
import EventLog
import Foundation
import Hummingbird
import Synchronization
import Workflow

/// How every write route runs its command: the caller's metadata (member, token, request id), the
/// expected version from `If-Match` (412 when stale) or the body's `expectedVersion` (409 listing the
/// events the caller missed), `Idempotency-Key` replays, and the answer — each event's position and
/// the streams' new versions.
struct WriteHandling {
    let bodyLimit: Int

    /// A command's target and how to run it, given the metadata and expected version.
    typealias Execute = (CommandService, CommandMetadata, UInt64?) async throws(CommandError) -> CommandOutcome

    func run(
        _ request: Request, context: APIRequestContext, stream: StreamName, status: HTTPResponse.Status = .ok,
        bodyExpectedVersion: UInt64? = nil, body: JSONBody? = nil, contentDigest: [UInt8]? = nil, execute: Execute
    ) async throws -> Response {
        let caller = try context.requireCaller()
        let requestID = request.headers[.init("X-Request-ID")!] ?? EventID.generate().description
        var expected = bodyExpectedVersion
        var ifMatch = false
        if let header = request.headers[.ifMatch] {
            guard let version = Self.expectedVersion(ifMatch: header) else {
                throw Problem.badRequest("If-Match must be a stream version such as \"3\"", code: "invalid-if-match")
            }
            expected = version
            ifMatch = true
        }
        let idempotencyKey = request.headers[.init("Idempotency-Key")!]
        if let idempotencyKey {
            guard (1...255).contains(idempotencyKey.utf8.count) else {
                throw Problem.badRequest("Idempotency-Key must be 1-255 characters", code: "invalid-idempotency-key")
            }
            let fingerprint = Self.fingerprint(request, digest: contentDigest ?? body?.digest ?? [])
            switch caller.workspace.idempotency.lookup(token: caller.token.rawValue, key: idempotencyKey, fingerprint: fingerprint) {
            case .replay(let stored): return stored.response(replayed: true)
            case .mismatch:
                throw Problem(
                    .unprocessableContent, code: "idempotency-key-reused",
                    detail: "Idempotency-Key \"\(idempotencyKey)\" was used with a different request")
            case .absent: break
            }
        }
        let outcome: CommandOutcome
        let metadata = caller.metadata(requestID: requestID)
        do {
            outcome = try await execute(caller.workspace.service, metadata, expected)
        } catch {
            // A refusal for a missing permission is recorded for the security audit (AccessDenied).
            let command = "\(request.method.rawValue) \(context.endpointPath ?? request.uri.path)"
            let denied = try? await caller.workspace.service.recordAccessDenied(error, command: command, stream: stream, metadata: metadata)
            var refusal = await problem(for: error, caller: caller, stream: stream, expected: expected, ifMatch: ifMatch)
            // Where the refusal was recorded: a read with `minPosition` of it sees it in the audit trail.
            if let recorded = denied?.events.last?.position { refusal.extensions["position"] = .number(Double(recorded)) }
            throw refusal
        }
        let stored = StoredAnswer(status: status, body: Self.answer(outcome))
        if let idempotencyKey {
            caller.workspace.idempotency.store(
                token: caller.token.rawValue, key: idempotencyKey,
                fingerprint: Self.fingerprint(request, digest: contentDigest ?? body?.digest ?? []), stored)
        }
        return stored.response(replayed: false)
    }

    /// The problem for a refused command; a version conflict against the body's `expectedVersion` lists
    /// the events appended since that version, so the caller can reconcile without another round trip.
    private func problem(
        for error: CommandError, caller: Caller, stream: StreamName, expected: UInt64?, ifMatch: Bool
    ) async -> Problem {
        var problem = Problem(error, ifMatch: ifMatch)
        let isConflict: Bool =
            switch error {
            case .domain(let refusal): refusal.code == "version-conflict"
            case .versionConflict, .log(.wrongExpectedVersion): true
            default: false
            }
        if isConflict, !ifMatch, let expected {
            let missed = (try? caller.workspace.log.readStream(stream.rawValue, fromVersion: expected + 1, maxCount: 100)) ?? []
            problem.extensions["missed"] = .array(missed.compactMap { try? JSONValue(parsing: Array($0.line)) })
            problem.extensions["currentVersion"] = .number(Double(caller.workspace.log.version(of: stream.rawValue)))
        }
        return problem
    }

    /// What a write answers: each event with its position and stream version, the last position (for
    /// `minPosition` on later reads) and every touched stream's new version.
    static func answer(_ outcome: CommandOutcome) -> JSONValue {
        .object([
            "events": .array(
                outcome.events.map {
                    .object([
                        "id": .string($0.id.description), "position": .number(Double($0.position)), "stream": .string($0.stream),
                        "streamVersion": .number(Double($0.streamVersion)), "type": .string($0.type),
                    ])
                }),
            "position": outcome.events.last.map { .number(Double($0.position)) } ?? .null,
            "streamVersions": .object(outcome.streamVersions.mapValues { .number(Double($0)) }),
        ])
    }

    /// Method, path and body: what must match for a retry to be the same request.
    /// The version an `If-Match` value names: `"3"`, `W/"3"` or a bare `3`, at most 19 digits, exactly the
    /// OpenAPI document's pattern. Anything else (`"3`, `W3`, `+3`, `*`, a list) is nil: a precondition the
    /// server cannot read must not be guessed at.
    static func expectedVersion(ifMatch value: String) -> UInt64? {
        var bytes = Substring(value).utf8[...]
        if bytes.starts(with: "W/".utf8) { bytes = bytes.dropFirst(2) }
        if bytes.first == UInt8(ascii: "\"") {
            guard bytes.count >= 2, bytes.last == UInt8(ascii: "\"") else { return nil }
            bytes = bytes.dropFirst().dropLast()
        }
        guard (1...19).contains(bytes.count), bytes.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        return UInt64(Substring(bytes))
    }

    private static func fingerprint(_ request: Request, digest: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: Array("\(request.method.rawValue) \(request.uri.path)\n".utf8))
        hasher.update(data: digest)
        return Array(hasher.finalize())
    }
}

/// A write's answer, kept for `Idempotency-Key` replays.
struct StoredAnswer: Sendable {
    var status: HTTPResponse.Status
    var body: JSONValue

    func response(replayed: Bool) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if replayed { headers[.init("Idempotent-Replayed")!] = "true" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body.encoded())))
    }
}

/// The answers of recent writes by (token, Idempotency-Key), per workspace: a retried write returns the
/// first answer and appends nothing; the same key with a different request is refused (422). Bounded
/// (oldest dropped first) and in memory: keys are for retries within minutes, not days; after a
/// restart a retry is decided again, and the domain's rules (already assigned, already in that state,
/// version checks) make most retries harmless anyway.
final class IdempotencyStore: Sendable {
    enum Lookup {
        case absent
        case replay(StoredAnswer)
        case mismatch
    }

    private struct Entry {
        var fingerprint: [UInt8]
        var answer: StoredAnswer
    }

    private struct Table {
        var entries: [String: Entry] = [:]
        var order: [String] = []
        var start = 0
    }

    static let entriesMax = 10_000
    private let table = Mutex(Table())

    func lookup(token: String, key: String, fingerprint: [UInt8]) -> Lookup {
        table.withLock { table in
            guard let entry = table.entries[token + "\u{0}" + key] else { return .absent }
            return entry.fingerprint == fingerprint ? .replay(entry.answer) : .mismatch
        }
    }

    func store(token: String, key: String, fingerprint: [UInt8], _ answer: StoredAnswer) {
        let name = token + "\u{0}" + key
        table.withLock { table in
            if table.entries[name] == nil { table.order.append(name) }
            table.entries[name] = Entry(fingerprint: fingerprint, answer: answer)
            while table.entries.count > Self.entriesMax, table.start < table.order.count {
                table.entries[table.order[table.start]] = nil
                table.start += 1
            }
            if table.start > Self.entriesMax {
                table.order.removeFirst(table.start)
                table.start = 0
            }
        }
    }
}
