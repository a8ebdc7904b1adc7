import Foundation
import Testing

@testable import Workflow

/// `docs/events.md` is rendered from the code: every event type of `EventBody.catalogue`, its stream,
/// schema version and payload fields (from the payload types themselves, by reflection), and an example
/// payload produced by a real decision. The test fails when the file is stale;
/// `TASKLEDGER_WRITE_DOCS=1 swift test --filter WorkflowTests` rewrites it.
@Suite struct EventCatalogueDocumentTests {
    @Test func eventsDocumentIsCurrent() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/events.md").path
        let rendered = try Self.render()
        if ProcessInfo.processInfo.environment["TASKLEDGER_WRITE_DOCS"] == "1" {
            try rendered.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let onDisk = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        #expect(onDisk == rendered, "docs/events.md is stale: run TASKLEDGER_WRITE_DOCS=1 swift test --filter WorkflowTests")
    }

    @Test func documentNamesEveryEventType() throws {
        let rendered = try Self.render()
        for payload in EventBody.catalogue { #expect(rendered.contains("### \(payload.type)\n"), "\(payload.type)") }
    }

    static func render() throws -> String {
        let samples = try EventCodingTests.everyEvent()
        var firstSample: [String: DomainEvent] = [:]
        for event in samples where firstSample[event.type] == nil { firstSample[event.type] = event }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]

        var out = """
            # Event catalogue

            Generated from the code by `Tests/WorkflowTests/EventCatalogueDocumentTests.swift` — do not edit by
            hand; `TASKLEDGER_WRITE_DOCS=1 swift test --filter WorkflowTests` rewrites it, and the test fails
            when it is stale.

            Every event is stored as one CloudEvents 1.0 JSON line ([log-format.md](log-format.md)): `type` is
            the event type below, `subject` the stream, `data` the payload. The command service adds the
            extension attributes `schemaversion` (the payload's version below; older versions are upcast on
            read, stored events are never rewritten), `decidedat` (the decision's time), and who and why:
            `actor`, `actorkind`, `tokenid`, `requestid`, `correlationid`, `causationid`, `origin`.
            Field changes are recorded as `{field, from, to, fromDisplay, toDisplay}` so history stays
            readable after renames and deletions.

            | event type | stream | schema |
            |---|---|---|

            """
        for payload in EventBody.catalogue {
            let stream = firstSample[payload.type].map { streamKind($0.stream) } ?? "–"
            out += "| [\(payload.type)](#\(payload.type.lowercased())) | \(stream) | \(payload.schemaVersion) |\n"
        }
        for payload in EventBody.catalogue {
            out += "\n### \(payload.type)\n\n"
            guard let sample = firstSample[payload.type] else {
                out += "No example (not produced by the catalogue scenario).\n"
                continue
            }
            out += "Stream `\(streamKind(sample.stream))`, schema version \(payload.schemaVersion).\n\n"
            out += "| field | type |\n|---|---|\n"
            for child in Mirror(reflecting: sample.body.payload).children {
                guard let name = child.label else { continue }
                out += "| `\(name)` | \(typeName(Swift.type(of: child.value))) |\n"
            }
            let data = try encoder.encode(PayloadEncoding(body: sample.body))
            out += "\nExample `data`:\n\n```json\n\(String(decoding: data, as: UTF8.self))\n```\n"
        }
        return out
    }

    static func streamKind(_ stream: StreamName) -> String {
        switch stream.kind {
        case .workspace: "workspace"
        case .project: "project-{id}"
        case .workflow: "workflow-{id}"
        case .task: "task-{id}"
        case .reminder: "reminder-{id}"
        case .milestone: "milestone-{id}"
        case .document: "document-{id}"
        case .token: "token-{id}"
        case .security: "security"
        case nil: stream.rawValue
        }
    }

    /// `Optional<Swift.String>` → `String?`, `Array<Workflow.MemberID>` → `[MemberID]`.
    static func typeName(_ type: Any.Type) -> String {
        var name = String(reflecting: type)
        for prefix in ["Workflow.", "Swift."] { name = name.replacingOccurrences(of: prefix, with: "") }
        // Typed ids are `Identifier<ProjectTag>` under their aliases (`ProjectID`); JSON holds a string.
        name = name.replacingOccurrences(of: #"Identifier<(\w+)Tag>"#, with: "$1ID", options: .regularExpression)
        while let range = name.range(of: #"Optional<([^<>]*)>"#, options: .regularExpression) {
            let inner = name[range].dropFirst("Optional<".count).dropLast()
            name.replaceSubrange(range, with: inner + "?")
        }
        while let range = name.range(of: #"Array<([^<>]*)>"#, options: .regularExpression) {
            let inner = name[range].dropFirst("Array<".count).dropLast()
            name.replaceSubrange(range, with: "[" + inner + "]")
        }
        while let range = name.range(of: #"Set<([^<>]*)>"#, options: .regularExpression) {
            let inner = name[range].dropFirst("Set<".count).dropLast()
            name.replaceSubrange(range, with: "Set of " + inner)
        }
        return name
    }
}

private struct PayloadEncoding: Encodable {
    let body: EventBody
    func encode(to encoder: any Encoder) throws { try body.encodePayload(to: encoder) }
}
