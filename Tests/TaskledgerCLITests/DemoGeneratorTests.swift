import Crypto
import DemoData
import EventLog
import Foundation
import TestSupport
import Testing

/// `taskledger demo generate` and the `DemoData` library: reproducible bytes, and a history that looks
/// like a company's (every role, rejected approvals, refused attempts, a heavy tail of busy streams).
@Suite("demo generator", .serialized)
struct DemoGeneratorTests {
    /// SHA-256 of every segment file of `workspace`, in file order.
    private func segmentDigests(_ directory: TestDirectory, _ workspace: String) throws -> [String] {
        try directory.segments(workspace).map { path in
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            return SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        }
    }

    private func generate(_ directory: TestDirectory, seed: UInt64, events: Int = 3_000, workspaces: Int = 1) throws {
        let result = try taskledger([
            "demo", "generate", "--data", directory.path, "--seed", String(seed), "--events", String(events), "--workspaces", String(workspaces),
            "--quiet",
        ])
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test("the same seed gives the same segment bytes, through the real binary; another seed does not")
    func sameSeedSameBytes() throws {
        let first = TestDirectory()
        let second = TestDirectory()
        let other = TestDirectory()
        try generate(first, seed: 7)
        try generate(second, seed: 7)
        try generate(other, seed: 8)
        let digests = try segmentDigests(first, "demo")
        #expect(!digests.isEmpty)
        #expect(digests == (try segmentDigests(second, "demo")))
        #expect(digests != (try segmentDigests(other, "demo")))
        // The content-addressed documents are part of the history too.
        let documents = { (directory: TestDirectory) in
            (FileManager.default.enumerator(atPath: directory.path + "/workspaces/demo/documents")?.allObjects as? [String] ?? []).sorted()
        }
        #expect(documents(first) == documents(second))
    }

    @Test("make run's history (seed 42, 20,000 events) is byte for byte the one Fixtures/demo records")
    func fixtureDigest() throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/demo/seed-42-events-20000.sha256")
        let expected = try String(contentsOf: fixture, encoding: .utf8).split(separator: "\n").map {
            $0.split(separator: " ").first.map(String.init) ?? ""
        }
        let directory = TestDirectory()
        try generate(directory, seed: 42, events: 20_000)
        #expect(try segmentDigests(directory, "demo") == expected)
    }

    @Test("several workspaces are generated concurrently, each still reproducible")
    func workspacesConcurrently() throws {
        let first = TestDirectory()
        let second = TestDirectory()
        try generate(first, seed: 3, events: 2_000, workspaces: 2)
        try generate(second, seed: 3, events: 2_000, workspaces: 2)
        for name in ["demo-1", "demo-2"] {
            #expect(try segmentDigests(first, name) == segmentDigests(second, name))
        }
        #expect(try segmentDigests(first, "demo-1") != segmentDigests(first, "demo-2"))
    }

    @Test("the generated log verifies, and generating into an existing workspace is refused")
    func verifiesAndRefusesExisting() throws {
        let directory = TestDirectory()
        try generate(directory, seed: 42, events: 1_000)
        let verify = try taskledger(["log", "verify", "--data", directory.path, "--workspace", "demo"])
        #expect(verify.status == 0, "\(verify.stderr)")
        let again = try taskledger(["demo", "generate", "--data", directory.path, "--events", "100", "--quiet"])
        #expect(again.status == 2)
        #expect(again.stderr.contains("already exists"))
    }

    @Test("the history has every role, rejected approvals, AccessDenied, reminders, sprints, documents and a heavy tail")
    func shape() async throws {
        let directory = TestDirectory()
        let report = try await DemoGenerator.generate(
            dataDirectory: directory.path, configuration: DemoConfiguration(seed: 42, events: 5_000))
        #expect(report.events >= 5_000)
        let log = try EventLog.open(dataDirectory: directory.path, workspace: "demo", options: testOptions())
        var types: [String: Int] = [:]
        var streams: [String: Int] = [:]
        var roles: Set<String> = ["admin"]  // the founder's
        var first: Timestamp?
        var last: Timestamp?
        var position: UInt64 = 1
        while true {
            let page = try log.read(from: position, maxCount: 4_096)
            guard let end = page.last else { break }
            position = end.position + 1
            for event in page {
                types[event.type, default: 0] += 1
                streams[event.stream, default: 0] += 1
                if first == nil { first = event.time }
                last = event.time
                if event.type == "MemberAdded" || event.type == "ProjectMemberAdded",
                    let data = try JSONSerialization.jsonObject(with: Data(event.data)) as? [String: Any], let role = data["role"] as? String
                {
                    roles.insert(role)
                }
            }
        }
        await log.close()
        #expect(roles.isSuperset(of: ["admin", "member", "guest", "auditor", "project_manager", "viewer"]), "\(roles.sorted())")
        for type in [
            "WorkspaceCreated", "WorkflowCreated", "ProjectCreated", "TaskCreated", "TaskMoved", "TaskCompleted", "CommentAdded",
            "ApprovalRequested", "ApprovalGranted", "ApprovalRejected", "AccessDenied", "ReminderFired", "DocumentAdded",
            "MilestoneCreated", "SprintStarted", "SprintClosed", "ReminderRuleCreated",
        ] {
            #expect(types[type, default: 0] > 0, "no \(type) in \(types.keys.sorted())")
        }
        // About 90 days of simulated working time.
        let span = Double((last?.unixMicros ?? 0) - (first?.unixMicros ?? 0)) / 86_400_000_000
        #expect(span > 80 && span <= 90, "history spans \(span) days")
        // Heavy tail: the busiest tenth of the streams holds far more than a tenth of the events.
        let counts = streams.values.sorted(by: >)
        let top = counts.prefix(max(1, counts.count / 10)).reduce(0, +)
        let share = Double(top) / Double(counts.reduce(0, +))
        #expect(share > 0.35, "the top 10% of \(counts.count) streams hold \(share) of the events")
    }
}
