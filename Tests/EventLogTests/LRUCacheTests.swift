import Testing

@testable import EventLog

@Suite("LRU cache of decoded batches")
struct LRUCacheTests {
    @Test("evicts the least recently used first, counting gets as uses, within the byte bound")
    func evictionOrder() {
        var cache = LRUCache<Int, String>()
        for key in 0..<4 { cache.put("v\(key)", for: key, size: 10, bytesMax: 40) }
        #expect(cache.count == 4 && cache.bytes == 40)
        #expect(cache.get(0) == "v0")  // 0 is now the most recent
        cache.put("v4", for: 4, size: 10, bytesMax: 40)
        #expect(cache.get(1) == nil, "1 was the least recently used")
        #expect(cache.get(0) == "v0" && cache.get(2) == "v2")
        cache.put("v5", for: 5, size: 20, bytesMax: 40)  // evicts 3, then 4
        #expect(cache.get(3) == nil && cache.get(4) == nil)
        #expect(cache.bytes == 40 && cache.count == 3)
        // Replacing a key's value counts its new size only.
        cache.put("v0'", for: 0, size: 5, bytesMax: 40)
        #expect(cache.get(0) == "v0'" && cache.bytes == 35)
        // A value larger than the bound is not kept and evicts nothing.
        cache.put("huge", for: 9, size: 41, bytesMax: 40)
        #expect(cache.get(9) == nil && cache.count == 3)
    }

    @Test("matches a simple reference model under random use, and its records stay bounded")
    func model() {
        var cache = LRUCache<Int, Int>()
        var reference: [(key: Int, size: Int)] = []  // least recently used first
        var random = SystemRandomNumberGenerator()
        let bytesMax = 1_000
        for step in 0..<50_000 {
            let key = Int.random(in: 0..<300, using: &random)
            if Bool.random(using: &random) {
                let got = cache.get(key)
                if let index = reference.firstIndex(where: { $0.key == key }) {
                    #expect(got == key)
                    reference.append(reference.remove(at: index))
                } else {
                    #expect(got == nil)
                }
            } else {
                let size = Int.random(in: 1...60, using: &random)
                cache.put(key, for: key, size: size, bytesMax: bytesMax)
                reference.removeAll { $0.key == key }
                reference.append((key, size))
                while reference.reduce(0, { $0 + $1.size }) > bytesMax { reference.removeFirst() }
            }
            if step % 1_000 == 0 {
                #expect(cache.count == reference.count)
                #expect(cache.bytes == reference.reduce(0) { $0 + $1.size })
                #expect(cache.recordCount <= 4 * cache.count + 2_048)
            }
        }
    }
}
