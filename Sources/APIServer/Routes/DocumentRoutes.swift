import CommandService
import EventLog
import Foundation
import Hummingbird
import Workflow

/// Documents: the bytes go to the workspace's content-addressed store (by SHA-256, written atomically,
/// checked on every read); the events carry the digest, size, type and name, never the bytes.
///
/// An upload is the raw file as the body, with its `Content-Type`; the title, file name and the task it
/// belongs to (if any) are query parameters. A blob stored for an upload whose command is then refused
/// stays in the store unreferenced (content-addressed: a later upload of the same bytes reuses it).
struct DocumentRoutes {
    let writes: WriteHandling

    func add(to group: RouterGroup<APIRequestContext>) {
        group.post("projects/{project}/documents") { request, context in
            let project = try ProjectID(context.parameters.require("project"))
            let query = request.uri.queryParameters
            guard let title = query.get("title"), let fileName = query.get("fileName") else {
                throw Problem.badRequest("title and fileName are required query parameters", code: "invalid-parameter")
            }
            let attachment: DocumentAttachment = query.get("task").map { .task(TaskID($0)) } ?? .project
            let id = DocumentID(query.get("id") ?? EventID.generate().description)
            let file = try await store(request, context, fileName: fileName)
            let new = NewDocument(attachedTo: attachment, title: title, file: file)
            // An upload has no JSON body: its bytes (by digest) and its query string identify the request for Idempotency-Key.
            let content = Array((file.sha256 + "\n" + (request.uri.query ?? "")).utf8)
            return try await writes.run(request, context: context, stream: .document(id), status: .created, contentDigest: content) {
                service, metadata, expected throws(CommandError) in
                try await service.execute(DocumentCommand(document: id, .add(new)), project: project, metadata: metadata, expectedVersion: expected)
            }
        }
        group.post("documents/{document}/versions") { request, context in
            let id = try DocumentID(context.parameters.require("document"))
            guard let fileName = request.uri.queryParameters.get("fileName") else {
                throw Problem.badRequest("fileName is a required query parameter", code: "invalid-parameter")
            }
            let file = try await store(request, context, fileName: fileName)
            return try await run(request, context, id, .addVersion(file), contentDigest: Array((file.sha256 + "\n" + (request.uri.query ?? "")).utf8))
        }
        group.getAndHead("documents/{document}/content") { request, context in try await content(request, context) }
        group.delete("documents/{document}") { request, context in
            try await run(request, context, try DocumentID(context.parameters.require("document")), .remove)
        }
        group.post("documents/{document}/shares") { request, context in
            let id = try DocumentID(context.parameters.require("document"))
            return try await run(request, context, id, .share(try await target(request)))
        }
        // A share is a member or a workspace role, and a member id may spell a role's name: one path each.
        group.delete("documents/{document}/shares/members/{member}") { request, context in
            let id = try DocumentID(context.parameters.require("document"))
            return try await run(request, context, id, .unshare(.member(try MemberID(context.parameters.require("member")))))
        }
        group.delete("documents/{document}/shares/roles/{role}") { request, context in
            let id = try DocumentID(context.parameters.require("document"))
            let text = try context.parameters.require("role")
            guard let role = WorkspaceRole(rawValue: text) else {
                throw Problem.badRequest("role: one of admin, member, guest, auditor (not \"\(text)\")", code: "invalid-parameter")
            }
            return try await run(request, context, id, .unshare(.role(role)))
        }
    }

    private func run(
        _ request: Request, _ context: APIRequestContext, _ id: DocumentID, _ action: DocumentAction, contentDigest: [UInt8]? = nil
    ) async throws -> Response {
        try await writes.run(request, context: context, stream: .document(id), contentDigest: contentDigest) {
            service, metadata, expected throws(CommandError) in
            try await service.execute(DocumentCommand(document: id, action), metadata: metadata, expectedVersion: expected)
        }
    }

    private func target(_ request: Request) async throws -> DocumentShareTarget {
        var body = try await JSONBody.read(request, limit: writes.bodyLimit)
        let member = body.optionalString("member")
        let role = body.optionalString("role")
        try body.finish()
        if let member, role == nil { return .member(MemberID(member)) }
        if let role, member == nil, let value = WorkspaceRole(rawValue: role) { return .role(value) }
        throw Problem.badRequest("give either member or role (admin, member, guest, auditor)", errors: ["member or role: exactly one"])
    }

    /// Reads the body (up to the store's limit: 413 beyond) and stores it.
    private func store(_ request: Request, _ context: APIRequestContext, fileName: String) async throws -> DocumentFile {
        let caller = try context.requireCaller()
        let store = try caller.workspace.documentStore()
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: store.documentBytesMax)
        } catch {
            throw Problem(.contentTooLarge, code: "document-too-large", detail: "documents are at most \(store.documentBytesMax) bytes")
        }
        let stored: DocumentStore.Stored
        do {
            stored = try store.put(Array(buffer.readableBytesView))
        } catch {
            throw Problem(error.code == "document-too-large" ? .contentTooLarge : .serviceUnavailable, code: error.code, detail: error.description)
        }
        let type = request.headers[.contentType] ?? "application/octet-stream"
        return DocumentFile(fileName: fileName, contentType: type, sizeBytes: Int64(stored.size), sha256: stored.digest.description)
    }

    /// The latest version's bytes, for a caller allowed to read the document; digest checked on the way. `If-None-Match`
    /// naming its digest is a 304, and a HEAD reads no bytes (so checks no digest).
    private func content(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let id = try DocumentID(context.parameters.require("document"))
        let service = caller.workspace.service
        let readable: DocumentState
        do {
            guard let document = try await service.document(id), let workspace = try await service.workspace(),
                let project = try await service.project(document.project),
                let actor = try? Actor.resolve(member: caller.member, workspace: workspace, project: project), document.isReadable(by: actor)
            else { throw Problem.notFound("no document \"\(id)\"") }
            readable = document
        } catch let error as CommandError {
            throw Problem(error)
        }
        guard let file = readable.versions.last?.file, let digest = Digest32(hex: file.sha256) else {
            throw Problem.notFound("no document \"\(id)\"")
        }
        let tag = "\"\(file.sha256)\""
        // Content addressed: the same tag is the same bytes, so a cache holding them needs none again.
        if EntityTags.noneMatchHolds(request.headers[.ifNoneMatch], current: tag) {
            return Response(status: .notModified, headers: [.eTag: tag])
        }
        let headers: HTTPFields = [
            .contentType: file.contentType, .contentDisposition: "attachment; filename=\"\(file.fileName.replacingOccurrences(of: "\"", with: ""))\"",
            .eTag: tag,
        ]
        let store = try caller.workspace.documentStore()
        // A HEAD states the length the GET would send without reading the blob (`HeadRequests` drops the body).
        if request.method == .head, store.contains(digest) {
            return Response(
                status: .ok, headers: headers, body: ResponseBody(contentLength: Int(file.sizeBytes)) { writer in try await writer.finish(nil) })
        }
        let bytes: [UInt8]
        do {
            bytes = try store.get(digest)
        } catch .notFound {
            // The log records this version, so its bytes were stored before the command was accepted: a
            // missing blob is lost data on the server, not a wrong request. A 404 would hide it (and tell
            // the caller the document does not exist); a HEAD comes here too, and answers the same.
            throw Problem(
                .internalServerError, code: "document-missing",
                detail: "document \(id): its stored bytes (SHA-256 \(file.sha256)) are missing from the document store")
        } catch {
            throw Problem(.internalServerError, code: error.code, detail: "document \(id): \(error.description)")
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
