import EventLog
import Foundation
import TestSupport
import Testing

/// The auditor and operator commands through the real binary: verify (checkpoints, incremental,
/// backups), checkpoint, backup, restore (with the built-in projections), export and redact, on the
/// month-long fixture history of the projection tests.
@Suite("CLI: verify, checkpoint, backup, restore, export, redact")
struct AuditCLITests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let projections = repository + "/Projections"

    /// A workspace `acme` holding the fixture history (~500 domain events), appended 25 events at a time.
    private func fixtureWorkspace(_ directory: TestDirectory, count: Int = .max) throws {
        let history = try String(contentsOfFile: Self.repository + "/Fixtures/projections/history.ndjson", encoding: .utf8)
        var input: [String] = []
        for line in history.split(separator: "\n").prefix(count) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            var extensions: [String: Any] = [:]
            for key in ["actor", "actorkind", "tokenid", "origin"] { if let value = object[key] as? String { extensions[key] = value } }
            let append: [String: Any] = ["stream": object["subject"]!, "type": object["type"]!, "data": object["data"]!, "extensions": extensions]
            input.append(String(decoding: try JSONSerialization.data(withJSONObject: append, options: [.sortedKeys]), as: UTF8.self))
        }
        var start = 0
        while start < input.count {
            let chunk = input[start..<min(start + 25, input.count)].joined(separator: "\n") + "\n"
            let appended = try taskledger(["log", "append", "--data", directory.path, "--workspace", "acme"], stdin: chunk)
            #expect(appended.status == 0, "\(appended.stderr)")
            start += 25
        }
    }

    @Test("verify against checkpoints: 0 when the log matches, 7 when history was rewritten, 8 for a forged signature")
    func checkpoints() throws {
        let directory = TestDirectory()
        try fixtureWorkspace(directory, count: 60)
        let data = ["--data", directory.path, "--workspace", "acme"]
        let signed = try taskledger(["checkpoint", "sign"] + data)
        #expect(signed.status == 0, "\(signed.stderr)")
        let file = directory.path + "/cp.json"
        try signed.stdout.write(toFile: file, atomically: true, encoding: .utf8)
        let key = try taskledger(["checkpoint", "key", "--data", directory.path])
        let publicKey = String(try #require(key.stdout.lines.first).dropFirst("public key ".count))
        let listed = try taskledger(["checkpoint", "list"] + data)
        #expect(listed.stdout.lines.count == 1)

        // More events: the checkpoint still matches its prefix.
        try fixtureWorkspace(directory, count: 0)
        let ok = try taskledger(["verify"] + data + ["--checkpoint", file, "--public-key", publicKey])
        #expect(ok.status == 0 && ok.stdout.contains("the log matches it"), "\(ok.stdout)\(ok.stderr)")

        // Another log of the same workspace with one payload changed and every hash recomputed.
        let forged = TestDirectory("forged")
        let history = try String(contentsOfFile: Self.repository + "/Fixtures/projections/history.ndjson", encoding: .utf8)
        let first = try taskledger(["log", "read", "--data", directory.path, "--workspace", "acme", "--limit", "60"])
        #expect(first.status == 0 && !history.isEmpty)
        var lines = first.stdout.lines.map(String.init)
        lines[10] = lines[10].replacingOccurrences(of: #""data":{"#, with: #""data":{"forged":true,"#)
        for batch in stride(from: 0, to: lines.count, by: 7) {
            let chunk = lines[batch..<min(batch + 7, lines.count)].map { line -> String in
                let object = try! JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
                let append: [String: Any] = ["stream": object["subject"]!, "type": object["type"]!, "data": object["data"]!]
                return String(decoding: try! JSONSerialization.data(withJSONObject: append), as: UTF8.self)
            }
            _ = try taskledger(["log", "append", "--data", forged.path, "--workspace", "acme"], stdin: chunk.joined(separator: "\n") + "\n")
        }
        let rewritten = try taskledger(["verify", "--data", forged.path, "--workspace", "acme", "--checkpoint", file])
        #expect(rewritten.status == 7, "\(rewritten.stdout)\(rewritten.stderr)")
        #expect(rewritten.stderr.contains("history was rewritten"))
        #expect(try taskledger(["verify", "--data", forged.path, "--workspace", "acme"]).status == 0)

        // A checkpoint whose position was edited no longer carries a valid signature.
        let edited = signed.stdout.replacingOccurrences(of: #""position":"#, with: #""position":1"#)
        try edited.write(toFile: file + ".edited", atomically: true, encoding: .utf8)
        let forgedSignature = try taskledger(["verify"] + data + ["--checkpoint", file + ".edited"])
        #expect(forgedSignature.status == 8 && forgedSignature.stderr.contains("signature"))
        // Signed by another key than the pinned one.
        let wrongKey = try taskledger(["verify"] + data + ["--checkpoint", file, "--public-key", String(repeating: "0", count: 64)])
        #expect(wrongKey.status == 8)
    }

    @Test("verify --incremental reads only the new events; --json reports them")
    func incremental() throws {
        let directory = TestDirectory()
        try fixtureWorkspace(directory, count: 100)
        let data = ["--data", directory.path, "--workspace", "acme"]
        #expect(try taskledger(["verify"] + data).status == 0)
        try fixtureWorkspace(directory, count: 14)
        let again = try taskledger(["verify", "--incremental", "--json"] + data)
        #expect(again.status == 0, "\(again.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])
        #expect(report["incrementalFrom"] as? Int == 100 && report["events"] as? Int == 114 && report["ok"] as? Bool == true)
    }

    @Test("backup, restore with projections: the same events and the same read models")
    func backupAndRestore() throws {
        let directory = TestDirectory()
        try fixtureWorkspace(directory)
        let data = ["--data", directory.path, "--workspace", "acme"]
        let backup = directory.path + "/backup"
        let first = try taskledger(["backup"] + data + ["--to", backup, "--json"])
        #expect(first.status == 0, "\(first.stderr)")
        let again = try taskledger(["backup"] + data + ["--to", backup, "--json"])
        #expect(again.stdout.contains(#""bytesCopied":0"#))
        #expect(try taskledger(["verify", "--backup", backup]).status == 0)

        let restored = directory.path + "/restored"
        let restore = try taskledger(["restore", "--from", backup, "--data", restored, "--projections", Self.projections])
        #expect(restore.status == 0, "\(restore.stdout)\(restore.stderr)")
        #expect(restore.stdout.contains("built 6 projections"))
        #expect(try taskledger(["restore", "--from", backup, "--data", restored]).status == 2)

        #expect(try taskledger(["projections", "catch-up", "--projections", Self.projections] + data).status == 0)
        let source = try taskledger(["log", "read"] + data)
        let copy = try taskledger(["log", "read", "--data", restored, "--workspace", "acme"])
        #expect(source.stdout == copy.stdout && !source.stdout.isEmpty)
        for (projection, query, parameters) in [
            ("board", "columns", ["--param", "project=web"]), ("progress", "summary", ["--param", "project=web"]),
            ("progress", "burndown", ["--param", "project=web"]), ("task", "tasks", ["--param", "project=ops", "--limit", "200"]),
            ("audit", "events", ["--limit", "500"]), ("activity", "activity", []),
        ] {
            let options = ["--projections", Self.projections, "--workspace", "acme"]
            let a = try taskledger(["projections", "query", projection, query] + parameters + options + ["--data", directory.path])
            let b = try taskledger(["projections", "query", projection, query] + parameters + options + ["--data", restored])
            #expect(a.status == 0 && a.stdout == b.stdout, "\(projection).\(query): \(a.stderr)\(b.stderr)")
        }
    }

    @Test("export: NDJSON as stored, CSV with filters by actor, project, type and time")
    func export() throws {
        let directory = TestDirectory()
        try fixtureWorkspace(directory)
        let data = ["--data", directory.path, "--workspace", "acme"]
        let all = try taskledger(["export"] + data)
        #expect(all.stdout == (try taskledger(["log", "read"] + data)).stdout)
        let byActor = try taskledger(["export", "--format", "csv", "--actor", "dev2"] + data)
        let rows = byActor.stdout.split(separator: "\r\n")
        #expect(rows.first == "position,time,type,stream,streamversion,actor,tokenid,origin,id,data")
        #expect(rows.count > 5 && rows.dropFirst().allSatisfy { $0.split(separator: ",")[5] == "dev2" })
        let created = try taskledger(["export", "--project", "ops", "--type", "TaskCreated"] + data)
        #expect(!created.stdout.isEmpty && created.stdout.lines.allSatisfy { $0.contains(#""projectID":"ops""#) })
        let ops = try taskledger(["export", "--project", "ops"] + data)
        #expect(ops.stdout.lines.allSatisfy { $0.contains("ops") })
        #expect(ops.stdout.lines.contains { $0.contains(#""type":"CommentAdded""#) })
        let early = try taskledger(["export", "--until", "2000-01-01T00:00:00Z"] + data)
        #expect(early.status == 0 && early.stdout.isEmpty)
        #expect(try taskledger(["export", "--since", "yesterday"] + data).status != 0)
    }

    @Test("redact --member: gone from the log and the read models, the chain verifies, the audit trail shows the redaction")
    func redactMember() throws {
        let directory = TestDirectory()
        try fixtureWorkspace(directory)
        let data = ["--data", directory.path, "--workspace", "acme"]
        #expect(try taskledger(["projections", "catch-up", "--projections", Self.projections] + data).status == 0)
        let before = try taskledger(["log", "read"] + data).stdout
        #expect(before.contains("Dora Diaz"))
        let refused = try taskledger(["redact", "--member", "dev2", "--by", "admin"] + data)
        #expect(refused.status != 0 && refused.stderr.contains("--reason"))

        let redacted = try taskledger(["redact", "--member", "dev2", "--by", "admin", "--reason", "erasure request 42"] + data)
        #expect(redacted.status == 0, "\(redacted.stderr)")
        #expect(redacted.stdout.contains("recorded EventsRedacted at position"))
        let after = try taskledger(["log", "read"] + data).stdout
        #expect(!after.contains("Dora Diaz") && !after.contains("dora@"))
        let verify = try taskledger(["verify"] + data)
        #expect(verify.status == 0 && verify.stdout.contains("redactions:"), "\(verify.stdout)\(verify.stderr)")
        // Segments read with lz4 alone no longer hold the name either.
        if let lz4 = which("lz4") {
            for segment in directory.segments() {
                let plain = try run(lz4, ["-dc", segment])
                #expect(!String(decoding: plain.stdout, as: UTF8.self).contains("Dora Diaz"))
            }
        }
        // The bash auditor agrees: it hashes a redacted line through its kept digest.
        if which("lz4") != nil, which("xxd") != nil, which("jq") != nil {
            let script = Self.repository + "/scripts/audit-segment.sh"
            let audited = try run("/bin/bash", [script, "acme"] + directory.segments())
            #expect(audited.status == 0, "\(String(decoding: audited.stderr, as: UTF8.self))")
        }
        // Projections were dropped and rebuild without the data; the audit trail lists the redaction.
        #expect(try taskledger(["projections", "catch-up", "--projections", Self.projections] + data).status == 0)
        let audit = try taskledger(
            ["projections", "query", "audit", "events", "--param", "type=EventsRedacted", "--projections", Self.projections] + data)
        #expect(audit.status == 0 && audit.stdout.contains("EventsRedacted"), "\(audit.stdout)\(audit.stderr)")
        let everything = try taskledger(["projections", "query", "audit", "events", "--limit", "1000", "--projections", Self.projections] + data)
        #expect(!everything.stdout.contains("Dora Diaz"))
        // Nothing left to do; a field that is not a string is refused.
        #expect(try taskledger(["redact", "--resume"] + data).stdout.contains("no pending"))
        let bad = try taskledger(["redact", "--field", "2:/role/x", "--by", "admin", "--reason", "r"] + data)
        #expect(bad.status == 2)
    }
}
