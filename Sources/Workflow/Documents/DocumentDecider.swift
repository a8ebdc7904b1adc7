/// Decides document commands: `decide(state, command, actor, context) -> events`, pure.
///
/// ```swift
/// let digest = try store.put(bytes)                     // the service stores the bytes first
/// let file = DocumentFile(fileName: "spec.pdf", contentType: "application/pdf", sizeBytes: size, sha256: digest)
/// let events = try DocumentDecider.decide(nil, DocumentCommand(document: id, .add(NewDocument(
///     attachedTo: .task("t-1"), title: "Spec", file: file))), actor: actor, context: context)
/// ```
public enum DocumentDecider {
    /// The events `command` produces on `state` (nil before the document exists), or the refusal.
    public static func decide(
        _ state: DocumentState?, _ command: DocumentCommand, actor: Actor, context: DocumentContext
    ) throws(DomainError) -> [DomainEvent] {
        try checkVersion(expected: context.expectedVersion, actual: state?.version ?? 0)
        let limits = context.limits
        let project = context.project
        let stream = StreamName.document(command.document)
        func event(_ payload: some EventPayload) -> DomainEvent { DomainEvent(stream: stream, at: context.now, payload) }

        if case .add(let new) = command.action {
            try actor.require(.documentUpload)
            if state != nil { throw .alreadyExists(kind: "document", id: command.document.rawValue) }
            try ProjectDecider.requireActive(project)
            try command.document.validated(limits: limits)
            if case .task(let taskID) = new.attachedTo {
                guard let task = context.task, task.id == taskID, task.project == project.id else {
                    throw .notFound(kind: "task", id: taskID.rawValue)
                }
                if task.isDeleted { throw .taskDeleted(task.id) }
            }
            let title = try Text.singleLine(new.title, field: "title", bytesMax: limits.titleBytesMax)
            let file = try validFile(new.file, limits: limits)
            return [
                event(
                    DocumentAdded(
                        documentID: command.document, projectID: project.id, attachedTo: new.attachedTo, title: title, file: file,
                        uploader: actor.member))
            ]
        }
        guard let state else { throw .notFound(kind: "document", id: command.document.rawValue) }
        precondition(state.id == command.document, "the command service loaded the wrong document")
        precondition(state.project == project.id, "the context holds another project")

        switch command.action {
        case .add:
            preconditionFailure("handled above")

        case .addVersion(let file):
            try actor.require(.documentUpload)
            try requireChangeable(state, project)
            let file = try validFile(file, limits: limits)
            guard state.versions.count < limits.versionsPerDocumentMax else {
                throw .limitExceeded(field: "document versions", limit: limits.versionsPerDocumentMax, actual: state.versions.count + 1)
            }
            // Uploading the same bytes again makes no new version: retried uploads stay idempotent.
            if file == state.current.file { return [] }
            return [event(DocumentVersionAdded(documentID: state.id, version: state.versions.count + 1, file: file, uploader: actor.member))]

        case .share(let target):
            try actor.require(.documentUpload)
            try requireChangeable(state, project)
            let display = try shareDisplay(target, context: context, mustExist: true)
            guard !state.shares.contains(target) else { return [] }
            guard state.shares.count < limits.sharesPerDocumentMax else {
                throw .limitExceeded(field: "document shares", limit: limits.sharesPerDocumentMax, actual: state.shares.count + 1)
            }
            return [event(DocumentShared(documentID: state.id, with: target, withDisplay: display))]

        case .unshare(let target):
            try actor.require(.documentUpload)
            try requireChangeable(state, project)
            guard state.shares.contains(target) else { return [] }
            // A removed member can still be unshared: withdrawing access must always be possible.
            let display = try shareDisplay(target, context: context, mustExist: false)
            return [event(DocumentUnshared(documentID: state.id, with: target, withDisplay: display))]

        case .remove:
            // There is no `document.delete.any` in DOMAIN.md: only the uploader (or an admin) removes.
            guard actor.isAdmin || (state.uploader == actor.member && actor.has(.documentDeleteOwn)) else {
                throw .missingPermission(.documentDeleteOwn)
            }
            try ProjectDecider.requireActive(project)
            guard state.status == .available else { return [] }
            return [event(DocumentRemoved(documentID: state.id))]
        }
    }

    private static func requireChangeable(_ state: DocumentState, _ project: ProjectState) throws(DomainError) {
        try ProjectDecider.requireActive(project)
        if state.status == .deleted { throw .documentRemoved(state.id) }
    }

    private static func shareDisplay(_ target: DocumentShareTarget, context: DocumentContext, mustExist: Bool) throws(DomainError) -> String {
        switch target {
        case .member(let member):
            if mustExist { return try WorkspaceDecider.activeMember(member, in: context.workspace).displayName }
            return context.workspace.displayName(of: member)
        case .role(let role):
            return role.rawValue
        }
    }

    /// The file's metadata checked: a plain file name, a media type, a size within the limit, a SHA-256.
    static func validFile(_ file: DocumentFile, limits: Limits) throws(DomainError) -> DocumentFile {
        var valid = file
        valid.fileName = try Text.singleLine(file.fileName, field: "fileName", bytesMax: limits.nameBytesMax)
        // A path in a file name would become one wherever the file is saved.
        if valid.fileName.contains("/") || valid.fileName.contains("\\") || valid.fileName == "." || valid.fileName == ".." {
            throw .validationFailed(field: "fileName", reason: "must be a file name, not a path")
        }
        valid.contentType = try validContentType(file.contentType)
        guard file.sizeBytes >= 0 else { throw .validationFailed(field: "sizeBytes", reason: "must not be negative") }
        guard file.sizeBytes <= limits.documentBytesMax else {
            throw .documentTooLarge(limit: limits.documentBytesMax, actual: file.sizeBytes)
        }
        valid.sha256 = try validSHA256(file.sha256, field: "sha256")
        return valid
    }

    /// `type/subtype` (parameters allowed), lower-cased: RFC 6838 names are case-insensitive.
    private static func validContentType(_ text: String) throws(DomainError) -> String {
        let lowered = Text.trimmingWhitespace(text).lowercased()
        let essence = lowered.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let parts = essence.split(separator: "/", omittingEmptySubsequences: false)
        let token = { (part: Substring) -> Bool in
            !part.isEmpty && part.utf8.count <= 127
                && part.utf8.allSatisfy {
                    ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
                        || Array("!#$&-^_.+".utf8).contains($0)
                }
        }
        guard lowered.utf8.count <= 255, parts.count == 2, token(parts[0]), token(parts[1]),
            !lowered.unicodeScalars.contains(where: isControl)
        else { throw .validationFailed(field: "contentType", reason: "not a media type like application/pdf") }
        return lowered
    }
}

/// 64 lower-case hex digits (a SHA-256); upper case is accepted and lowered, so one digest has one spelling.
func validSHA256(_ text: String, field: String) throws(DomainError) -> String {
    let lowered = text.lowercased()
    guard lowered.utf8.count == 64,
        lowered.utf8.allSatisfy({ ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f")) })
    else { throw .validationFailed(field: field, reason: "must be a SHA-256 as 64 hex digits") }
    return lowered
}
