import ArgumentParser
import EventLog

/// `taskledger log read`: stored events as NDJSON, exactly as stored.
struct LogRead: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read",
        abstract: "Print events as NDJSON (CloudEvents envelopes, exactly as stored).",
        discussion: "Without --stream, reads the workspace in position order from --from. With --stream, reads that stream from version --from."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "First position (or, with --stream, first stream version) to print.")
    var from: UInt64 = 1

    @Option(help: "Read only this stream.")
    var stream: String?

    @Option(help: "Print at most this many events.")
    var limit: Int?

    func run() async throws {
        if let limit, limit < 0 { throw fail("--limit must not be negative", status: ExitStatus.badInput) }
        let log: EventLog
        do {
            log = try EventLog.open(dataDirectory: global.dataDirectory, workspace: global.workspace, options: global.logOptions(create: false))
        } catch {
            throw fail(error)
        }
        let output = StandardOutput()
        var failure: ExitCode?
        do throws(EventLogError) {
            if let stream {
                try readStream(log, stream, output)
            } else {
                try readAll(log, output)
            }
        } catch {
            failure = fail(error)
        }
        output.flush()
        await log.close()
        if let failure { throw failure }
    }

    private func readAll(_ log: EventLog, _ output: StandardOutput) throws(EventLogError) {
        var next = from
        var remaining = limit ?? Int.max
        while remaining > 0 {
            let events = try log.read(from: next, maxCount: min(remaining, 8_192))
            guard let last = events.last else { break }
            for event in events {
                output.write(event.line)
                output.write("\n")
            }
            remaining -= events.count
            next = last.position + 1
        }
    }

    private func readStream(_ log: EventLog, _ stream: String, _ output: StandardOutput) throws(EventLogError) {
        var next = max(from, 1)
        var remaining = limit ?? Int.max
        while remaining > 0 {
            let events = try log.readStream(stream, fromVersion: next, maxCount: min(remaining, 1_000))
            guard let last = events.last else { break }
            for event in events {
                output.write(event.line)
                output.write("\n")
            }
            remaining -= events.count
            next = last.streamVersion + 1
        }
    }
}
