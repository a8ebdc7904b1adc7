import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The README's tour of the API, run for real: `scripts/run-server.sh` (what `make run` runs) generates
/// the demo workspace, issues the tokens and starts the real binary on a free port; then every `$ `
/// command of the tour's ```console blocks runs in bash, in order, and its output must be the one the
/// README shows after normalising the parts that change from run to run (the README's placeholder
/// convention: `<uuid>`, `<time>`, `<hash>`, `<token>`, `<token-id>`). The README cannot drift from the
/// product without this test failing.
@Suite("README tour", .serialized)
struct ReadmeTourTests {
    struct Step {
        var command: String
        var expected: [String]
        var line: Int
    }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The `$ ` commands and their shown outputs in the ```console blocks of the section `heading`.
    static func steps(inSection heading: String) throws -> [Step] {
        let text = try String(contentsOf: repository.appendingPathComponent("README.md"), encoding: .utf8)
        var steps: [Step] = []
        var inSection = false
        var inBlock = false
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.hasPrefix("## ") {
                inSection = line == "## " + heading
                continue
            }
            guard inSection else { continue }
            if line.hasPrefix("```") {
                inBlock = line == "```console"
                continue
            }
            guard inBlock else { continue }
            if line.hasPrefix("$ ") {
                steps.append(Step(command: String(line.dropFirst(2)), expected: [], line: number + 1))
            } else if !steps.isEmpty {
                steps[steps.count - 1].expected.append(String(line))
            }
        }
        return steps
    }

    /// Replaces what differs between runs with the README's placeholders.
    static func normalise(_ text: String) -> String {
        let rules: [(String, String)] = [
            (#"tl_[a-z0-9_-]+\.k-[0-9a-f]{12}\.[A-Za-z0-9_-]+"#, "<token>"),
            (#"k-[0-9a-f]{12}"#, "<token-id>"),
            (#"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"#, "<uuid>"),
            (#"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z"#, "<time>"),
            (#"\b[0-9a-f]{64}\b"#, "<hash>"),
        ]
        // CSV answers end their lines in CRLF (RFC 4180); a terminal shows them as plain lines.
        var result = text.replacingOccurrences(of: "\r\n", with: "\n")
        for (pattern, placeholder) in rules {
            result = result.replacingOccurrences(of: pattern, with: placeholder, options: .regularExpression)
        }
        return result
    }

    @Test("every command of the README's API tour prints what the README shows")
    func apiTour() throws {
        let steps = try Self.steps(inSection: "A tour of the API")
        #expect(steps.count >= 15, "found \(steps.count) tour steps")
        let binary = try taskledgerBinary()
        let directory = TestDirectory()
        let port = try freePort()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/bin/bash")
        server.arguments = [
            Self.repository.appendingPathComponent("scripts/run-server.sh").path, binary, directory.path + "/taskledger-data", "demo", String(port),
        ]
        let output = Pipe()
        server.standardOutput = output
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer {
            kill(server.processIdentifier, SIGTERM)
            server.waitUntilExit()
        }
        // The script prints its banner (with the tokens) before it execs the server.
        var banner = ""
        while !banner.contains("Last-Event-ID") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            banner += String(decoding: chunk, as: UTF8.self)
        }
        func token(_ label: String) throws -> String {
            let line = try #require(banner.split(separator: "\n").first { $0.contains(label) }, "no \(label) in \(banner)")
            return String(try #require(line.split(separator: " ").last))
        }
        let environment = [
            "U": "http://127.0.0.1:\(port)/v1/workspaces/demo", "ADA": try token("admin token"), "LIN": try token("member token"),
            "AUD": try token("auditor token"), "PATH": URL(fileURLWithPath: binary).deletingLastPathComponent().path + ":/usr/bin:/bin",
        ]
        var healthy = false
        for _ in 0..<100 where !healthy {
            healthy = (try? run("/usr/bin/curl", ["-sf", "http://127.0.0.1:\(port)/healthz"]))?.status == 0
            if !healthy { usleep(100_000) }
        }
        #expect(healthy, "the server did not come up")
        for step in steps {
            let result = try runShell(step.command, environment: environment, directory: directory.path)
            let actual = Self.normalise(result).split(separator: "\n", omittingEmptySubsequences: false).map { String($0) }
            let expected = step.expected
            #expect(
                trimmed(actual) == trimmed(expected),
                "README.md:\(step.line): $ \(step.command)\n--- README shows:\n\(expected.joined(separator: "\n"))\n--- got:\n\(actual.joined(separator: "\n"))"
            )
        }
    }

    /// Trailing empty lines do not count (a block ends with its output's last line).
    private func trimmed(_ lines: [String]) -> [String] {
        var lines = lines.map { $0.replacingOccurrences(of: #"\s+$"#, with: "", options: .regularExpression) }
        while lines.last == "" { lines.removeLast() }
        return lines
    }

    /// Runs one tour line in bash (pipes, `$U`, `;` and `echo $?` as a reader would type them), stdout and stderr together.
    private func runShell(_ command: String, environment: [String: String], directory: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", command + " 2>&1"]
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
