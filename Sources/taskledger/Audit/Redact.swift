import ArgumentParser
import EventLog
import Foundation

/// `taskledger redact`: removes personal data from stored events; the chain still verifies, and the
/// redaction is itself an audited event.
struct Redact: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redact",
        abstract: "Remove personal data from stored events, keeping the hash chain verifiable; the redaction is recorded as an event.",
        discussion: """
            Offline: stop the server (or keep the workspace closed) first; the command takes the log's lock. \
            --member M removes what identifies member M: the displayName, email and memberName strings of every event whose \
            payload's memberID is M, and the body of every comment whose author is M. --field POSITION:/json/pointer removes \
            one string (repeatable). Each removed string becomes "[redacted]"; everything else of the event stays. First an \
            EventsRedacted event (stream `redaction`, actor --by) records what is removed and why; then the events are \
            rewritten; then the workspace's projections are deleted so they are rebuilt without the data. \
            --resume finishes a redaction that was interrupted after its record. Exit 2 for a field that does not exist or is not a string.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Remove what identifies this member (id).")
    var member: String?

    @Option(name: .customLong("field"), help: "POSITION:/json/pointer of one string to remove from an event's data; repeatable.")
    var fields: [String] = []

    @Option(help: "Who orders the redaction (member id; recorded as the record's actor).")
    var by: String?

    @Option(help: "Why (recorded), e.g. an erasure request's reference.")
    var reason: String?

    @Flag(help: "Only finish redactions that were recorded but not applied (an interrupted run).")
    var resume = false

    @Flag(help: "Show what would be removed, change nothing.")
    var dryRun = false

    mutating func validate() throws {
        if resume { return }
        guard member != nil || !fields.isEmpty else { throw ValidationError("name what to remove: --member M or --field POSITION:/pointer") }
        guard let by, !by.isEmpty else { throw ValidationError("--by (who orders the redaction) is required") }
        guard let reason, !reason.isEmpty else { throw ValidationError("--reason is required: it is recorded in the audit trail") }
    }

    func run() async throws {
        let redactor: LogRedactor
        do {
            redactor = try LogRedactor(dataDirectory: global.dataDirectory, workspace: global.workspace, options: global.logOptions(create: false))
        } catch {
            throw fail(error, context: "redact")
        }
        let output = StandardOutput()
        defer { output.flush() }
        var work: [(position: UInt64, record: RedactionRecord)]
        do {
            work = try redactor.pending()
        } catch {
            throw fail(error, context: "redact")
        }
        if !resume {
            let targets = try selectFields()
            guard !targets.isEmpty else { throw fail("redact: nothing to remove: no event holds such data", status: ExitStatus.badInput) }
            let record = RedactionRecord(
                positions: targets.keys.sorted(), fields: Dictionary(uniqueKeysWithValues: targets.map { (String($0.key), $0.value.sorted()) }),
                reason: reason ?? "", orderedBy: by ?? "")
            if dryRun {
                for position in record.positions { output.write("\(position): \(record.fields[String(position)]!.joined(separator: " "))\n") }
                output.write("dry run: \(record.positions.count) events would be redacted\n")
                return
            }
            do {
                let recorded = try await redactor.record(record)
                output.write("recorded EventsRedacted at position \(recorded.position): \(record.positions.count) events\n")
                output.flush()
                work.append(recorded)
            } catch {
                throw fail(error, context: "redact")
            }
        } else if work.isEmpty {
            output.write("no pending redactions\n")
            return
        }
        for (position, record) in work {
            do {
                let result = try redactor.apply(recordAt: position, record)
                output.write(
                    "applied the redaction recorded at \(position): \(result.eventsRedacted) events rewritten in \(result.batchesRewritten) batches, \(result.segmentsRewritten) segments\n"
                )
            } catch {
                throw fail(error, context: "redact (the record is in the log: run taskledger redact --resume to finish)")
            }
        }
        // The read models hold copies of what was removed: delete them; they are rebuilt from the redacted log.
        let projections = "\(global.dataDirectory)/workspaces/\(global.workspace)/projections"
        if FileManager.default.fileExists(atPath: projections) {
            try? FileManager.default.removeItem(atPath: projections)
            output.write("removed the projections of \(global.workspace): they are rebuilt on the next start (or taskledger projections catch-up)\n")
        }
    }

    /// Position → JSON Pointers to remove, from --member and --field.
    private func selectFields() throws -> [UInt64: Set<String>] {
        var targets: [UInt64: Set<String>] = [:]
        for field in fields {
            guard let colon = field.firstIndex(of: ":"), let position = UInt64(field[..<colon]), field[field.index(after: colon)...].hasPrefix("/")
            else {
                throw fail("redact: --field must be POSITION:/json/pointer, got \(field)", status: ExitStatus.badInput)
            }
            targets[position, default: []].insert(String(field[field.index(after: colon)...]))
        }
        guard let member else { return targets }
        do {
            try OfflineLogReader(dataDirectory: global.dataDirectory, workspace: global.workspace).forEachEvent { event in
                if event.isInStream(RedactionRecord.stream) { return true }
                guard let data = try? JSONSerialization.jsonObject(with: Data(event.data)) as? [String: Any] else { return true }
                if data["memberID"] as? String == member {
                    for key in ["displayName", "email", "memberName"] where data[key] is String && data[key] as? String != RedactionRecord.placeholder
                    {
                        targets[event.position, default: []].insert("/" + key)
                    }
                }
                if data["author"] as? String == member, event.type.hasPrefix("Comment"), let body = data["body"] as? String,
                    body != RedactionRecord.placeholder
                {
                    targets[event.position, default: []].insert("/body")
                }
                return true
            }
        } catch {
            throw fail(error, context: "redact")
        }
        return targets
    }
}
