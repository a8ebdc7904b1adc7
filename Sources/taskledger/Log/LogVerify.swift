import ArgumentParser
import EventLog

/// `taskledger log verify`: the whole chain, offline.
struct LogVerify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every batch, checksum, event digest and the whole hash chain, offline.",
        discussion: """
            Reads the segment files only (no index, no lock), so it also runs beside a live server or on a copy. \
            Exit 0: intact. Exit 3: damaged (the first bad batch is named). Exit 4: intact, but the log ends in an \
            unfinished write that was never acknowledged, which the next open cuts off (unless the index recorded \
            that batch as durable: then the open refuses it).
            """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print the report as one JSON object.")
    var json = false

    func run() async throws {
        let report: VerificationReport
        do {
            report = try LogVerifier(dataDirectory: global.dataDirectory, workspace: global.workspace).verify()
        } catch {
            throw fail(error)
        }
        let output = StandardOutput()
        if json {
            output.write(verificationJSON(report) + "\n")
        } else {
            output.write(
                "events \(report.events), batches \(report.batches), segments \(report.segments), streams \(report.streams)\n"
                    + "head position \(report.head.position), head hash \(report.head.batchHash)\n")
        }
        output.flush()
        if let problem = report.problem {
            throw fail("verify: log damaged at \(problem)", status: ExitStatus.corrupt)
        }
        if let torn = report.tornTail {
            throw fail(
                "verify: the log ends in an unfinished write, which the next open cuts off (unless the index recorded it as durable: then the open refuses), at \(torn)",
                status: ExitStatus.tornTail)
        }
        if !json { output.write("ok: the hash chain verifies from genesis to the head\n") }
    }
}

func verificationJSON(_ report: VerificationReport) -> String {
    func bad(_ batch: BadBatch?) -> String {
        guard let batch else { return "null" }
        return #"{"position":\#(batch.position),"segment":"\#(batch.segment)","offset":\#(batch.offset),"reason":\#(jsonString(batch.reason))}"#
    }
    return
        #"{"ok":\#(report.problem == nil && report.tornTail == nil),"events":\#(report.events),"batches":\#(report.batches),"segments":\#(report.segments),"streams":\#(report.streams),"headPosition":\#(report.head.position),"headHash":"\#(report.head.batchHash)","problem":\#(bad(report.problem)),"tornTail":\#(bad(report.tornTail))}"#
}

func jsonString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case _ where scalar.value < 0x20: out += String(format4: scalar.value)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

extension String {
    /// `\u00XX` for a control character in a JSON string.
    init(format4 value: UInt32) {
        let hex = String(value, radix: 16)
        self = "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }
}
