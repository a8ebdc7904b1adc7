/// Where an event statement's parameter gets its value (docs/projections.md, "Parameters bound in `on`
/// statements"). Resolved once per statement at load time, so binding does no name matching per event.
enum EventField: Sendable, Hashable {
    case position
    case id
    case type
    case stream
    case streamVersion
    case time
    case at
    case ext(String)
    case data
    case dataPath([PathComponent])

    init?(parameter name: String) {
        switch name {
        case "position": self = .position
        case "id": self = .id
        case "type": self = .type
        case "stream": self = .stream
        case "streamversion": self = .streamVersion
        case "time": self = .time
        case "at": self = .at
        case "data": self = .data
        default:
            let parts = name.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count >= 2, !parts.contains(where: \.isEmpty) else { return nil }
            if parts[0] == "ext", parts.count == 2 {
                self = .ext(String(parts[1]))
            } else if parts[0] == "data" {
                self = .dataPath(parts.dropFirst().map(PathComponent.init))
            } else {
                return nil
            }
        }
    }

    /// Which per-event values must be prepared for this field.
    var needs: DecodedEvent.Needs {
        switch self {
        case .ext: .extensions
        case .at: [.decidedAt, .time]
        case .time: .time
        default: []
        }
    }
}

/// Where a batch statement's parameter gets its value: the positions of the first and last events the
/// transaction applied.
enum BatchField: Sendable, Hashable {
    case firstPosition
    case lastPosition

    init?(parameter name: String) {
        switch name {
        case "first_position": self = .firstPosition
        case "last_position": self = .lastPosition
        default: return nil
        }
    }
}
