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
                stored/raw        \(decimal(ratio, places: 3))
                events per batch  \(report.batches == 0 ? 0 : Int(report.events) / report.batches)

                """)
        }
        output.flush()
        if let problem = report.problem ?? report.tornTail {
            throw fail("stats: stopped at \(problem)", status: ExitStatus.corrupt)
        }
    }
}

/// `value` with exactly `places` decimals (Foundation's formatters are not needed for this).
func decimal(_ value: Double, places: Int) -> String {
    var scale = 1
    for _ in 0..<places { scale *= 10 }
    let scaled = Int((value * Double(scale)).rounded())
    let fraction = String(scaled % scale)
    return "\(scaled / scale)." + String(repeating: "0", count: places - fraction.count) + fraction
}
