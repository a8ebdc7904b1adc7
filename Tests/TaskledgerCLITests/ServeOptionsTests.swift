import Foundation
import Testing

/// `taskledger serve` refuses settings out of range before it opens anything: a usage error (exit 64)
/// naming the option, one line.
@Suite("serve: option checks")
struct ServeOptionsTests {
    @Test("--query-seconds-max must be above 0 and at most 3600; --port, --body-limit and --token-rate are checked too")
    func ranges() throws {
        let cases: [([String], String)] = [
            (["--query-seconds-max", "0"], "--query-seconds-max must be above 0 and at most 3600"),
            (["--query-seconds-max", "3601"], "--query-seconds-max must be above 0 and at most 3600"),
            (["--port", "70000"], "--port must be 0-65535"),
            (["--body-limit", "100"], "--body-limit must be at least 1024"),
            (["--token-rate", "0"], "--token-rate must be positive"),
        ]
        for (arguments, message) in cases {
            let result = try taskledger(["serve", "--data", NSTemporaryDirectory() + "taskledger-tests/serve-options"] + arguments)
            #expect(result.status == 64, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
    }
}
