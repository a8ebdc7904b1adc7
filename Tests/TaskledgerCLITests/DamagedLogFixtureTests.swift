import Foundation
import TestSupport
import Testing

/// The damaged logs in `Fixtures/damaged/` (see its README): `taskledger log verify` prints exactly the
/// checked-in `verify.out` and exits with `verify.exit`, and opening each log (`log read`) recovers,
/// cuts off or refuses as the log format says.
@Suite("damaged log fixtures")
struct DamagedLogFixtureTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/damaged")

    /// Each case: the events `log read` returns after opening it, or nil when the open refuses (exit 3).
    static let cases: [(name: String, eventsAfterOpen: Int?)] = [
        ("intact", 12), ("torn-tail", 11), ("flipped-bit", nil), ("deleted-batch", nil), ("truncated-index", 12), ("deleted-index", 12),
    ]

    /// A scratch copy: `log read` opens the log, which may cut, rebuild or lock files.
    private func copy(_ name: String) throws -> TestDirectory {
        let directory = TestDirectory(name)
        try FileManager.default.removeItem(atPath: directory.path)
        try FileManager.default.copyItem(atPath: Self.fixtures.appendingPathComponent(name).path, toPath: directory.path)
        return directory
    }

    @Test("verify prints the checked-in output and exit status", arguments: cases.map(\.name))
    func verify(_ name: String) throws {
        let directory = try copy(name)
        let expected = try String(contentsOf: Self.fixtures.appendingPathComponent("\(name)/verify.out"), encoding: .utf8)
        let status = try String(contentsOf: Self.fixtures.appendingPathComponent("\(name)/verify.exit"), encoding: .utf8)
        let result = try taskledger(["log", "verify", "--data", directory.path, "--workspace", "acme"])
        #expect(result.stdout + result.stderr == expected)
        #expect(String(result.status) == status.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test("opening the log recovers, cuts off the torn tail, or refuses the damage", arguments: cases)
    func open(_ name: String, _ eventsAfterOpen: Int?) throws {
        let directory = try copy(name)
        let result = try taskledger(["log", "read", "--data", directory.path, "--workspace", "acme"])
        if let eventsAfterOpen {
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.lines.count == eventsAfterOpen)
            // Whatever the open had to repair, the log verifies afterwards.
            #expect(try taskledger(["log", "verify", "--data", directory.path, "--workspace", "acme"]).status == 0)
        } else {
            #expect(result.status == 3)
            #expect(result.stderr.contains("log-corrupted"))
        }
    }
}
