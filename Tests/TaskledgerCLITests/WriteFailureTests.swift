import EventLog
import Foundation
import TestSupport
import Testing

/// A write that fails for real — the process's file-size limit (`ulimit -f`, EFBIG) stops the segment
/// from growing — must stop the log (fail-stop), lose no acknowledged event, and leave a log that
/// reopens, recovers and verifies.
@Suite("a failing write stops the log")
struct WriteFailureTests {
    @Test("past the file-size limit: appends are refused from the first failure on; every acknowledged event survives; the chain verifies")
    func failStop() throws {
        guard let bash = which("bash") else { return }
        let binary = try taskledgerBinary()
        let directory = TestDirectory()
        // ~3 MB of events against a 1.5 MiB limit (ulimit -f counts 1 KiB blocks); SIGXFSZ ignored, so
        // the failing write returns EFBIG instead of killing the process.
        // Random padding: LZ4 must not be able to shrink it below the limit.
        var random = SystemRandomNumberGenerator()
        var input = ""
        for n in 0..<6_000 {
            let pad = (0..<25).map { _ in String(random.next(), radix: 16) }.joined()
            input += #"{"stream":"s-\#(n % 7)","type":"Tick","data":{"n":\#(n),"pad":"\#(pad)"}}"# + "\n"
        }
        // Input and output through files, not pipes: a child blocked on a full stdout pipe while the test
        // still writes its stdin would deadlock. (The acknowledgements, ~450 KB, stay under the limit.)
        let inputPath = directory.path + "/input.ndjson"
        let outputPath = directory.path + "/acks.ndjson"
        let errorPath = directory.path + "/errors.txt"
        try Data(input.utf8).write(to: URL(fileURLWithPath: inputPath))
        let script =
            "trap '' XFSZ; ulimit -f 1536; exec \"$0\" log append --each --concurrency 8 --data \"$1\" --workspace acme < \"$2\" > \"$3\" 2> \"$4\""
        let result = try run(bash, ["-c", script, binary, directory.path, inputPath, outputPath, errorPath])
        let stdout = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
        #expect(result.status != 0, "the append run must fail")
        #expect(stderr.contains("log-failed") || stderr.contains("io-error"), "\(stderr.prefix(400))")
        let acknowledged = stdout.split(separator: "\n").compactMap { line -> UInt64? in
            ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])?["position"] as? UInt64
        }
        #expect(!acknowledged.isEmpty && acknowledged.count < 6_000, "some appends succeeded before the limit, not all")

        // Reopened without the limit: recovery cuts the failed batch if it was torn; everything
        // acknowledged is there, and the chain verifies.
        let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: testOptions())
        let stored = Set(try log.read(from: 1, maxCount: 10_000).map(\.position))
        for position in acknowledged { #expect(stored.contains(position), "acknowledged position \(position) is missing") }
        let head = log.head.position
        let again = try log.read(from: head + 1, maxCount: 1)
        #expect(again.isEmpty)
        let verified = try LogVerifier(dataDirectory: directory.path, workspace: "acme").verify()
        #expect(verified.isIntact)
        _ = try? log.read(from: 1, maxCount: 1)
        Task { await log.close() }
    }
}
