import EventLog
import Foundation
import Workflow

/// A `type` filter (`?type=TaskMoved,TaskEdited`) on the audit trail, its export and the event
/// subscriptions. A name that could never match is a `400 invalid-parameter` naming it, instead of an
/// empty page or a subscription that stays silent: one the log cannot store (`Task Moved`, `TaskMoved!`),
/// or one that differs only in case from a catalogue type (`taskmoved`: types are case-sensitive), which
/// the problem spells right. Any other name is accepted, not only the catalogue's: `taskledger log append`
/// can write events of any type into a workspace's log, and a filter must be able to find them.
enum EventTypeFilter {
    /// Every event type the domain writes (docs/events.md), plus the redaction record.
    static let catalogue: Set<String> = Set(EventBody.catalogue.map { $0.type } + [RedactionRecord.eventType])

    /// The types `text` names: comma-separated, spaces around names ignored. Nil when `text` is nil (no
    /// filter); naming no type at all (`type=`) is a problem, not a filter that matches nothing.
    static func types(_ text: String?) throws -> [String]? {
        guard let text else { return nil }
        var types: [String] = []
        for part in text.split(separator: ",") {
            let type = part.trimmingCharacters(in: .whitespaces)
            guard !type.isEmpty else { continue }
            try check(type)
            if !types.contains(type) { types.append(type) }
        }
        guard !types.isEmpty else { throw Problem.badRequest("type: one or more event types, comma-separated", code: "invalid-parameter") }
        return types
    }

    private static func check(_ type: String) throws {
        do {
            try ProposedEvent.checkType(type)
        } catch {
            throw Problem.badRequest("type: \(error)", code: "invalid-parameter")
        }
        if !catalogue.contains(type), let spelt = catalogue.first(where: { $0.lowercased() == type.lowercased() }) {
            throw Problem.badRequest(
                "type: no event type \"\(type)\"; types are case-sensitive: did you mean \"\(spelt)\"?", code: "invalid-parameter")
        }
    }
}
