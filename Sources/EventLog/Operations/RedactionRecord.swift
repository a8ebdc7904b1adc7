import Foundation

/// The audited record of a redaction: the event `EventsRedacted` on stream `redaction`, appended
/// *before* the payloads are rewritten, so an interrupted redaction is finished by running it again
/// (`taskledger redact --resume`), and every redacted line names its record (`redactedby`), which
/// `verify` checks (docs/auditing.md).
public struct RedactionRecord: Codable, Sendable, Equatable {
    public static let eventType = "EventsRedacted"
    public static let stream = "redaction"
    /// What replaces a redacted string.
    public static let placeholder = "[redacted]"

    /// The redacted events' positions, ascending.
    public var positions: [UInt64]
    /// Per position (as a decimal string), the JSON Pointers (RFC 6901) into `data` of the values removed.
    public var fields: [String: [String]]
    /// Why (e.g. "erasure request 2026-114 of member m_7").
    public var reason: String
    /// Who ordered it.
    public var orderedBy: String

    public init(positions: [UInt64], fields: [String: [String]], reason: String, orderedBy: String) {
        self.positions = positions
        self.fields = fields
        self.reason = reason
        self.orderedBy = orderedBy
    }

    /// Decodes a record from an event's `data`; nil when it is not one.
    public init?(json: some Collection<UInt8>) {
        guard let record = try? JSONDecoder().decode(RedactionRecord.self, from: Data(json)) else { return nil }
        self = record
    }

    /// The event's `data`: sorted keys, so the same record always encodes to the same bytes.
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(self)) ?? Data("{}".utf8))
    }
}
