import CommandService
import EventLog
import Hummingbird
import Workflow

/// API tokens over HTTP: issue (the secret is in this answer and nowhere else, ever) and revoke.
struct TokenRoutes {
    let writes: WriteHandling

    func add(to group: RouterGroup<APIRequestContext>) {
        group.post("tokens") { request, context in try await issue(request, context) }
        group.delete("tokens/{token}") { request, context in
            let token = try TokenID(context.parameters.require("token"))
            return try await writes.run(request, context: context, stream: .token(token)) { service, metadata, expected throws(CommandError) in
                try await service.execute(TokenCommand(token: token, .revoke(reason: nil)), metadata: metadata, expectedVersion: expected)
            }
        }
    }

    private func issue(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        var body = try await JSONBody.read(request, limit: writes.bodyLimit)
        let member = MemberID(body.string("member"))
        let name = body.string("name")
        var expiresAt: Instant?
        if let text = body.optionalString("expiresAt") {
            if let instant = Instant(rfc3339: text) { expiresAt = instant } else { body.addError("expiresAt: expected an RFC 3339 time") }
        }
        try body.finish()
        let id = TokenID("k-" + String(EventID.generate().description.suffix(12)))
        let secret = TokenSecret.issue(workspace: caller.workspace.name, token: id.rawValue)
        let new = NewToken(member: member, name: name, secretHash: secret.hash.description, expiresAt: expiresAt)
        let response = try await writes.run(request, context: context, stream: .token(id), status: .created, body: body) {
            service, metadata, expected throws(CommandError) in
            try await service.execute(TokenCommand(token: id, .issue(new)), metadata: metadata, expectedVersion: expected)
        }
        // The write's answer plus the token itself; an idempotent replay does not repeat the secret.
        guard response.status == .created, response.headers[.init("Idempotent-Replayed")!] == nil else { return response }
        let answer = JSONValue.object([
            "id": .string(id.rawValue), "member": .string(member.rawValue), "name": .string(name), "token": .string(secret.secret),
        ])
        return Response(status: .created, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: answer.encoded())))
    }
}
