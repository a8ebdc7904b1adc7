import APIServer
import EventLog
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("HTTP: signed checkpoints")
struct CheckpointRouteTests {
    @Test("an auditor signs and reads checkpoints that verify against the log; a developer may not; 404 before the first")
    func checkpoints() async throws {
        let harness = try await ServerHarness.make()
        try await harness.application.test(.router) { client in
            try await client.execute(uri: "/v1/workspaces/acme/checkpoints/latest", method: .get, headers: harness.headers("auditor")) {
                #expect($0.status == .notFound)
                #expect($0.text.contains("no-checkpoint"))
            }
            try await client.execute(uri: "/v1/workspaces/acme/checkpoints", method: .post, headers: harness.headers("dev")) {
                #expect($0.status == .forbidden)
            }
            let created = try await client.execute(uri: "/v1/workspaces/acme/checkpoints", method: .post, headers: harness.headers("auditor"))
            #expect(created.status == .created)
            let checkpoint = try SignedCheckpoint.decode(Array(created.text.utf8))
            #expect(checkpoint.hasValidSignature && checkpoint.workspace == "acme" && checkpoint.position > 0)

            // The checkpoint names the log's real chain hash at that position.
            let report = try LogVerifier(dataDirectory: harness.directory.path, workspace: "acme").verify(watching: [checkpoint.position])
            #expect(report.hashes[checkpoint.position]?.description == checkpoint.chainHash)

            _ = try await client.execute(
                uri: "/v1/workspaces/acme/projects/p1/tasks", method: .post, headers: harness.headers("dev"), body: body(#"{"title":"after"}"#))
            let second = try await client.execute(uri: "/v1/workspaces/acme/checkpoints", method: .post, headers: harness.headers("acme-admin"))
            #expect(second.status == .created)
            let latest = try await client.execute(uri: "/v1/workspaces/acme/checkpoints/latest", method: .get, headers: harness.headers("auditor"))
            #expect(try SignedCheckpoint.decode(Array(latest.text.utf8)) == (try SignedCheckpoint.decode(Array(second.text.utf8))))

            let list = try await client.execute(uri: "/v1/workspaces/acme/checkpoints?limit=1", method: .get, headers: harness.headers("auditor"))
            let object = try #require(try JSONSerialization.jsonObject(with: Data(list.text.utf8)) as? [String: Any])
            #expect(object["total"] as? Int == 2 && (object["checkpoints"] as? [Any])?.count == 1)
            #expect(object["publicKey"] as? String == checkpoint.publicKey)
            try await client.execute(uri: "/v1/workspaces/acme/checkpoints?limit=0", method: .get, headers: harness.headers("auditor")) {
                #expect($0.status == .badRequest)
            }
            // Another workspace's token sees only its own workspace.
            try await client.execute(uri: "/v1/workspaces/acme/checkpoints", method: .get, headers: harness.headers("globex-admin")) {
                #expect($0.status == .notFound)
            }
        }
        await harness.close()
    }
}
