import Foundation
import Hummingbird
import Synchronization

/// A token bucket per API token: a sustained rate and a burst. Beyond it a request gets 429 with
/// `Retry-After` before any work is done. Buckets that have refilled are dropped when the table grows,
/// so memory follows the tokens active in the last few seconds.
final class TokenRateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    let perSecond: Double
    let burst: Double
    private let buckets = Mutex<[String: Bucket]>([:])

    init(perSecond: Double, burst: Double) {
        self.perSecond = perSecond
        self.burst = burst
    }

    /// Takes one request from `token`'s bucket, or throws 429.
    func admit(_ token: String) throws {
        guard perSecond.isFinite else { return }
        let now = ContinuousClock.now
        let wait: Double? = buckets.withLock { table in
            var bucket = table[token] ?? Bucket(tokens: burst, updated: now)
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(burst, bucket.tokens + seconds * perSecond)
            bucket.updated = now
            defer {
                table[token] = bucket
                if table.count > 10_000 { table = table.filter { $0.value.tokens < burst - 1 } }
            }
            guard bucket.tokens >= 1 else { return (1 - bucket.tokens) / perSecond }
            bucket.tokens -= 1
            return nil
        }
        if let wait {
            let seconds = max(1, Int(wait.rounded(.up)))
            // A whole number as one (`1000/s`), a fraction as written (`0.5/s`): `Int` made 0.5/s read "0/s".
            let rate = perSecond == perSecond.rounded() && perSecond < 1e15 ? String(Int(perSecond)) : String(perSecond)
            throw Problem(
                .tooManyRequests, code: "rate-limited", detail: "this token is sending requests faster than \(rate)/s",
                extensions: ["retryAfter": .number(Double(seconds))], headers: [.retryAfter: String(seconds)])
        }
    }
}

/// `Strict-Transport-Security` on every answer when serving TLS.
struct StrictTransportSecurity: RouterMiddleware {
    typealias Context = APIRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            var response = try await next(request, context)
            response.headers[.strictTransportSecurity] = "max-age=31536000"
            return response
        } catch let problem as Problem {
            var problem = problem
            problem.headers[.strictTransportSecurity] = "max-age=31536000"
            throw problem
        }
    }
}
