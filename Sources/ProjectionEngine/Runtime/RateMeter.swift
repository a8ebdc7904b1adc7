import Foundation

/// Events per second over the last few seconds, from (time, cumulative count) samples.
struct RateMeter: Sendable {
    private var samples: [(seconds: Double, count: UInt64)] = []
    private var total: UInt64 = 0
    private static let windowSeconds = 5.0

    /// Records `count` events applied between `started` and `seconds` (uptime seconds).
    mutating func record(_ count: Int, started: Double, at seconds: Double = ProcessInfo.processInfo.systemUptime) {
        if samples.isEmpty || started - samples[samples.count - 1].seconds > Self.windowSeconds { samples = [(started, total)] }
        total += UInt64(count)
        samples.append((seconds, total))
        while samples.count > 2, seconds - samples[1].seconds > Self.windowSeconds { samples.removeFirst() }
        if samples.count > 256 { samples.removeFirst(samples.count - 256) }
    }

    /// 0 when fewer than two samples or no time passed.
    var eventsPerSecond: Double {
        guard let first = samples.first, let last = samples.last, last.seconds - first.seconds > 0.000_1 else { return 0 }
        // A rate measured over an old window says nothing about now.
        if ProcessInfo.processInfo.systemUptime - last.seconds > Self.windowSeconds { return 0 }
        return Double(last.count - first.count) / (last.seconds - first.seconds)
    }
}
