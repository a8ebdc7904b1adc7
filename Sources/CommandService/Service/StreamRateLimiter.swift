import Workflow

/// A token bucket per stream: the guardrail of DOMAIN.md's rule 6 ("a per-aggregate write rate limit").
///
/// A runaway script hammering one task (or one project) would otherwise fill the log, the projections
/// and every subscriber with noise, and starve everyone else's commands on that stream's write gate.
/// Each stream may take `burst` commands at once and `perSecond` on average after that; a command over
/// the limit is refused with `rate-limited` and how long to wait, before anything is decided.
///
/// Buckets that have refilled completely carry no information, so they are dropped when the table
/// grows past `bucketsMax`: memory stays bounded by the number of streams written in the last few
/// seconds, not by the number of streams that exist.
public struct StreamRateLimit: Equatable, Sendable {
    /// Average commands per second a stream may take.
    public var perSecond: Double
    /// Commands a stream may take at once after being idle.
    public var burst: Double

    public init(perSecond: Double, burst: Double) {
        self.perSecond = perSecond
        self.burst = burst
    }

    /// 20 commands per second per stream, bursts of 100: far beyond what people do to one task or
    /// project, well below what a loop in a script does.
    public static let standard = StreamRateLimit(perSecond: 20, burst: 100)
    /// No limit (imports, benchmarks of the machinery itself).
    public static let unlimited = StreamRateLimit(perSecond: .infinity, burst: .infinity)
}

struct StreamRateLimiter {
    private struct Bucket {
        var tokens: Double
        var updatedAt: Instant
    }

    let limit: StreamRateLimit
    private var buckets: [String: Bucket] = [:]
    private let bucketsMax = 10_000

    init(limit: StreamRateLimit) { self.limit = limit }

    /// Takes one token from each of `streams` at `now`, or none if one of them is empty: then returns
    /// that stream and the seconds until it has a token again.
    mutating func admit(_ streams: [String], now: Instant) -> (stream: String, retryAfter: Double)? {
        guard limit.perSecond.isFinite else { return nil }
        var refilled: [(String, Bucket)] = []
        for stream in streams {
            var bucket = buckets[stream] ?? Bucket(tokens: limit.burst, updatedAt: now)
            let elapsed = max(0, Double(now.unixMicros - bucket.updatedAt.unixMicros) / 1e6)
            bucket.tokens = min(limit.burst, bucket.tokens + elapsed * limit.perSecond)
            bucket.updatedAt = now
            guard bucket.tokens >= 1 else { return (stream, (1 - bucket.tokens) / limit.perSecond) }
            refilled.append((stream, bucket))
        }
        for (stream, var bucket) in refilled {
            bucket.tokens -= 1
            buckets[stream] = bucket
        }
        if buckets.count > bucketsMax { prune(now: now) }
        return nil
    }

    /// Drops the buckets that would be full by now.
    private mutating func prune(now: Instant) {
        buckets = buckets.filter { _, bucket in
            let elapsed = Double(now.unixMicros - bucket.updatedAt.unixMicros) / 1e6
            return bucket.tokens + elapsed * limit.perSecond < limit.burst
        }
    }

    var trackedStreams: Int { buckets.count }
}
