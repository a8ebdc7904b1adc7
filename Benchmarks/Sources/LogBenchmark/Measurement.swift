import BenchmarkSupport
import Histogram

/// Throughput and latency of one run.
struct RunResult: Sendable {
    var system: String
    var concurrency: Int
    var events: Int
    var seconds: Double
    var latency: Histogram<UInt64>

    var eventsPerSecond: Double { Double(events) / seconds }
    func percentileMicros(_ p: Double) -> Double { Double(latency.valueAtPercentile(p)) / 1_000 }
}

func newHistogram() -> Histogram<UInt64> {
    Histogram<UInt64>(lowestDiscernibleValue: 1_000, highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
}

func format(_ value: Double, _ digits: Int = 0) -> String {
    if digits == 0 { return String(Int(value.rounded())) }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    var text = String(rounded)
    if let dot = text.firstIndex(of: ".") {
        let decimals = text.distance(from: dot, to: text.endIndex) - 1
        if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
    } else {
        text += "." + String(repeating: "0", count: digits)
    }
    return text
}
