import Synchronization

/// Numbers event types, process-wide, so that each projection finds an event's statements by indexing an
/// array instead of hashing the type's string: decoding numbers a batch once (one lock, one hash per
/// event) for every projection that applies it, where each of six projections hashed it before.
///
/// Bounded: the shared table lives as long as the process and hosts every workspace's logs, whose types
/// are whatever their writers recorded. Past `typesMax` distinct types a new type is `unnumbered`, and
/// the projections look its statements up by name (correct, only slower).
final class EventTypeTable: Sendable {
    /// The table every decoded batch is numbered with.
    static let shared = EventTypeTable(typesMax: 10_000)
    /// The number of a type met after the table filled up.
    static let unnumbered = -1

    /// Distinct types numbered at most (the domain has fewer than a hundred).
    let typesMax: Int
    private let numbers = Mutex([String: Int]())

    init(typesMax: Int) { self.typesMax = typesMax }

    /// The number of each event's type, in order. Numbers start at 0 and never change.
    func numbers(of types: some Sequence<String>) -> [Int] {
        numbers.withLock { table in
            types.map { type in
                if let number = table[type] { return number }
                guard table.count < typesMax else { return Self.unnumbered }
                let number = table.count
                table[type] = number
                return number
            }
        }
    }
}
