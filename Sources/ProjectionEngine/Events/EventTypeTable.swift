import Synchronization

/// Numbers event types, process-wide, so that each projection finds an event's statements by indexing an
/// array instead of hashing the type's string: decoding numbers a batch once (one lock, one hash per
/// event) for every projection that applies it, where each of six projections hashed it before.
enum EventTypeTable {
    private static let numbers = Mutex([String: Int]())

    /// The number of each event's type, in order. Numbers start at 0 and never change.
    static func numbers(of types: some Sequence<String>) -> [Int] {
        numbers.withLock { table in
            types.map { type in
                if let number = table[type] { return number }
                let number = table.count
                table[type] = number
                return number
            }
        }
    }
}
