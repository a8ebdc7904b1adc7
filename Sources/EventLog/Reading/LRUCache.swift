/// Values by key, least recently used evicted first, bounded by the sizes given for them.
///
/// Every operation is O(1) amortised. Uses are recorded in `order`, oldest first; a value used again gets
/// a newer record, and its older records are skipped when eviction reaches them (a value is evicted only
/// at the record of its latest use). Finding the oldest value by scanning the table instead costs a copy
/// of every entry per insert once the cache is full: with ~50k small live batches cached, 27 % of the
/// server's CPU under a write load went to that scan.
struct LRUCache<Key: Hashable, Value> {
    private var entries: [Key: (value: Value, size: Int, lastUse: UInt64)] = [:]
    /// (key, use) records, oldest first from `orderStart`.
    private var order: [(key: Key, use: UInt64)] = []
    private var orderStart = 0
    private(set) var bytes = 0
    private var tick: UInt64 = 0

    var count: Int { entries.count }
    /// Use records kept (for tests: stays within a small multiple of `count`).
    var recordCount: Int { order.count - orderStart }

    mutating func get(_ key: Key) -> Value? {
        guard let value = entries[key]?.value else { return nil }
        tick += 1
        entries[key]?.lastUse = tick
        record(key)
        return value
    }

    /// Keeps `value` (replacing the key's older one), then evicts the least recently used until the
    /// sizes total at most `bytesMax`. A value larger than `bytesMax` by itself is not kept.
    mutating func put(_ value: Value, for key: Key, size: Int, bytesMax: Int) {
        guard size <= bytesMax else { return }
        tick += 1
        if let old = entries.updateValue((value, size, tick), forKey: key) { bytes -= old.size }
        bytes += size
        record(key)
        while bytes > bytesMax, orderStart < order.count {
            let oldest = order[orderStart]
            orderStart += 1
            // Only the record of an entry's latest use evicts it; earlier records are stale.
            guard let entry = entries[oldest.key], entry.lastUse == oldest.use else { continue }
            entries[oldest.key] = nil
            bytes -= entry.size
        }
        compactOrder()
    }

    private mutating func record(_ key: Key) {
        order.append((key, tick))
        compactOrder()
    }

    /// Drops consumed records, and stale ones when they outnumber the entries, so `order` stays within a
    /// small multiple of the entries.
    private mutating func compactOrder() {
        if orderStart > 1_024, orderStart > order.count - orderStart {
            order.removeFirst(orderStart)
            orderStart = 0
        }
        if order.count - orderStart > 4 * entries.count + 1_024 {
            order = order[orderStart...].filter { entries[$0.key]?.lastUse == $0.use }
            orderStart = 0
        }
    }
}
