/// Why a stored payload could not be turned back into an `EventBody`.
public enum EventDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The type is not in the catalogue (written by a newer version of the code, or not a domain event).
    case unknownType(String)
    /// The payload's schema version is newer than this code knows.
    case unsupportedSchema(type: String, version: Int, known: Int)

    public var description: String {
        switch self {
        case .unknownType(let type): "unknown event type \(type)"
        case .unsupportedSchema(let type, let version, let known):
            "\(type) has schema version \(version); this code reads up to version \(known)"
        }
    }
}

extension EventBody {
    /// Reads a stored payload of `type`, written in `schemaVersion`, from `decoder` (the envelope's
    /// `data`), upcasting older schema versions to the current shape.
    ///
    /// Stored events are never rewritten: when a payload's shape changes, its `schemaVersion` goes up and
    /// the reader of the older shape goes into `upcast` below, so every version ever written stays
    /// readable. Every type is at version 1 today.
    ///
    /// ```swift
    /// struct Box: Decodable {  // in the command service, with the envelope's type and schema in userInfo
    ///     let body: EventBody
    ///     init(from decoder: any Decoder) throws {
    ///         body = try EventBody.decode(type: type, schemaVersion: schema, from: decoder)
    ///     }
    /// }
    /// ```
    public static func decode(type: String, schemaVersion: Int, from decoder: any Decoder) throws -> EventBody {
        guard let payloadType = payloadTypes[type] else { throw EventDecodingError.unknownType(type) }
        guard schemaVersion <= payloadType.schemaVersion, schemaVersion >= 1 else {
            throw EventDecodingError.unsupportedSchema(type: type, version: schemaVersion, known: payloadType.schemaVersion)
        }
        if schemaVersion < payloadType.schemaVersion {
            return try upcast(type: type, from: schemaVersion, decoder: decoder)
        }
        return try payloadType.init(from: decoder).eventBody
    }

    /// Readers of older schema versions. None exist yet: add a case per (type, old version) when a
    /// payload changes shape, decoding the old shape and returning the current one.
    private static func upcast(type: String, from version: Int, decoder: any Decoder) throws -> EventBody {
        throw EventDecodingError.unsupportedSchema(type: type, version: version, known: payloadTypes[type]?.schemaVersion ?? 0)
    }

    private static let payloadTypes: [String: any EventPayload.Type] = {
        var table: [String: any EventPayload.Type] = [:]
        for payloadType in catalogue { table[payloadType.type] = payloadType }
        return table
    }()
}
