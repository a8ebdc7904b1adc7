import ArgumentParser
import EventLog

/// `taskledger log dump`: one JSON line per batch.
struct LogDump: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Print one JSON line per batch: where it is, its positions, sizes, time and hashes."
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let output = StandardOutput()
        let report: VerificationReport
        do {
            report = try LogVerifier(dataDirectory: global.dataDirectory, workspace: global.workspace).inspect { batch in
                output.write(
                    #"{"segment":"\#(batch.segment)","offset":\#(batch.offset),"firstPosition":\#(batch.firstPosition),"lastPosition":\#(batch.lastPosition),"events":\#(batch.eventCount),"rawBytes":\#(batch.rawBytes),"storedBytes":\#(batch.storedBytes),"committedAt":"\#(batch.committedAt)","previousHash":"\#(batch.previousHash)","contentDigest":"\#(batch.contentDigest)","batchHash":"\#(batch.batchHash)"}"#
                        + "\n")
            }
        } catch {
            output.flush()
            throw fail(error)
        }
        output.flush()
        if let problem = report.problem ?? report.tornTail {
            throw fail("dump: stopped at \(problem)", status: ExitStatus.corrupt)
        }
    }
}
