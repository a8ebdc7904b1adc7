/// A task's priority, lowest first.
public enum Priority: String, CaseIterable, Comparable, Sendable, Codable {
    /// No priority given; `none` in JSON. (Not `case none`, which reads as `Optional.none`.)
    case unset = "none"
    case low, medium, high, urgent

    public static func < (lhs: Priority, rhs: Priority) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// The name people read in history.
    public var displayName: String {
        switch self {
        case .unset: "No priority"
        case .low: "Low"
        case .medium: "Medium"
        case .high: "High"
        case .urgent: "Urgent"
        }
    }
}

/// How much work a task is expected to take: whole story points or whole hours.
///
/// Whole numbers keep sums exact in every read model (no binary fractions in burndown totals).
/// JSON: `"5pt"` or `"8h"`, readable in history as it is.
public struct Estimate: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The estimate's unit.
    public enum Unit: String, Sendable, Codable {
        case points = "pt"
        case hours = "h"
    }

    public var amount: Int
    public var unit: Unit

    public init(amount: Int, unit: Unit) {
        self.amount = amount
        self.unit = unit
    }

    /// Parses `5pt` or `8h`.
    public init?(_ text: String) {
        let unit: Unit
        let digits: Substring
        if text.hasSuffix("pt") {
            unit = .points
            digits = text.dropLast(2)
        } else if text.hasSuffix("h") {
            unit = .hours
            digits = text.dropLast(1)
        } else {
            return nil
        }
        guard let amount = Int(digits), amount >= 0 else { return nil }
        self.init(amount: amount, unit: unit)
    }

    public var description: String { String(amount) + unit.rawValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let estimate = Estimate(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an estimate like 5pt or 8h: \(text)")
        }
        self = estimate
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A task field a transition can require before a task may take it.
public enum TaskField: String, CaseIterable, Hashable, Sendable, Codable {
    case description
    case assignees
    case priority
    case startDate
    case dueDate
    case estimate
    case labels
}
