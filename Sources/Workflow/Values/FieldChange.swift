/// A raw field value in a `FieldChange`: what a program compares (an id, a date, a number).
///
/// JSON: a string, an integer, a boolean or an array of strings.
public enum FieldValue: Hashable, Sendable, Codable, CustomStringConvertible {
    case text(String)
    case integer(Int)
    case flag(Bool)
    case list([String])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // Booleans first: some decoders would read `true` as 1.
        if let flag = try? container.decode(Bool.self) {
            self = .flag(flag)
        } else if let integer = try? container.decode(Int.self) {
            self = .integer(integer)
        } else if let text = try? container.decode(String.self) {
            self = .text(text)
        } else {
            self = .list(try container.decode([String].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let text): try container.encode(text)
        case .integer(let integer): try container.encode(integer)
        case .flag(let flag): try container.encode(flag)
        case .list(let list): try container.encode(list)
        }
    }

    public var description: String {
        switch self {
        case .text(let text): text
        case .integer(let integer): String(integer)
        case .flag(let flag): String(flag)
        case .list(let list): list.joined(separator: ", ")
        }
    }
}

/// One field's change, as history shows it: the raw values for programs and the display values for
/// people, captured when the change happened, so history stays readable after renames and deletions
/// (a state renamed later, a member removed later).
///
/// ```json
/// {"field": "assignee", "from": null, "to": "m-7", "fromDisplay": null, "toDisplay": "Ada Lovelace"}
/// ```
public struct FieldChange: Hashable, Sendable, Codable {
    /// The field's name, e.g. `title`, `dueDate`, `priority`.
    public var field: String
    public var from: FieldValue?
    public var to: FieldValue?
    public var fromDisplay: String?
    public var toDisplay: String?

    public init(field: String, from: FieldValue?, to: FieldValue?, fromDisplay: String? = nil, toDisplay: String? = nil) {
        self.field = field
        self.from = from
        self.to = to
        self.fromDisplay = fromDisplay ?? from?.description
        self.toDisplay = toDisplay ?? to?.description
    }
}

/// A field a partial update either keeps or sets; `set(nil)` clears an optional field, which a plain
/// optional parameter cannot say.
public enum Update<Value: Sendable & Equatable>: Sendable, Equatable {
    case keep
    case set(Value)

    /// The new value, or `current` when kept.
    public func applied(to current: Value) -> Value {
        switch self {
        case .keep: current
        case .set(let value): value
        }
    }
}
