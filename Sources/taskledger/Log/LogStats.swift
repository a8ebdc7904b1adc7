import ArgumentParser
import EventLog

/// `taskledger log stats`: sizes and compression.
struct LogStats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Print events, batches, segments, raw and stored bytes, and the compression ratio."
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() async throws {
        let report: VerificationReport
        do {
            report = try LogVerifier(dataDirectory: global.dataDirectory, workspace: global.workspace).inspect { _ in }
        } catch {
            throw fail(error)
        }
        let ratio = report.storedPerRawByte
        let ratioText = String(Int((ratio * 1000).rounded())).leftPadded(to: 4, with: "0")
        let stored = "0." + ratioText.suffix(3)
        let output = StandardOutput()
        if json {
            output.write(
                #"{"events":\#(report.events),"batches":\#(report.batches),"segments":\#(report.segments),"rawBytes":\#(report.rawBytes),"storedBytes":\#(report.storedBytes),"storedPerRawByte":\#(ratio),"headPosition":\#(report.head.position)}"#
                    + "\n")
        } else {
            output.write(
                """
                events            \(report.events)
                batches           \(report.batches)
                segments          \(report.segments)
                raw bytes         \(report.rawBytes)
                stored bytes      \(report.storedBytes)
                stored/raw        \(ratio < 1 ? stored : String(ratio))
                events per batch  \(report.batches == 0 ? 0 : Int(report.events) / report.batches)

                """)
        }
        output.flush()
        if let problem = report.problem ?? report.tornTail {
            throw fail("stats: stopped at \(problem)", status: ExitStatus.corrupt)
        }
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character) -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
