public import EventLog
public import Workflow

/// Why a domain event could not be written as a log event, or a log event read back as a domain event.
public enum EventMappingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The stored type is not in the domain's catalogue (written by newer code, or not a domain event).
    case unknownType(String)
    /// The stored payload's schema version is newer than this code reads.
    case unsupportedSchema(type: String, version: Int, known: Int)
    /// An extension attribute the mapping reads has the wrong kind of value or an unreadable one.
    case invalidAttribute(name: String, value: String)
    /// The payload does not decode as its type's schema.
    case invalidPayload(type: String, reason: String)
    /// The payload could not be encoded (a bug: every payload is plain Codable data).
    case encodingFailed(type: String, reason: String)

    /// A stable, kebab-case identifier of the failure.
    public var code: String {
        switch self {
        case .unknownType: "unknown-event-type"
        case .unsupportedSchema: "unsupported-schema-version"
        case .invalidAttribute: "invalid-event-attribute"
        case .invalidPayload: "invalid-event-payload"
        case .encodingFailed: "event-encoding-failed"
        }
    }

    public var description: String {
        switch self {
        case .unknownType(let type): "unknown event type \(type)"
        case .unsupportedSchema(let type, let version, let known):
            "\(type) has schema version \(version); this code reads up to version \(known)"
        case .invalidAttribute(let name, let value): "extension attribute \(name) has an unreadable value \(value)"
        case .invalidPayload(let type, let reason): "\(type) payload does not decode: \(reason)"
        case .encodingFailed(let type, let reason): "\(type) payload does not encode: \(reason)"
        }
    }
}

/// Turns the domain's events into the log's CloudEvents and back.
///
/// A `DomainEvent` becomes a `ProposedEvent` with the payload as JSON (keys sorted, so the same event
/// always has the same bytes) and these extension attributes; absent metadata is omitted, not written empty:
///
/// | attribute | value |
/// |---|---|
/// | `schemaversion` | the payload's schema version (integer) |
/// | `decidedat` | the decision's `now`, RFC 3339 UTC with microseconds |
/// | `actorkind` | `user`, `service` or `system` |
/// | `actor` | the acting member's id |
/// | `tokenid`, `requestid`, `correlationid`, `causationid` | from `CommandMetadata`, when given |
/// | `origin` | `api`, `import`, `rule` or `scheduler` |
///
/// `decidedat` is kept apart from the envelope's `time` (when the batch committed) because `evolve`
/// folds the decision time into state (`updatedAt`, `completedAt`, …): a state rebuilt from the log must
/// equal the state that was decided on, and the commit time is a few milliseconds later.
public enum EventEnvelopeMapping {
    /// Extension attribute names (lower-case alphanumeric, at most 20 characters: CloudEvents rules).
    public enum Attribute {
        public static let schemaVersion = "schemaversion"
        public static let decidedAt = "decidedat"
        public static let actorKind = "actorkind"
        public static let actor = "actor"
        public static let tokenID = "tokenid"
        public static let requestID = "requestid"
        public static let correlationID = "correlationid"
        public static let causationID = "causationid"
        public static let origin = "origin"
    }

    /// The log event for `event`, recording `metadata` and `actorKind` (the kind resolved for the member).
    public static func proposedEvent(
        _ event: DomainEvent, metadata: CommandMetadata, actorKind: CommandMetadata.ActorKind, id: EventID? = nil
    ) throws(EventMappingError) -> ProposedEvent {
        let body = event.body
        let data: [UInt8]
        do {
            data = try PayloadJSONEncoder().encode(PayloadWriter(body: body))
        } catch {
            throw .encodingFailed(type: body.type, reason: "\(error)")
        }
        var extensions: [(name: String, value: ExtensionValue)] = [
            (Attribute.schemaVersion, .integer(Int64(body.schemaVersion))),
            (Attribute.decidedAt, .string(event.at.description)),
            (Attribute.actorKind, .string(actorKind.rawValue)),
            (Attribute.actor, .string(metadata.member.rawValue)),
        ]
        let optional: [(String, String?)] = [
            (Attribute.tokenID, metadata.tokenID), (Attribute.requestID, metadata.requestID),
            (Attribute.correlationID, metadata.correlationID), (Attribute.causationID, metadata.causationID),
        ]
        for case (let name, let value?) in optional { extensions.append((name, .string(value))) }
        extensions.append((Attribute.origin, .string(metadata.origin.rawValue)))
        return ProposedEvent(id: id, stream: event.stream.rawValue, type: body.type, data: data, extensions: extensions)
    }

    /// The domain event stored as `recorded`, its payload upcast to the current schema.
    ///
    /// An event without `schemaversion` is read as version 1, and one without `decidedat` takes its commit
    /// time: both can only come from tools other than the command service (`taskledger log append`), and
    /// refusing them would make a stream unloadable for good.
    public static func domainEvent(_ recorded: RecordedEvent) throws(EventMappingError) -> DomainEvent {
        let type = recorded.type
        // Two attributes looked up in the line, rather than a dictionary of all of them built per event.
        var schemaVersion = 1
        switch recorded.extensionValue(Attribute.schemaVersion) {
        case nil: break
        case .integer(let version)?: schemaVersion = Int(clamping: version)
        case let other?: throw .invalidAttribute(name: Attribute.schemaVersion, value: other.description)
        }
        var at = Instant(unixMicros: recorded.time.unixMicros)
        switch recorded.extensionValue(Attribute.decidedAt) {
        case nil: break
        case .string(let text)?:
            guard let instant = Instant(rfc3339: text) else { throw .invalidAttribute(name: Attribute.decidedAt, value: text) }
            at = instant
        case let other?: throw .invalidAttribute(name: Attribute.decidedAt, value: other.description)
        }
        let body: EventBody
        do {
            body = try PayloadJSONDecoder().decode(from: recorded.data) { decoder in
                try EventBody.decode(type: type, schemaVersion: schemaVersion, from: decoder)
            }
        } catch let error as EventDecodingError {
            switch error {
            case .unknownType(let type): throw .unknownType(type)
            case .unsupportedSchema(let type, let version, let known): throw .unsupportedSchema(type: type, version: version, known: known)
            }
        } catch {
            throw .invalidPayload(type: type, reason: "\(error)")
        }
        return DomainEvent(stream: StreamName(rawValue: recorded.stream), at: at, body: body)
    }

    /// The actor recorded on `recorded`, if any: member id and kind.
    public static func actor(of recorded: RecordedEvent) -> (member: MemberID, kind: CommandMetadata.ActorKind?)? {
        let extensions = recorded.extensions
        guard case .string(let member)? = extensions[Attribute.actor] else { return nil }
        var kind: CommandMetadata.ActorKind?
        if case .string(let text)? = extensions[Attribute.actorKind] { kind = CommandMetadata.ActorKind(rawValue: text) }
        return (MemberID(member), kind)
    }
}

/// Encodes an `EventBody`'s payload at the top level (the envelope's `data` is the bare payload).
private struct PayloadWriter: Encodable {
    let body: EventBody
    func encode(to encoder: any Encoder) throws { try body.encodePayload(to: encoder) }
}
