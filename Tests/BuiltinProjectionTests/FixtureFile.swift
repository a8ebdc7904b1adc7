import EventLog
import Foundation
import TestSupport

/// `Fixtures/projections/history.ndjson`: the fixture history as CloudEvents lines, one per event, as the
/// log stores them, with two fields made reproducible: the log generates `id` (a UUIDv7 from the wall
/// clock and a random counter) and `time` (the commit time) when it appends, so the exported line
/// carries `time` = the event's `decidedat` and an `id` built from that time's milliseconds and the
/// position. Everything a projection reads (`position`, `streamversion`, `decidedat`, the other
/// extensions, `data`) is exactly as stored.
enum FixtureFile {
    static let historyPath = repositoryRoot.appendingPathComponent("Fixtures/projections/history.ndjson").path
    static let goldenDirectory = repositoryRoot.appendingPathComponent("Fixtures/projections/golden")
    static let projectionsDirectory = builtInProjectionsDirectory

    /// Whether the run rewrites fixtures and golden files instead of comparing with them.
    static var isWritingGolden: Bool { ProcessInfo.processInfo.environment["TASKLEDGER_WRITE_GOLDEN"] == "1" }

    /// The fixture history as the builder makes it now, as the NDJSON text of the fixture file.
    static func builtHistory() async throws -> String {
        let directory = TestDirectory()
        let log = try freshLog(directory)
        _ = try await FixtureHistory.build(log: log)
        let text = try export(log)
        await log.close()
        return text
    }

    /// Every event of `log`, as the NDJSON text of the fixture file.
    static func export(_ log: EventLog) throws -> String {
        var text = ""
        var position: UInt64 = 1
        while true {
            let page = try log.read(from: position, maxCount: 500)
            if page.isEmpty { break }
            for recorded in page {
                text += try reproducibleLine(recorded) + "\n"
                position = recorded.position + 1
            }
        }
        return text
    }

    static func reproducibleLine(_ recorded: RecordedEvent) throws -> String {
        guard case .string(let decidedAt)? = recorded.extensions["decidedat"] else {
            throw FixtureError("event \(recorded.position) has no decidedat")
        }
        var line = recorded.json
        line = try replacingFirst(#""id":""#, in: line, with: id(decidedAt: decidedAt, position: recorded.position).description)
        line = try replacingFirst(#""time":""#, in: line, with: decidedAt)
        return line
    }

    /// A UUIDv7 from the decision time's milliseconds, with the position as its "random" bits.
    static func id(decidedAt: String, position: UInt64) throws -> EventID {
        // `2026-10-01T08:04:00.000000Z`: whole seconds from the date, milliseconds from the fraction.
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        let seconds = String(decidedAt.prefix(19)) + "Z"
        guard let date = formatter.date(from: seconds), let millis = UInt64(decidedAt.dropFirst(20).prefix(3)) else {
            throw FixtureError("unreadable decidedat \(decidedAt)")
        }
        let unixMillis = UInt64(date.timeIntervalSince1970) * 1_000 + millis
        return EventID(high: (unixMillis << 16) | 0x7000, low: 0x8000_0000_0000_0000 | position)
    }

    /// Replaces the string value of the first member opened by `prefix` (`"id":"`).
    private static func replacingFirst(_ prefix: String, in line: String, with value: String) throws -> String {
        guard let start = line.range(of: prefix), let end = line[start.upperBound...].firstIndex(of: "\"") else {
            throw FixtureError("no \(prefix) in \(line.prefix(80))")
        }
        return line.replacingCharacters(in: start.upperBound..<end, with: value)
    }

    // MARK: Replay

    /// The members of a stored line that are not extension attributes.
    private static let coreMembers: Set<String> = [
        "specversion", "id", "source", "type", "subject", "datacontenttype", "dataschema", "time", "position", "streamversion",
        "data",
    ]

    /// Appends the fixture's lines to `log` (a fresh one) in order, keeping ids and extension attributes
    /// (`decidedat` above all), so positions and stream versions come out as in the file.
    static func replay(_ text: String, into log: EventLog) async throws {
        var batch: [ProposedEvent] = []
        for line in text.split(separator: "\n") where !line.isEmpty {
            batch.append(try proposedEvent(line: String(line)))
            if batch.count == 500 {
                _ = try await log.append(AppendRequest(events: batch))
                batch.removeAll()
            }
        }
        if !batch.isEmpty { _ = try await log.append(AppendRequest(events: batch)) }
    }

    static func proposedEvent(line: String) throws -> ProposedEvent {
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
            let subject = object["subject"] as? String, let type = object["type"] as? String, let idText = object["id"] as? String,
            let id = EventID(idText), let payload = object["data"]
        else { throw FixtureError("not a stored event: \(line.prefix(120))") }
        let data = try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
        var extensions: [(name: String, value: ExtensionValue)] = []
        for (name, value) in object.sorted(by: { $0.key < $1.key }) where !coreMembers.contains(name) {
            if let text = value as? String {
                extensions.append((name, .string(text)))
            } else if let number = value as? Int {
                // The command service writes no boolean attributes; a boolean would be read as 0 or 1 here.
                extensions.append((name, .integer(Int64(number))))
            } else if let flag = value as? Bool {
                extensions.append((name, .boolean(flag)))
            } else {
                throw FixtureError("extension \(name) of \(idText) is neither string, integer nor boolean")
            }
        }
        return ProposedEvent(id: id, stream: subject, type: type, data: Array(data), extensions: extensions)
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A fresh log in a temporary directory.
func freshLog(_ directory: TestDirectory) throws -> EventLog {
    try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: testOptions { $0.durability = .unsafeNoSync })
}
