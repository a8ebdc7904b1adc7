import CommandService
import Foundation
import Hummingbird
import Logging
import Synchronization

/// One structured log line per request (method, route, status, duration, workspace, token id — never a
/// secret) and the request metrics behind `/metrics`.
struct RequestObservation: RouterMiddleware {
    typealias Context = APIRequestContext
    let metrics: RequestMetrics
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        var status = HTTPResponse.Status.internalServerError
        defer {
            let elapsed = (ContinuousClock.now - started).components
            Self.observe(
                metrics: metrics, logger: logger, method: request.method, route: context.endpointPath ?? "unmatched", path: request.uri.path,
                status: status, seconds: Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18,
                // Decoded only when it holds a `%` (Foundation's decoding was ~1.5 % of a task move's CPU).
                workspace: context.parameters.get("ws").map { $0.utf8.contains(UInt8(ascii: "%")) ? ($0.removingPercentEncoding ?? $0) : $0 },
                authorization: request.headers[.authorization])
        }
        do {
            let response = try await next(request, context)
            status = response.status
            return response
        } catch let error as any HTTPResponseError {
            status = error.status
            throw error
        }
    }

    /// Records one answered request: its metrics, and its log line when the logger writes `info`. The
    /// middleware calls it for the router's requests, `ReadyReadFront` for the reads it answers itself.
    static func observe(
        metrics: RequestMetrics, logger: Logger, method: HTTPRequest.Method, route: String, path: String, status: HTTPResponse.Status,
        seconds: Double, workspace: String?, authorization: String?
    ) {
        metrics.record(method: method.rawValue, route: route, status: Int(status.code), seconds: seconds)
        // Built only when it will be written: formatting the duration and parsing the token id are
        // per-request work that a server logging at warning would throw away.
        guard logger.logLevel <= .info else { return }
        var metadata: Logger.Metadata = [
            "method": "\(method.rawValue)", "route": "\(route)", "path": "\(path)", "status": "\(status.code)",
            "durationMs": "\(String(format: "%.3f", seconds * 1000))",
        ]
        if let workspace { metadata["workspace"] = "\(workspace)" }
        // The token id is the middle of `tl_<workspace>.<id>.<secret>`: loggable, unlike the secret.
        if let authorization, let route = TokenSecret.route(String(authorization.dropFirst("Bearer ".count))) {
            metadata["tokenId"] = "\(route.token)"
        }
        logger.info("request", metadata: metadata)
    }
}

/// Request counts and latency histograms by method, route and status, in Prometheus' text format.
final class RequestMetrics: Sendable {
    /// Upper bounds of the latency buckets, in seconds.
    static let buckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

    private struct Series {
        var counts: [UInt64] = Array(repeating: 0, count: RequestMetrics.buckets.count)
        var total: UInt64 = 0
        var sum: Double = 0

        mutating func add(_ seconds: Double, fromBucket first: Int) {
            for index in first..<counts.count { counts[index] += 1 }
            total += 1
            sum += seconds
        }
    }

    private struct Labels: Hashable {
        let method: String
        let route: String
        let status: Int
        var text: String { #"method="\#(method)",route="\#(route.replacingOccurrences(of: "\"", with: "'"))",status="\#(status)""# }
    }

    private let series = Mutex<[Labels: Series]>([:])
    private let readyReads = Atomic<UInt64>(0)

    /// Called once per request: the series is updated in place (no label text is built until `render`).
    func record(method: String, route: String, status: Int, seconds: Double) {
        let labels = Labels(method: method, route: route, status: status)
        let first = Self.buckets.firstIndex { seconds <= $0 } ?? Self.buckets.count
        series.withLock { table in
            table[labels, default: Series()].add(seconds, fromBucket: first)
        }
    }

    /// Counts a read answered on the event loop (`ReadyReadFront`); it is recorded by `record` too.
    func recordReadyRead() { readyReads.add(1, ordering: .relaxed) }

    /// Reads answered on the event loop since the start.
    var readyReadCount: UInt64 { readyReads.load(ordering: .relaxed) }

    /// The histogram in Prometheus' text exposition format, and the count of reads answered on the event loop.
    func render() -> String {
        let snapshot = series.withLock { $0 }
        var out = "# HELP taskledger_http_ready_reads_total Reads answered on the connection's event loop, from answers already computed.\n"
        out += "# TYPE taskledger_http_ready_reads_total counter\ntaskledger_http_ready_reads_total \(readyReadCount)\n"
        out += "# HELP taskledger_http_request_duration_seconds HTTP request latency by method, route and status.\n"
        out += "# TYPE taskledger_http_request_duration_seconds histogram\n"
        for (labels, entry) in snapshot.map({ ($0.key.text, $0.value) }).sorted(by: { $0.0 < $1.0 }) {
            for (index, bound) in Self.buckets.enumerated() {
                out += "taskledger_http_request_duration_seconds_bucket{\(labels),le=\"\(bound)\"} \(entry.counts[index])\n"
            }
            out += "taskledger_http_request_duration_seconds_bucket{\(labels),le=\"+Inf\"} \(entry.total)\n"
            out += "taskledger_http_request_duration_seconds_sum{\(labels)} \(entry.sum)\n"
            out += "taskledger_http_request_duration_seconds_count{\(labels)} \(entry.total)\n"
        }
        return out
    }
}
