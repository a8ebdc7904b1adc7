import CommandService
import EventLog
import Hummingbird
import Synchronization
import Workflow

/// The server's signed checkpoints (docs/auditing.md): the Ed25519 key, signing a workspace's chain
/// head, and the stored checkpoints. Shared by the routes and the periodic signer.
public final class CheckpointSigner: Sendable {
    let dataDirectory: String
    let keyPath: String
    private let key = Mutex<CheckpointKey?>(nil)
    /// Per workspace, the position last signed (so an idle workspace is not signed again and again).
    private let lastSigned = Mutex<[String: UInt64]>([:])

    init(dataDirectory: String, keyPath: String?) {
        self.dataDirectory = dataDirectory
        self.keyPath = keyPath ?? CheckpointKey.defaultPath(dataDirectory: dataDirectory)
    }

    /// The key, created (mode 0600) on first use.
    func signingKey() throws(EventLogError) -> CheckpointKey {
        if let loaded = key.withLock({ $0 }) { return loaded }
        let loaded = try CheckpointKey.loadOrCreate(at: keyPath)
        key.withLock { $0 = loaded }
        return loaded
    }

    /// Signs `hosted`'s current head and stores the checkpoint; with `onlyIfMoved`, does nothing (nil)
    /// when the head has not moved since the last checkpoint or the log is empty.
    @discardableResult
    func sign(_ hosted: HostedWorkspace, onlyIfMoved: Bool = false) throws(EventLogError) -> SignedCheckpoint? {
        let head = hosted.log.head
        if onlyIfMoved {
            guard head.position > 0, lastSigned.withLock({ $0[hosted.name] }) != head.position else { return nil }
        }
        let checkpoint = try signingKey().sign(workspace: hosted.name, head: head)
        try CheckpointStore(dataDirectory: dataDirectory, workspace: hosted.name).append(checkpoint)
        lastSigned.withLock { $0[hosted.name] = head.position }
        return checkpoint
    }

    /// Signs every open workspace whose head moved; failures are returned, not thrown, so one workspace
    /// cannot stop the others' checkpoints.
    func signMoved(_ workspaces: [HostedWorkspace]) -> [(String, EventLogError)] {
        var failures: [(String, EventLogError)] = []
        for hosted in workspaces {
            do { try sign(hosted, onlyIfMoved: true) } catch { failures.append((hosted.name, error)) }
        }
        return failures
    }
}

/// `GET …/checkpoints`, `GET …/checkpoints/latest`, `POST …/checkpoints`: signed checkpoints for auditors
/// (the `audit.read` permission: admins and auditors). An auditor saves them off the server and later
/// runs `taskledger verify --checkpoint FILE --public-key KEY`.
struct CheckpointRoutes {
    let signer: CheckpointSigner

    func add(to group: RouterGroup<APIRequestContext>) {
        group.getAndHead("checkpoints") { request, context in
            let caller = try context.requireCaller()
            try await ReadAccess.requireAuditRead(caller)
            let limit = try request.uri.queryParameters.get("limit").map { text -> Int in
                guard let value = Int(text), (1...1_000).contains(value) else {
                    throw Problem(.badRequest, code: "invalid-parameter", detail: "limit must be an integer from 1 to 1000")
                }
                return value
            }
            let all = try stored(caller)
            let key = try keyOrProblem()
            let newest = all.suffix(limit ?? 100).reversed().map(Self.jsonValue)
            return json(
                .object([
                    "publicKey": .string(key.publicKeyHex), "keyID": .string(key.keyID), "total": .number(Double(all.count)),
                    "checkpoints": .array(Array(newest)),
                ]), status: .ok)
        }
        group.getAndHead("checkpoints/latest") { _, context in
            let caller = try context.requireCaller()
            try await ReadAccess.requireAuditRead(caller)
            let newest: SignedCheckpoint?
            do throws(EventLogError) {
                newest = try CheckpointStore(dataDirectory: signer.dataDirectory, workspace: caller.workspace.name).latest()
            } catch {
                throw Problem(.internalServerError, code: error.code, detail: error.description)
            }
            guard let latest = newest else {
                throw Problem(.notFound, code: "no-checkpoint", detail: "no checkpoint has been signed yet; POST to sign one now")
            }
            return json(Self.jsonValue(latest), status: .ok)
        }
        group.post("checkpoints") { _, context in
            let caller = try context.requireCaller()
            try await ReadAccess.requireAuditRead(caller)
            let checkpoint: SignedCheckpoint?
            do throws(EventLogError) {
                checkpoint = try signer.sign(caller.workspace)
            } catch {
                throw Problem(.internalServerError, code: error.code, detail: error.description)
            }
            return json(Self.jsonValue(checkpoint!), status: .created)
        }
    }

    private func stored(_ caller: Caller) throws -> [SignedCheckpoint] {
        do throws(EventLogError) {
            return try CheckpointStore(dataDirectory: signer.dataDirectory, workspace: caller.workspace.name).all()
        } catch {
            throw Problem(.internalServerError, code: error.code, detail: error.description)
        }
    }

    private func keyOrProblem() throws -> CheckpointKey {
        do throws(EventLogError) { return try signer.signingKey() } catch {
            throw Problem(.internalServerError, code: error.code, detail: error.description)
        }
    }

    /// A checkpoint as the JSON `taskledger verify --checkpoint` reads.
    static func jsonValue(_ checkpoint: SignedCheckpoint) -> JSONValue {
        .object([
            "version": .number(Double(checkpoint.version)), "workspace": .string(checkpoint.workspace),
            "position": .number(Double(checkpoint.position)), "chainHash": .string(checkpoint.chainHash), "signedAt": .string(checkpoint.signedAt),
            "publicKey": .string(checkpoint.publicKey), "signature": .string(checkpoint.signature),
        ])
    }

    private func json(_ value: JSONValue, status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: value.encoded())))
    }
}
