import ArgumentParser
import EventLog
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// `taskledger log append`: events as NDJSON on stdin.
struct LogAppend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "Append events given as NDJSON on stdin; print each event's position.",
        discussion: """
            Each input line is {"stream": …, "type": …, "data": …} with optional "id" (a UUID; a retry with \
            the same ids returns the first positions), "expectedVersion" (a number, "any", "no_stream" or \
            "stream_exists") and "extensions" (CloudEvents extension attributes).
            By default all lines are one atomic append: every line is checked first, and nothing is written \
            unless all are valid and every expected version holds. With --each, every line is its own append, \
            acknowledged (and printed) as soon as it is durable.
            Prints one JSON object per event: {"position", "stream", "streamVersion", "id", "duplicate"}.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Append each line on its own, printing each acknowledgement as it arrives.")
    var each = false

    @Option(help: "With --each: how many appends may wait for acknowledgement at once (1-1024).")
    var concurrency = 1

    func run() async throws {
        guard (1...1024).contains(concurrency) else { throw fail("--concurrency must be between 1 and 1024", status: ExitStatus.badInput) }
        // In the default (atomic) mode every line is read and checked before the log is even opened, so
        // refused input leaves nothing behind — not even an empty workspace.
        var request: AppendRequest?
        if !each {
            switch readAtomicRequest() {
            case .success(let parsed): request = parsed
            case .failure(let status): throw status
            }
        }
        let log: EventLog
        do {
            log = try EventLog.open(dataDirectory: global.dataDirectory, workspace: global.workspace, options: global.logOptions(create: true))
        } catch {
            throw fail(error)
        }
        let output = StandardOutput()
        let status = if let request { await appendAll(request, log, output) } else { await appendEach(log, output) }
        output.flush()
        await log.close()
        if let status { throw status }
    }

    /// Reads and checks every line of stdin into one request.
    private func readAtomicRequest() -> Result<AppendRequest, ExitCode> {
        var events: [ProposedEvent] = []
        var expectations: [String: ExpectedVersion] = [:]
        var lineNumber = 0
        while let line = readLine(strippingNewline: true) {
            lineNumber += 1
            if line.allSatisfy(\.isWhitespace) { continue }
            do throws(EventLogError) {
                let input = try AppendInput(line: Array(line.utf8))
                if let expected = input.expectedVersion {
                    if let earlier = expectations[input.event.stream], earlier != expected {
                        return .failure(fail(EventLogError.conflictingExpectations(stream: input.event.stream), context: "line \(lineNumber)"))
                    }
                    expectations[input.event.stream] = expected
                }
                events.append(input.event)
            } catch {
                return .failure(fail(error, context: "line \(lineNumber)"))
            }
        }
        guard !events.isEmpty else { return .failure(fail(EventLogError.emptyAppend)) }
        let limits = EventLogLimits()
        guard events.count <= limits.eventsPerAppendMax else {
            return .failure(
                fail(
                    "too-many-events: \(events.count) lines, more than the \(limits.eventsPerAppendMax) events one atomic append may hold; use --each",
                    status: ExitStatus.badInput))
        }
        return .success(AppendRequest(events: events, expectations: expectations))
    }

    /// Appends the whole request atomically.
    private func appendAll(_ request: AppendRequest, _ log: EventLog, _ output: StandardOutput) async -> ExitCode? {
        let events = request.events
        do {
            let result = try await log.append(request)
            for (index, event) in events.enumerated() {
                output.write(acknowledgement(result, index, stream: event.stream))
            }
            return nil
        } catch {
            return fail(error)
        }
    }

    /// Appends line by line with up to `concurrency` appends in flight. After a failure no further line is
    /// submitted; the (at most `concurrency - 1`) appends already in flight beside it still complete.
    private func appendEach(_ log: EventLog, _ output: StandardOutput) async -> ExitCode? {
        let limits = log.options.limits
        let failed = FailureFlag()
        return await withTaskGroup(of: ExitCode?.self) { group in
            var inFlight = 0
            var lineNumber = 0
            var firstFailure: ExitCode?
            while firstFailure == nil, !failed.isSet, let line = readLine(strippingNewline: true) {
                lineNumber += 1
                if line.allSatisfy(\.isWhitespace) { continue }
                let input: AppendInput
                do throws(EventLogError) {
                    input = try AppendInput(line: Array(line.utf8), limits: limits)
                } catch {
                    firstFailure = fail(error, context: "line \(lineNumber)")
                    break
                }
                if inFlight == concurrency, let done = await group.next() {
                    inFlight -= 1
                    if let done {
                        // An earlier append failed: stop before submitting this line.
                        firstFailure = done
                        break
                    }
                }
                if failed.isSet { break }
                inFlight += 1
                let number = lineNumber
                group.addTask {
                    let request = AppendRequest(
                        events: [input.event], expectations: input.expectedVersion.map { [input.event.stream: $0] } ?? [:])
                    do throws(EventLogError) {
                        let result = try await log.append(request)
                        // Printed and flushed per acknowledgement: a crash test reads these as they come.
                        let line = acknowledgement(result, 0, stream: input.event.stream)
                        writeAll(1, Array(line.utf8))
                        return nil
                    } catch {
                        failed.set()
                        return fail(error, context: "line \(number)")
                    }
                }
            }
            for await done in group where firstFailure == nil {
                firstFailure = done
            }
            return firstFailure
        }
    }
}

/// `{"position":…,"stream":…,"streamVersion":…,"id":…,"duplicate":…}` and a newline.
func acknowledgement(_ result: AppendResult, _ index: Int, stream: String) -> String {
    #"{"position":\#(result.positions[index]),"stream":\#(jsonString(stream)),"streamVersion":\#(result.streamVersions[index]),"id":"\#(result.ids[index])","duplicate":\#(result.wasDuplicate)}"#
        + "\n"
}

/// Set once by whichever concurrent append fails first; read before submitting the next line.
final class FailureFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .acquiring) }
    func set() { flag.store(true, ordering: .releasing) }
}
