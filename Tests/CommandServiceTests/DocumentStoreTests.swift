import CommandService
import EventLog
import Foundation
import TestSupport
import Testing

@Suite("Documents, content-addressed")
struct DocumentStoreTests {
    @Test("stored by SHA-256, read back, stored once")
    func roundTrip() throws {
        let directory = TestDirectory()
        let store = try DocumentStore(workspaceDirectory: directory.path + "/workspaces/acme")
        let bytes = Array("Quarterly budget, v3 — ✓".utf8)
        let first = try store.put(bytes)
        #expect(first.isNew && first.size == bytes.count)
        #expect(first.digest.description == sha256sum(bytes))
        #expect(try store.get(first.digest) == bytes)
        let again = try store.put(bytes)
        #expect(again.digest == first.digest && !again.isNew)
        let files = try FileManager.default.subpathsOfDirectory(atPath: directory.path + "/workspaces/acme/documents")
        #expect(files.filter { !$0.contains("/.tmp") && $0.count > 3 }.count == 1, "\(files)")
    }

    @Test("a corrupted blob is detected on read; a missing one is not-found; size is limited")
    func damageAndLimits() throws {
        let directory = TestDirectory()
        let store = try DocumentStore(workspaceDirectory: directory.path + "/w", documentBytesMax: 1_000)
        let stored = try store.put([UInt8](repeating: 7, count: 1_000))
        let hex = stored.digest.description
        let path = directory.path + "/w/documents/\(hex.prefix(2))/\(hex)"
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        data[500] ^= 1
        try data.write(to: URL(fileURLWithPath: path))
        #expect(throws: DocumentStoreError.self) { _ = try store.get(stored.digest) }
        do {
            _ = try store.get(stored.digest)
        } catch {
            #expect(error.code == "document-corrupted")
        }
        #expect(throws: DocumentStoreError.tooLarge(bytes: 1_001, limit: 1_000)) { _ = try store.put([UInt8](repeating: 1, count: 1_001)) }
        let missing = Digest32(hex: String(repeating: "ab", count: 32))!
        #expect(throws: DocumentStoreError.notFound(missing)) { _ = try store.get(missing) }
    }

    /// The digest as `sha256sum` prints it, computed by the real tool.
    func sha256sum(_ bytes: [UInt8]) -> String {
        let result = try! run("/usr/bin/sha256sum", [], stdin: Data(bytes))
        return String(String(decoding: result.stdout, as: UTF8.self).prefix(64))
    }
}
