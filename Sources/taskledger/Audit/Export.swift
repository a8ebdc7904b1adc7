import ArgumentParser
import EventLog
import Foundation

/// `taskledger export`: a workspace's events as NDJSON or CSV, filtered, streamed, offline.
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Stream a workspace's events as NDJSON (exactly as stored) or CSV, filtered by time, actor, project, type or stream.",
        discussion: """
            Reads the segment files (no lock): runs beside a live server. Filters combine with AND. --project keeps the events \
            of the project's stream, of its tasks' streams and any event whose payload names it (projectID). CSV is RFC 4180 \
            with a header: position,time,type,stream,streamversion,actor,tokenid,origin,id,data. The audit trail (with its human \
            summaries) is exported by the API: GET /v1/workspaces/{ws}/audit/export (docs/api.md).
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "ndjson or csv.")
    var format = "ndjson"

    @Option(help: "Only events committed at or after this RFC 3339 time.")
    var since: String?

    @Option(help: "Only events committed before this RFC 3339 time.")
    var until: String?

    @Option(help: "Only events by this actor (member id).")
    var actor: String?

    @Option(help: "Only events of this project (its id).")
    var project: String?

    @Option(name: .customLong("type"), help: "Only events of this type; repeatable.")
    var types: [String] = []

    @Option(help: "Only events of streams that start with this prefix.")
    var streamPrefix: String?

    @Option(help: "First position to read.")
    var from: UInt64 = 1

    mutating func validate() throws {
        guard format == "ndjson" || format == "csv" else { throw ValidationError("--format must be ndjson or csv") }
        if let since, Timestamp(rfc3339: since) == nil { throw ValidationError("--since must be an RFC 3339 time, e.g. 2026-11-01T00:00:00Z") }
        if let until, Timestamp(rfc3339: until) == nil { throw ValidationError("--until must be an RFC 3339 time, e.g. 2026-12-01T00:00:00Z") }
    }

    func run() async throws {
        let start = since.flatMap { Timestamp(rfc3339: $0) }
        let end = until.flatMap { Timestamp(rfc3339: $0) }
        let typeSet = Set(types)
        let output = StandardOutput()
        if format == "csv" { output.write("position,time,type,stream,streamversion,actor,tokenid,origin,id,data\r\n") }
        var projectStreams: Set<String> = project.map { ["project-" + $0] } ?? []
        do {
            let reader = try OfflineLogReader(dataDirectory: global.dataDirectory, workspace: global.workspace)
            try reader.forEachEvent(from: max(1, from)) { event in
                if let end, event.time >= end { return false }
                if let project, !belongs(event, to: project, streams: &projectStreams) { return true }
                if let start, event.time < start { return true }
                if !typeSet.isEmpty, !typeSet.contains(event.type) { return true }
                if let streamPrefix, !event.stream.hasPrefix(streamPrefix) { return true }
                let extensions = actor == nil && format == "ndjson" ? [:] : event.extensions
                if let actor, extensions["actor"] != .string(actor) { return true }
                if format == "ndjson" {
                    output.write(event.line)
                    output.write("\n")
                } else {
                    output.write(csvRow(event, extensions))
                }
                return true
            }
        } catch {
            output.flush()
            throw fail(error, context: "export")
        }
        output.flush()
    }

    /// Whether `event` is of `project`; learns the project's task streams from their `TaskCreated`.
    private func belongs(_ event: RecordedEvent, to project: String, streams: inout Set<String>) -> Bool {
        let stream = event.stream
        if streams.contains(stream) { return true }
        guard let object = try? JSONSerialization.jsonObject(with: Data(event.data)) as? [String: Any],
            object["projectID"] as? String == project
        else { return false }
        if event.hasType("TaskCreated") { streams.insert(stream) }
        return true
    }

    private func csvRow(_ event: RecordedEvent, _ extensions: [String: ExtensionValue]) -> String {
        func text(_ name: String) -> String {
            if case .string(let value)? = extensions[name] { return value }
            return ""
        }
        let cells = [
            String(event.position), event.time.description, event.type, event.stream, String(event.streamVersion), text("actor"), text("tokenid"),
            text("origin"), event.id.description, String(decoding: event.data, as: UTF8.self),
        ]
        return cells.map(csvField).joined(separator: ",") + "\r\n"
    }
}

/// RFC 4180: quoted when it holds a comma, a quote or a line break; quotes doubled.
func csvField(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
