import EventLog

/// An event as the projections need it: its payload indexed once, its type as a string, and (only when
/// some statement binds them) its extensions and formatted times. Immutable, so one decoded batch is
/// shared by every projection that applies it.
struct DecodedEvent: Sendable {
    /// Which optional values to prepare.
    struct Needs: OptionSet, Sendable {
        let rawValue: UInt8
        static let extensions = Needs(rawValue: 1)
        static let time = Needs(rawValue: 2)
        /// Only the `decidedat` extension (for `:at`): found without building the extensions dictionary,
        /// which was two thirds of the CPU of a board "as of" replay.
        static let decidedAt = Needs(rawValue: 4)
        static let all: Needs = [.extensions, .time, .decidedAt]
    }

    let event: RecordedEvent
    let type: String
    /// The type's number in `EventTypeTable.shared` (`EventTypeTable.unnumbered` once that is full).
    let typeNumber: Int
    let tape: JSONTape
    let extensions: [String: ExtensionValue]
    let timeText: String
    let atText: String

    init(_ event: RecordedEvent, typeNumber: Int, needs: Needs) {
        self.event = event
        type = event.type
        self.typeNumber = typeNumber
        tape = event.data.withUnsafeBytes { JSONTape($0) }
        extensions = needs.contains(.extensions) ? event.extensions : [:]
        timeText = needs.contains(.time) ? event.time.description : ""
        let decided: ExtensionValue? =
            if !needs.contains(.decidedAt) { nil } else if needs.contains(.extensions) { extensions["decidedat"] } else {
                event.extensionValue("decidedat")
            }
        if case .string(let text)? = decided { atText = text } else { atText = timeText }
    }

    var position: UInt64 { event.position }
}

/// Decodes a batch once for every projection applying it.
func decode(_ events: [RecordedEvent], needs: DecodedEvent.Needs) -> [DecodedEvent] {
    zip(events, EventTypeTable.shared.numbers(of: events.lazy.map(\.type))).map { event, typeNumber in
        DecodedEvent(event, typeNumber: typeNumber, needs: needs)
    }
}
