import Crypto
import DemoData
import EventLog
import Foundation
import TestSupport
import Testing
import Workflow

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

    private func generate(
        _ directory: TestDirectory, seed: UInt64, events: Int = 3_000, workspaces: Int = 1, commandsPerBatch: Int? = nil
    ) throws {
        let result = try taskledger(
            [
                "demo", "generate", "--data", directory.path, "--seed", String(seed), "--events", String(events), "--workspaces",
                String(workspaces), "--quiet",
            ] + (commandsPerBatch.map { ["--commands-per-batch", String($0)] } ?? []))
        #expect(result.status == 0, "\(result.stderr)")
    }

    /// The digests recorded in `Fixtures/demo/NAME`.
    private func fixture(_ name: String) throws -> [String] {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/demo/" + name)
        return try String(contentsOf: fixture, encoding: .utf8).split(separator: "\n").map {
            $0.split(separator: " ").first.map(String.init) ?? ""
        }
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
        let directory = TestDirectory()
        try generate(directory, seed: 42, events: 20_000)
        #expect(try segmentDigests(directory, "demo") == fixture("seed-42-events-20000.sha256"))
    }

    @Test(
        "one command per batch gives, byte for byte, the history each command's own append wrote before bulk loading",
        .timeLimit(.minutes(5)))
    func oneCommandPerBatchIsTheUnbatchedHistory() throws {
        // The digest recorded before the generator bulk-loaded (each command appended and awaited alone):
        // staging and predicting positions changes nothing a decision sees.
        let directory = TestDirectory()
        try generate(directory, seed: 42, events: 20_000, commandsPerBatch: 1)
        #expect(try segmentDigests(directory, "demo") == fixture("seed-42-events-20000-commands-per-batch-1.sha256"))
    }

    @Test("batching changes the batches and their commit times, nothing else: the same events, ids and positions")
    func batchingChangesOnlyTheBatches() async throws {
        let batched = TestDirectory()
        let alone = TestDirectory()
        try generate(batched, seed: 11, events: 4_000)
        try generate(alone, seed: 11, events: 4_000, commandsPerBatch: 1)
        var lines: [[String]] = []
        var batches: [Int] = []
        for directory in [batched, alone] {
            let log = try EventLog.open(dataDirectory: directory.path, workspace: "demo", options: testOptions())
            let events = try log.read(from: 1, maxCount: 100_000)
            lines.append(
                events.map {
                    "\($0.position) \($0.id) \($0.stream)@\($0.streamVersion) \($0.type) \(String(decoding: $0.data, as: UTF8.self)) "
                        + $0.extensions.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
                })
            // A batch is committed after the decisions it holds, and within the batch window (5 min) of them.
            for event in events {
                guard case .string(let text)? = event.extensions["decidedat"], let decided = Instant(rfc3339: text) else {
                    Issue.record("no decidedat at \(event.position)")
                    break
                }
                let lag = event.time.unixMicros - decided.unixMicros
                #expect(lag > 0 && lag <= 300_000_700, "event \(event.position) committed \(lag) µs after its decision")
            }
            await log.close()
            let stats = try taskledger(["log", "stats", "--data", directory.path, "--workspace", "demo", "--json"])
            let figures = try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any]
            batches.append(figures?["batches"] as? Int ?? 0)
        }
        #expect(lines[0].count >= 4_000)
        #expect(lines[0] == lines[1])
        // 4,000 events over 90 days are about half an hour apart: few share a 5-minute window, but the
        // company's set-up (all at one instant) and the scheduler's daily runs do.
        #expect(batches[0] > 0 && batches[0] * 10 < batches[1] * 9, "\(batches)")
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

    @Test(
        "out-of-range settings are refused with one line naming the bound, and nothing is written",
        arguments: [
            (["--commands-per-batch", "0"], "--commands-per-batch must be between 1 and 4096"),
            (["--commands-per-batch", "4097"], "--commands-per-batch must be between 1 and 4096"),
            (["--days", "6"], "--days must be between 7"),
        ])
    func refusesBadSettings(arguments: [String], message: String) throws {
        let directory = TestDirectory()
        let result = try taskledger(["demo", "generate", "--data", directory.path, "--events", "100", "--quiet"] + arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/workspaces/demo"))
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
