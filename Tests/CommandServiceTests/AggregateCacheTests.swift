import CommandService
import Testing

@Suite("Aggregate cache: LRU by approximate bytes")
struct AggregateCacheTests {
    @Test("evicts the least recently used entries once the byte limit is passed")
    func eviction() {
        var cache = AggregateCache<String>(bytesMax: 100)
        cache.put("a", "A", version: 1, bytes: 40)
        cache.put("b", "B", version: 2, bytes: 40)
        #expect(cache.get("a")?.value == "A")  // a is now the most recent
        cache.put("c", "C", version: 3, bytes: 40)  // 120 > 100: b goes
        #expect(cache.keysByRecency == ["c", "a"])
        #expect(cache.get("b") == nil)
        #expect(cache.bytes == 80 && cache.evictions == 1)
        cache.put("a", "A2", version: 4, bytes: 90)  // replacing a: c must go to fit
        #expect(cache.keysByRecency == ["a"])
        #expect(cache.get("a")?.version == 4 && cache.bytes == 90)
        cache.put("huge", "H", version: 1, bytes: 101)  // larger than the limit: never cached
        #expect(!cache.contains("huge") && cache.contains("a"))
        cache.remove("a")
        #expect(cache.count == 0 && cache.bytes == 0)
        for index in 0..<50 { cache.put("k\(index)", "v", version: UInt64(index), bytes: 10) }
        #expect(cache.count == 10 && cache.bytes == 100)
        #expect(cache.keysByRecency.first == "k49" && cache.keysByRecency.last == "k40")
    }
}
