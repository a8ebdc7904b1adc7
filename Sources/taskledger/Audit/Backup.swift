import ArgumentParser
import EventLog
import Foundation

/// `taskledger backup`: a consistent, incremental, verified copy of a workspace, while the server runs.
struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy a workspace into a backup directory while the server runs: consistent, incremental, verified.",
        discussion: """
            Copies whole batches only, up to a chain head: sealed segments once, the active segment from where the last run \
            stopped; then verifies what it copied and writes manifest.json. Document blobs and signed checkpoints are copied \
            too; projections are not (a restore rebuilds them). Run it again into the same directory for an incremental backup. \
            Exit 3 when the source or the copy does not verify.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The backup directory (created when missing; one per workspace).")
    var to: String

    @Flag(help: "Print the report as one JSON object.")
    var json = false

    func run() async throws {
        let report: WorkspaceBackup.Report
        do {
            report = try WorkspaceBackup(dataDirectory: global.dataDirectory, workspace: global.workspace).run(to: to)
        } catch {
            throw fail(error, context: "backup")
        }
        let output = StandardOutput()
        if json {
            output.write(
                #"{"workspace":"\#(global.workspace)","headPosition":\#(report.headPosition),"headHash":"\#(report.headHash)","events":\#(report.events),"bytesCopied":\#(report.bytesCopied),"segmentsCopied":\#(report.segmentsCopied),"segmentsRecopied":\#(report.segmentsRecopied),"documentsCopied":\#(report.documentsCopied),"eventsVerified":\#(report.eventsVerified),"seconds":\#(String(format: "%.3f", report.seconds))}"#
                    + "\n")
        } else {
            output.write(
                "backup of \(global.workspace) in \(to): head position \(report.headPosition), head hash \(report.headHash)\n"
                    + "copied \(report.bytesCopied) bytes in \(report.segmentsCopied) segments"
                    + (report.segmentsRecopied > 0 ? " (\(report.segmentsRecopied) rewritten since the last backup, copied again)" : "")
                    + ", \(report.documentsCopied) documents; verified \(report.eventsVerified) new events; \(String(format: "%.2f", report.seconds)) s\n"
            )
        }
        output.flush()
    }
}
