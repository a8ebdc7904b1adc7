import Testing

@testable import Workflow

@Suite struct DocumentTests {
    static let file = DocumentFile(fileName: "spec.pdf", contentType: "application/pdf", sizeBytes: 1_000, sha256: String(repeating: "ab", count: 32))

    static func world() throws -> World {
        var world = Fixture.world()
        try Fixture.task("t1", in: &world)
        return world
    }

    static func add(_ id: DocumentID = "d1", to attachment: DocumentAttachment = .task("t1"), file: DocumentFile = file) -> DocumentAction {
        .add(NewDocument(attachedTo: attachment, title: "Specification", file: file))
    }

    @Test func uploadRecordsMetadataAndDigestOnly() throws {
        var world = try Self.world()
        var file = Self.file
        file.sha256 = file.sha256.uppercased()
        file.contentType = "Application/PDF"
        let events = try world.document("d1", Self.add(file: file), by: "dev")
        #expect(events.map(\.stream) == [.document("d1")])
        let document = try #require(world.documents["d1"])
        #expect(document.current.file.sha256 == String(repeating: "ab", count: 32))
        #expect(document.current.file.contentType == "application/pdf")
        #expect(document.uploader == "dev" && document.status == .available && document.attachedTo == .task("t1"))
        #expect(refusal { try world.document("d1", Self.add(), by: "dev") } == "already-exists")
        #expect(refusal { try world.document("d2", Self.add(to: .project), by: "dev") } == nil)
    }

    @Test func uploadNeedsDocumentUploadAndALiveTaskOfTheProject() throws {
        var world = try Self.world()
        #expect(refusal { try world.document("d1", Self.add(), by: "viewer") } == "missing-permission")
        #expect(refusal { try world.document("d1", Self.add(), by: "auditor") } == "missing-permission")
        #expect(refusal { try world.document("d1", Self.add(to: .task("t9")), by: "dev") } == "not-found")
        try world.task("t1", .delete, by: "pm")
        #expect(refusal { try world.document("d1", Self.add(), by: "dev") } == "task-deleted")
    }

    @Test func fileMetadataIsValidated() throws {
        var world = try Self.world()
        var file = Self.file
        file.sha256 = "abc"
        #expect(refusal { try world.document("d1", Self.add(file: file), by: "dev") } == "validation-failed")
        file = Self.file
        file.fileName = "../etc/passwd"
        #expect(refusal { try world.document("d1", Self.add(file: file), by: "dev") } == "validation-failed")
        file = Self.file
        file.contentType = "pdf"
        #expect(refusal { try world.document("d1", Self.add(file: file), by: "dev") } == "validation-failed")
        file = Self.file
        file.sizeBytes = -1
        #expect(refusal { try world.document("d1", Self.add(file: file), by: "dev") } == "validation-failed")
    }

    @Test func documentsHaveASizeLimitWithItsOwnCode() throws {
        var world = try Self.world()
        world.limits.documentBytesMax = 1_000
        var file = Self.file
        file.sizeBytes = 1_001
        #expect(refusal { try world.document("d1", Self.add(file: file), by: "dev") } == "document-too-large")
        #expect(refusal { try world.document("d1", Self.add(), by: "dev") } == nil)
        #expect(refusal { try world.document("d1", .addVersion(file), by: "dev") } == "document-too-large")
    }

    @Test func versionsCountUpAndTheSameBytesMakeNoNewVersion() throws {
        var world = try Self.world()
        try world.document("d1", Self.add(), by: "dev")
        #expect(try world.document("d1", .addVersion(Self.file), by: "dev").isEmpty)
        var next = Self.file
        next.sha256 = String(repeating: "cd", count: 32)
        try world.document("d1", .addVersion(next), by: "dev2")
        #expect(world.documents["d1"]?.versions.map(\.number) == [1, 2])
        #expect(world.documents["d1"]?.current.uploader == "dev2")
        world.limits.versionsPerDocumentMax = 2
        next.sha256 = String(repeating: "ef", count: 32)
        #expect(refusal { try world.document("d1", .addVersion(next), by: "dev") } == "limit-exceeded")
        #expect(refusal { try world.document("d1", .addVersion(next), by: "viewer") } == "missing-permission")
    }

    @Test func sharingWidensWhoReads() throws {
        var world = try Self.world()
        try world.document("d1", Self.add(), by: "dev")
        let outsider = try world.actor("outsider", project: "p1")
        #expect(world.documents["d1"]?.isReadable(by: outsider) == false)
        #expect(world.documents["d1"]?.isReadable(by: try world.actor("viewer", project: "p1")) == true)
        #expect(refusal { try world.document("d1", .share(.member("ghost")), by: "dev") } == "not-found")
        #expect(refusal { try world.document("d1", .share(.member("outsider")), by: "viewer") } == "missing-permission")
        try world.document("d1", .share(.member("outsider")), by: "dev")
        #expect(world.documents["d1"]?.isReadable(by: outsider) == true)
        #expect(try world.document("d1", .share(.member("outsider")), by: "dev").isEmpty)
        try world.document("d1", .unshare(.member("outsider")), by: "dev")
        #expect(world.documents["d1"]?.isReadable(by: outsider) == false)
        try world.document("d1", .share(.role(.member)), by: "dev")
        #expect(world.documents["d1"]?.isReadable(by: outsider) == true)
        world.limits.sharesPerDocumentMax = 1
        #expect(refusal { try world.document("d1", .share(.member("qa")), by: "dev") } == "limit-exceeded")
    }

    @Test func onlyTheUploaderOrAnAdminRemoves() throws {
        var world = try Self.world()
        try world.document("d1", Self.add(), by: "dev")
        #expect(refusal { try world.document("d1", .remove, by: "dev2") } == "missing-permission")
        #expect(refusal { try world.document("d1", .remove, by: "pm") } == "missing-permission")
        #expect(refusal { try world.document("d1", .remove, by: "dev") } == nil)
        #expect(world.documents["d1"]?.status == .deleted)
        #expect(try world.document("d1", .remove, by: "dev").isEmpty)
        #expect(refusal { try world.document("d1", .share(.member("qa")), by: "dev") } == "document-removed")
        try world.document("d2", Self.add(), by: "dev")
        #expect(refusal { try world.document("d2", .remove, by: "admin") } == nil)
        #expect(refusal { try world.document("d9", .remove, by: "admin") } == "not-found")
    }
}
