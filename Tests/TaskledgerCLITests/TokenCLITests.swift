import Foundation
import TestSupport
import Testing

@Suite("CLI: token issue, list and revoke (offline)")
struct TokenCLITests {
    @Test("without --as, a token is issued by the member when an admin, else by the first active admin; bad input exits non-zero")
    func issuerDefaults() throws {
        let directory = TestDirectory()
        let data = ["--data", directory.path, "--workspace", "acme"]
        // A workspace whose admin is not called `admin` (the demo company's is `ada`).
        let created = try taskledger(["init"] + data + ["--admin-id", "ada", "--admin-name", "Ada"])
        #expect(created.status == 0, "\(created.stderr)")

        let issued = try taskledger(["token", "issue"] + data + ["--member", "ada", "--name", "CI deploys"])
        #expect(issued.status == 0, "\(issued.stderr)")
        #expect(issued.stdout.hasPrefix("token k-") && issued.stdout.contains(" for ada ") && issued.stdout.contains("tl_acme."))
        let id = try #require(issued.stdout.split(separator: " ").dropFirst().first.map(String.init))

        let revoked = try taskledger(["token", "revoke"] + data + [id, "--reason", "rotated"])
        #expect(revoked.status == 0, "\(revoked.stderr)")
        let listed = try taskledger(["token", "list"] + data)
        #expect(listed.stdout.lines.contains { $0.hasPrefix("\(id)\tada\trevoked\t") }, "\(listed.stdout)")

        // Who issued and revoked it is recorded: ada, the workspace's only admin.
        let events = try taskledger(["log", "read"] + data).stdout.lines.filter { $0.contains(#""token-\#(id)""#) }
        #expect(events.count == 2 && events.allSatisfy { $0.contains(#""actor":"ada""#) }, "\(events)")

        // One line and a non-zero exit for each mistake; nothing is appended.
        let before = try taskledger(["log", "read"] + data).stdout.lines.count
        let unknown = try taskledger(["token", "issue"] + data + ["--member", "nobody", "--name", "x"])
        #expect(unknown.status != 0 && unknown.stderr == "taskledger: not-found: member \"nobody\" does not exist\n", "\(unknown.stderr)")
        let impostor = try taskledger(["token", "issue"] + data + ["--member", "ada", "--name", "x", "--as", "nobody"])
        #expect(impostor.status != 0 && impostor.stderr.lines.count == 1 && impostor.stderr.contains("nobody"), "\(impostor.stderr)")
        #expect(try taskledger(["log", "read"] + data).stdout.lines.count == before)
    }
}
