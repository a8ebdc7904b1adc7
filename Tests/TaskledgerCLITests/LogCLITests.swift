import EventLog
import Foundation
import TestSupport
import Testing

@Suite("taskledger log: the CLI")
struct LogCLITests {
    @Test("append, read, read a stream, verify, dump and stats work end to end")
    func happyPath() throws {
        let directory = TestDirectory()
        let data = ["--data", directory.path, "--workspace", "acme"]
        let input = """
            {"stream":"task-1","type":"TaskCreated","data":{"title":"Write docs"},"expectedVersion":"no_stream","extensions":{"actor":"m-1"}}
            {"stream":"task-2","type":"TaskCreated","data":{"title":"Ship"}}
            {"stream":"task-1","type":"TaskMoved","data":{"to":"done"}}
            """
        let appended = try taskledger(["log", "append"] + data, stdin: input)
        #expect(appended.status == 0, "\(appended.stderr)")
        let acks = appended.stdout.lines.map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(acks.map { $0["position"] as? Int } == [1, 2, 3])
        #expect(acks.map { $0["streamVersion"] as? Int } == [1, 1, 2])

        let read = try taskledger(["log", "read"] + data)
        #expect(read.status == 0)
        #expect(read.stdout.lines.count == 3)
        let stream = try taskledger(["log", "read", "--stream", "task-1", "--from", "2"] + data)
        #expect(stream.stdout.lines.count == 1 && stream.stdout.contains(#""type":"TaskMoved""#))

        let verify = try taskledger(["log", "verify", "--json"] + data)
        #expect(verify.status == 0, "\(verify.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(verify.stdout.utf8)) as! [String: Any]
        #expect(report["ok"] as? Bool == true && report["events"] as? Int == 3)

        let dump = try taskledger(["log", "dump"] + data)
        #expect(dump.status == 0 && dump.stdout.lines.count == 1)
        let batch = try JSONSerialization.jsonObject(with: Data(dump.stdout.lines[0].utf8)) as! [String: Any]
        #expect(batch["firstPosition"] as? Int == 1 && batch["lastPosition"] as? Int == 3)
        #expect(batch["batchHash"] as? String == report["headHash"] as? String)

        let stats = try taskledger(["log", "stats", "--json"] + data)
        let numbers = try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as! [String: Any]
        #expect(numbers["events"] as? Int == 3 && (numbers["rawBytes"] as? Int ?? 0) > 0)
    }

    @Test("bad input: one line on stderr, a non-zero exit, nothing written")
    func badInput() throws {
        let directory = TestDirectory()
        let data = ["--data", directory.path, "--workspace", "acme"]
        let cases: [(String, Int32, String)] = [
            (#"{"stream":"a","type":"T","data":{"x":}}"#, 2, "invalid-input"),
            (#"{"stream":"a","type":"T"}"#, 2, "invalid-input"),
            (#"{"stream":"a","type":"T","data":{},"colour":"red"}"#, 2, "invalid-input"),
            (#"{"stream":"a","type":"T","data":{},"id":"nope"}"#, 2, "invalid-input"),
            (#"{"stream":"a","type":"has space","data":{}}"#, 2, "invalid-event-type"),
            (#"{"stream":"","type":"T","data":{}}"#, 2, "invalid-stream-id"),
            ("{\"stream\":\"a\",\"type\":\"T\",\"data\":{}}\nnot json", 2, "invalid-input"),
            (#"{"stream":"a","type":"T","data":{},"expectedVersion":3}"#, 1, "version-conflict"),
            (#"{"stream":"a","type":"T","data":{},"expectedVersion":"maybe"}"#, 2, "invalid-input"),
            ("", 2, "empty-append"),
        ]
        for (input, status, code) in cases {
            let result = try taskledger(["log", "append"] + data, stdin: input)
            #expect(result.status == status, "\(input): \(result.stderr)")
            #expect(result.stderr.lines.count == 1, "\(input): \(result.stderr)")
            #expect(result.stderr.hasPrefix("taskledger: ") && result.stderr.contains(code), "\(input): \(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
        let verify = try taskledger(["log", "verify", "--json"] + data)
        #expect(verify.stdout.contains(#""events":0"#), "nothing was half-written")

        // Refused input does not even create the workspace.
        let fresh = ["--data", directory.path, "--workspace", "never"]
        #expect(try taskledger(["log", "append"] + fresh, stdin: #"{"stream":"a","type":"T"}"#).status == 2)
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/workspaces/never"))
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        let tooDeep = try taskledger(["log", "append"] + fresh, stdin: #"{"stream":"a","type":"T","data":\#(deep)}"#)
        #expect(tooDeep.status == 2 && tooDeep.stderr.contains("deeper than 64 levels"), "\(tooDeep.stderr)")
        let deepest = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(try taskledger(["log", "append"] + fresh, stdin: #"{"stream":"a","type":"T","data":\#(deepest)}"#).status == 0)

        let missing = try taskledger(["log", "read", "--data", directory.path, "--workspace", "ghost"])
        #expect(missing.status == 1 && missing.stderr.lines.count == 1 && missing.stderr.contains("workspace-not-found"))
        let badName = try taskledger(["log", "read", "--data", directory.path, "--workspace", "Bad/Name"])
        #expect(badName.status == 2 && badName.stderr.lines.count == 1)
        let usage = try taskledger(["log", "read", "--data", directory.path])
        #expect(usage.status == 64, "missing --workspace is a usage error")
    }

    @Test("verify names the first damaged batch and exits 3")
    func verifyDamage() throws {
        let directory = TestDirectory()
        let data = ["--data", directory.path, "--workspace", "acme"]
        for n in 1...3 {
            let result = try taskledger(["log", "append"] + data, stdin: #"{"stream":"s","type":"T","data":{"n":\#(n)}}"#)
            #expect(result.status == 0)
        }
        let dump = try taskledger(["log", "dump"] + data).stdout.lines
        let second = try JSONSerialization.jsonObject(with: Data(dump[1].utf8)) as! [String: Any]
        let offset = second["offset"] as! Int
        let path = directory.segments()[0]
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[offset + 160] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: path))
        let verify = try taskledger(["log", "verify"] + data)
        #expect(verify.status == 3)
        #expect(verify.stderr.lines.count == 1)
        #expect(verify.stderr.contains("position 2") && verify.stderr.contains("offset \(offset)"), "\(verify.stderr)")
    }

    @Test("append --each stops at the first failure: later lines are not appended")
    func appendEachStops() throws {
        let directory = TestDirectory()
        let data = ["--data", directory.path, "--workspace", "acme"]
        let input = """
            {"stream":"s","type":"T","data":{},"expectedVersion":5}
            {"stream":"s","type":"T","data":{"after":"the failure"}}
            """
        let result = try taskledger(["log", "append", "--each", "--concurrency", "1"] + data, stdin: input)
        #expect(result.status == 1 && result.stderr.contains("line 1") && result.stderr.contains("version-conflict"))
        #expect(try taskledger(["log", "verify", "--json"] + data).stdout.contains(#""events":0"#))
    }

    @Test("append --each acknowledges each line as it is durable; ids make a rerun a no-op")
    func appendEach() throws {
        let directory = TestDirectory()
        let data = ["--data", directory.path, "--workspace", "acme"]
        let ids = (0..<50).map { _ in EventID.generate() }
        let input = ids.enumerated().map { #"{"stream":"s-\#($0.offset % 5)","type":"T","data":{"n":\#($0.offset)},"id":"\#($0.element)"}"# }
            .joined(separator: "\n")
        let first = try taskledger(["log", "append", "--each", "--concurrency", "8"] + data, stdin: input)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(Set(first.stdout.lines.compactMap { Int(($0.split(separator: ",")[0]).dropFirst(12)) }) == Set(1...50))
        let again = try taskledger(["log", "append", "--each", "--concurrency", "8"] + data, stdin: input)
        #expect(again.status == 0)
        #expect(again.stdout.lines.allSatisfy { $0.contains(#""duplicate":true"#) })
        let verify = try taskledger(["log", "verify", "--json"] + data)
        #expect(verify.stdout.contains(#""events":50"#))
    }
}

@Suite("Auditing with standard tools")
struct StandardToolAuditTests {
    /// `scripts/audit-segment.sh` recomputes every checksum and hash with bash, xxd, lz4, jq and sha256sum
    /// only. It must agree with `taskledger log dump` line for line, and fail on a damaged copy.
    @Test("scripts/audit-segment.sh agrees with log dump and catches a changed byte")
    func auditScript() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/audit-segment.sh").path
        try #require(FileManager.default.isExecutableFile(atPath: script))
        for tool in ["lz4", "jq", "xxd", "sha256sum"] { try #require(which(tool) != nil, "\(tool) is needed") }
        let directory = TestDirectory()
        let data = ["--data", directory.path, "--workspace", "audit"]
        for n in 1...3 {
            let lines = (0..<(n * 3)).map { #"{"stream":"s-\#($0 % 2)","type":"T","data":{"n":\#($0),"text":"ünïcødé \"quoted\""}}"# }
            #expect(try taskledger(["log", "append"] + data, stdin: lines.joined(separator: "\n")).status == 0)
        }
        let dump = try taskledger(["log", "dump"] + data)
        let segments = directory.segments("audit")
        let audit = try run(script, ["audit"] + segments)
        #expect(audit.status == 0, "\(String(decoding: audit.stderr, as: UTF8.self))")
        #expect(String(decoding: audit.stdout, as: UTF8.self) == dump.stdout)

        var bytes = try Data(contentsOf: URL(fileURLWithPath: segments[0]))
        bytes[BatchHeaderSize.bytes + 30] ^= 0x20  // inside the first batch's LZ4 frame
        try bytes.write(to: URL(fileURLWithPath: segments[0]))
        let damaged = try run(script, ["-F", "audit"] + segments)
        #expect(damaged.status != 0)
    }
}
