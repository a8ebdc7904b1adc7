import ArgumentParser
import EventLog
import Foundation
import ProjectionEngine

#if canImport(Glibc)
    import Glibc
#endif

/// `taskledger projections rebuild NAME`: builds a projection from the first event beside the served
/// database and swaps it in.
struct ProjectionsRebuild: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Rebuild a projection from the first event (beside the served database, swapped in when done).",
        discussion: """
            On a terminal, shows a progress bar with events/s and ETA; otherwise logs a line every few seconds. \
            Killed mid-way, nothing is lost: the served database is untouched and the partial build is discarded \
            by the next start.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var projections: ProjectionsOptions

    @Argument(help: "The projection to rebuild.")
    var name: String

    func run() async throws {
        let definition = try projections.definition(name)
        let log = try global.openLog()
        let engine = ProjectionEngine(log: log, dataDirectory: global.dataDirectory, definitions: [definition], options: global.engineOptions())
        let started = ContinuousClock.now
        var failure: ExitCode?
        do {
            try engine.start()
            try engine.rebuild(name)
            let progress = Progress(interactive: isatty(2) != 0)
            while !(await engine.waitUntilCaughtUp(timeout: .milliseconds(progress.interactive ? 250 : 5_000))) {
                if let status = engine.status().first { progress.show(status) }
            }
            progress.finish()
            let status = engine.status().first!
            if case .failed(let position, let message) = status.state {
                failure = fail(.failed(projection: name, position: position, message: message))
            } else {
                let seconds =
                    Double((ContinuousClock.now - started).components.attoseconds) / 1e18 + Double((ContinuousClock.now - started).components.seconds)
                let rate = seconds > 0 ? Double(status.checkpoint) / seconds : 0
                StandardError.write(
                    "rebuilt \(name) (version \(status.definitionVersion)): \(status.checkpoint) events in \(decimal(seconds, places: 1)) s "
                        + "(\(Int(rate)) events/s)\n")
            }
        } catch {
            failure = fail(error)
        }
        await engine.stop()
        await log.close()
        if let failure { throw failure }
    }
}

/// The rebuild's progress on stderr: a bar redrawn in place on a terminal, plain lines otherwise.
final class Progress {
    let interactive: Bool
    private var drew = false

    init(interactive: Bool) { self.interactive = interactive }

    func show(_ status: ProjectionStatus) {
        let done = status.buildCheckpoint ?? status.checkpoint
        let head = max(status.head, 1)
        let fraction = min(1, Double(done) / Double(head))
        let rate = status.eventsPerSecond
        let eta = rate > 0 ? "\(Int(Double(head - min(done, head)) / rate)) s" : "?"
        let text = "\(done)/\(status.head) events, \(Int(rate)) events/s, ETA \(eta)"
        if interactive {
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            StandardError.write("\r\(status.name) [\(bar)] \(Int(fraction * 100))% \(text)\u{1B}[K")
            drew = true
        } else {
            StandardError.write("rebuilding \(status.name): \(text)\n")
        }
    }

    func finish() {
        if drew { StandardError.write("\n") }
    }
}
