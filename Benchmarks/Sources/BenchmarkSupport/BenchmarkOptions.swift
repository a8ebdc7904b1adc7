#if canImport(Glibc)
    import Glibc
#endif

/// The `--name value` options of a benchmark executable, checked the way a command-line tool should:
/// bad input ends the program with one line on standard error and exit status 2, and `--help` prints
/// the usage and exits 0 — not a crash with a backtrace.
///
/// ```swift
/// let options = BenchmarkOptions(usage: "LogBenchmark [--seconds S] [--events N]")
/// for (name, value) in options {
///     switch name {
///     case "--seconds": seconds = options.number(value, for: name)
///     default: options.unknown(name)
///     }
/// }
/// ```
public struct BenchmarkOptions: Sequence {
    /// The usage line, printed by `--help` (an error names `--help` rather than repeating it).
    public let usage: String
    private let pairs: [(name: String, value: String)]

    public init(usage: String, arguments: [String] = Array(CommandLine.arguments.dropFirst())) {
        self.usage = usage
        if arguments.contains(where: { $0 == "--help" || $0 == "-h" }) {
            print("usage: \(usage)")
            exit(0)
        }
        var pairs: [(name: String, value: String)] = []
        var remaining = arguments[...]
        while let name = remaining.popFirst() {
            guard name.hasPrefix("--") else { Self.fail("unexpected argument \"\(name)\" (options are --name value)") }
            guard let value = remaining.popFirst() else { Self.fail("\(name) needs a value") }
            pairs.append((name, value))
        }
        self.pairs = pairs
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { pairs.makeIterator() }

    /// `value` as a number (or any type that parses from text), or the end of the program.
    public func number<T: LosslessStringConvertible>(_ value: String, for name: String) -> T {
        guard let number = T(value) else { fail("\(name) takes a number, not \"\(value)\"") }
        return number
    }

    /// A comma-separated list of numbers, e.g. `1,16,64`.
    public func numbers<T: LosslessStringConvertible>(_ value: String, for name: String) -> [T] {
        value.split(separator: ",").map { number(String($0), for: name) }
    }

    /// Ends the program for an option this benchmark does not have.
    public func unknown(_ name: String) -> Never { fail("unknown option \(name)") }

    /// Ends the program: `message` on one line of standard error, exit status 2.
    public func fail(_ message: String) -> Never { Self.fail(message) }

    private static func fail(_ message: String) -> Never {
        let program = CommandLine.arguments.first.map { String($0.split(separator: "/").last ?? "") } ?? "benchmark"
        let text = Array("\(program): \(message) (usage: \(program) --help)\n".utf8)
        _ = text.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        exit(2)
    }
}
