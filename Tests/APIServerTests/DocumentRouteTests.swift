import APIServer
import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("HTTP: documents")
struct DocumentRouteTests {
    @Test("upload stores the bytes by SHA-256 and records only their digest; download returns them; a damaged blob is detected")
    func uploadAndDownload() async throws {
        let harness = try await ServerHarness.make()
        try await harness.application.test(.router) { client in
            let ws = "/v1/workspaces/acme"
            let bytes = Array("%PDF-1.7 quarterly report\n".utf8) + (0..<2_000).map { UInt8($0 % 251) }
            let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
            var headers = harness.headers("dev", json: false)
            headers[.contentType] = "application/pdf"
            let uploaded = try await client.execute(
                uri: ws + "/projects/p1/documents?id=d1&title=Q3%20report&fileName=q3.pdf", method: .post, headers: headers,
                body: ByteBuffer(bytes: bytes))
            #expect(uploaded.status == .created, "\(uploaded.text)")
            let events = try await client.execute(uri: ws + "/events?type=DocumentAdded", method: .get, headers: harness.headers("auditor"))
            #expect(events.text.contains(digest))
            #expect(!events.text.contains("quarterly report"), "the bytes are never in an event")

            let downloaded = try await client.execute(uri: ws + "/documents/d1/content", method: .get, headers: harness.headers("dev", json: false))
            #expect(downloaded.status == .ok)
            #expect(Array(downloaded.body.readableBytesView) == bytes)
            #expect(downloaded.headers[.contentType] == "application/pdf")
            #expect(downloaded.headers[.contentDisposition]?.contains("q3.pdf") == true)
            #expect(downloaded.headers[.eTag] == "\"\(digest)\"")
            // The digest as a tag: a cache holding the bytes gets a 304, whichever way it sends the tag.
            for tags in ["\"\(digest)\"", "W/\"\(digest)\"", "\"p1\", \"\(digest)\"", "*"] {
                let again = try await client.execute(
                    uri: ws + "/documents/d1/content", method: .get, headers: harness.headers("dev", json: false, [.ifNoneMatch: tags]))
                #expect(again.status == .notModified && again.body.readableBytes == 0, "\(tags)")
                #expect(again.headers[.eTag] == "\"\(digest)\"")
            }
            try await client.execute(
                uri: ws + "/documents/d1/content", method: .get,
                headers: harness.headers("dev", json: false, [.ifNoneMatch: "\"0\(digest.dropFirst())\""])
            ) { #expect($0.status == .ok && $0.body.readableBytes == bytes.count) }

            // Damage the stored blob: the next read detects it instead of serving wrong bytes.
            let blobs = harness.directory.path + "/workspaces/acme/documents"
            let enumerator = FileManager.default.enumerator(atPath: blobs)
            var damagedPaths: [String] = []
            while let name = enumerator?.nextObject() as? String {
                let path = blobs + "/" + name
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue, name.contains(digest.prefix(8)) {
                    var damaged = try Data(contentsOf: URL(fileURLWithPath: path))
                    damaged[10] ^= 0xFF
                    try damaged.write(to: URL(fileURLWithPath: path))
                    damagedPaths.append(path)
                }
            }
            let broken = try await client.execute(uri: ws + "/documents/d1/content", method: .get, headers: harness.headers("dev", json: false))
            #expect(broken.status == .internalServerError)
            #expect(broken.json["code"] as? String == "document-corrupted")
            // A HEAD reads no bytes: it states the recorded length (and so cannot see the damage).
            #expect(damagedPaths.count == 1)
            let head = try await client.execute(uri: ws + "/documents/d1/content", method: .head, headers: harness.headers("dev", json: false))
            #expect(head.status == .ok && head.headers[.contentLength] == String(bytes.count) && head.body.readableBytes == 0)
            #expect(head.headers[.eTag] == "\"\(digest)\"" && head.headers[.contentType] == "application/pdf")
            // Lose the blob: the document is still recorded, so GET and HEAD both say the server lost its
            // bytes (a 500 naming them), not that the document does not exist.
            for path in damagedPaths { try FileManager.default.removeItem(atPath: path) }
            for method in [HTTPRequest.Method.get, .head] {
                let lost = try await client.execute(uri: ws + "/documents/d1/content", method: method, headers: harness.headers("dev", json: false))
                #expect(lost.status == .internalServerError, "\(method)")
                if method == .get {
                    #expect(lost.json["code"] as? String == "document-missing")
                    #expect((lost.json["detail"] as? String)?.contains(digest) == true)
                }
            }
            try await client.execute(uri: ws + "/documents/nope/content", method: .get, headers: harness.headers("dev", json: false)) {
                #expect($0.status == .notFound)
            }
        }
        await harness.close()
    }
}

@Suite("HTTP: document uploads and Idempotency-Key")
struct DocumentIdempotencyTests {
    @Test("a retried upload replays its answer; the same key with other bytes is 422, not a replay")
    func retriedUpload() async throws {
        let harness = try await ServerHarness.make()
        try await harness.application.test(.router) { client in
            let uri = "/v1/workspaces/acme/projects/p1/documents?id=d1&title=Notes&fileName=notes.txt"
            var headers = harness.headers("dev", json: false, [.init("Idempotency-Key")!: "upload-1"])
            headers[.contentType] = "text/plain"
            let first = try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: "first draft"))
            #expect(first.status == .created)
            let again = try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: "first draft"))
            #expect(again.headers[.init("Idempotent-Replayed")!] == "true")
            let other = try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: "second draft"))
            #expect(other.status == .unprocessableContent)
            #expect(other.json["code"] as? String == "idempotency-key-reused")
        }
        await harness.close()
    }
}
