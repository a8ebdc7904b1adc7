/// Event id → position, for the writer's idempotency check: an open-addressing table with linear probing.
///
/// Why not `Dictionary`: the writer looks up and inserts every appended id, and `Dictionary` hashes each
/// 16-byte key with SipHash (a `Hasher` per operation showed as ~5 % of append CPU). Ids are mostly
/// random already (UUIDv7), so one multiply mixes them well enough. 24 bytes a slot at ≤ 70 % load.
struct EventIDTable {
    private var highs: [UInt64]
    private var lows: [UInt64]
    /// 0 marks an empty slot (positions start at 1).
    private var positions: [UInt64]
    private var mask: Int
    private(set) var count = 0

    init(minimumCapacity: Int = 1_024) {
        var capacity = 1_024
        while capacity * 7 / 10 < minimumCapacity { capacity *= 2 }
        highs = Array(repeating: 0, count: capacity)
        lows = Array(repeating: 0, count: capacity)
        positions = Array(repeating: 0, count: capacity)
        mask = capacity - 1
    }

    @inline(__always)
    private func slot(_ id: EventID) -> Int {
        Int(truncatingIfNeeded: ((id.high ^ id.low.byteSwapped) &* 0x9E37_79B9_7F4A_7C15) >> 17) & mask
    }

    subscript(id: EventID) -> UInt64? {
        var index = slot(id)
        while true {
            let position = positions[index]
            if position == 0 { return nil }
            if lows[index] == id.low && highs[index] == id.high { return position }
            index = (index + 1) & mask
        }
    }

    /// Records `id` at `position` (> 0), replacing an earlier position for the same id.
    mutating func insert(_ id: EventID, at position: UInt64) {
        precondition(position > 0)
        if (count + 1) * 10 > positions.count * 7 { grow() }
        var index = slot(id)
        while positions[index] != 0 {
            if lows[index] == id.low && highs[index] == id.high {
                positions[index] = position
                return
            }
            index = (index + 1) & mask
        }
        highs[index] = id.high
        lows[index] = id.low
        positions[index] = position
        count += 1
    }

    private mutating func grow() {
        var bigger = EventIDTable(minimumCapacity: positions.count * 2 * 7 / 10 + 1)
        for index in positions.indices where positions[index] != 0 {
            bigger.insert(EventID(high: highs[index], low: lows[index]), at: positions[index])
        }
        self = bigger
    }
}
