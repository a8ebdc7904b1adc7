import Foundation

/// The generator's only source of randomness: xoshiro256** seeded through SplitMix64.
///
/// Never the system generator: the same seed must give the same history, byte for byte, on every
/// machine and every run, and `SystemRandomNumberGenerator` (or `Int.random(in:)` without a generator)
/// would make that impossible. Its helpers draw exactly one `next()` per call so that adding a draw in
/// one place does not silently shift every later decision in an unrelated one more than it must.
///
/// ```swift
/// var random = DemoRandom(seed: 42)
/// let die = random.int(below: 6) + 1
/// ```
public struct DemoRandom: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// A generator whose whole sequence is determined by `seed`.
    public init(seed: UInt64) {
        // SplitMix64 spreads a small seed (42) over the whole 256-bit state; an all-zero state would be stuck.
        var x = seed
        func mix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (mix(), mix(), mix(), mix())
        if state == (0, 0, 0, 0) { state.0 = 1 }
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = ((state.1 &* 5) << 7 | (state.1 &* 5) >> 57) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = state.3 << 45 | state.3 >> 19
        return result
    }

    /// A uniform double in [0, 1), from the top 53 bits.
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A uniform integer in 0..<bound (`bound` > 0). Multiply-shift: a bias below 2^-32 for any bound used here.
    public mutating func int(below bound: Int) -> Int {
        precondition(bound > 0, "int(below:) needs a positive bound")
        return Int((UInt64(bound).multipliedFullWidth(by: next())).high)
    }

    /// A uniform integer in `range`.
    public mutating func int(in range: ClosedRange<Int>) -> Int { range.lowerBound + int(below: range.count) }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// One element of a non-empty array.
    public mutating func pick<T>(_ items: [T]) -> T { items[int(below: items.count)] }

    /// An index into `weights` drawn in proportion to them (all ≥ 0, sum > 0).
    public mutating func weighted(_ weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        var u = unit() * total
        for (index, weight) in weights.enumerated() {
            if u < weight { return index }
            u -= weight
        }
        return weights.count - 1
    }

    /// A heavy-tailed index in 0..<count: index ⌊count·u^skew⌋, so the first tenth of the range gets
    /// 0.1^(1/skew) of the draws (skew 3: 46 %). A cheap stand-in for Zipf's law with no table to keep
    /// up to date as the population grows; which items sit at the front is the caller's business.
    public mutating func skewed(count: Int, skew: Double) -> Int {
        precondition(count > 0, "skewed(count:) needs a non-empty range")
        return min(count - 1, Int(Double(count) * pow(unit(), skew)))
    }

    /// An exponentially distributed value with the given mean (gaps between independent arrivals).
    public mutating func exponential(mean: Double) -> Double { -mean * log(1 - unit()) }
}
