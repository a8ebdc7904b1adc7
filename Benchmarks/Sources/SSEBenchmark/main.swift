// SSEBenchmark: live delivery latency of `GET /v1/workspaces/{ws}/events` (Server-Sent Events) to many
// subscribers while comments are appended over HTTP at a fixed rate — append → received, on one clock.
//
// One process does both sides, so the send and receive timestamps come from the same monotonic clock:
// appender threads POST `/tasks/{id}/comments` open-loop on a fixed schedule (a late request does not
// delay the next one's slot), each body carrying a marker `tlb<sequence>z`; one receiver thread reads
// every subscriber socket through epoll(7) and, for each marker found, records now − the request's send
// time. Subscribers filter on `type=CommentAdded` from the head, so they catch up nothing and receive
// exactly the benchmark's events. Raw sockets rather than an HTTP library: the client must stay far
// cheaper than the server it measures (1,000 subscribers × 1,000 events/s is 1M deliveries a second).
//
//   SSEBenchmark --port 8080 --workspace bench --token tl_… --tasks tasks.txt
//                [--subscribers 1000] [--rate 1000] [--seconds 10] [--appenders 64] [--receive-nap MICROS] [--json out.json]
import BenchmarkSupport
import CEpoll
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

// MARK: Arguments

struct Arguments: Sendable {
    var port: UInt16 = 8080
    var workspace = "bench"
    var token = ""
    var tasksFile = ""
    var subscribers = 1_000
    var rate = 1_000
    var seconds = 10.0
    /// Each appender is one connection waiting for each answer, so the schedule holds only while
    /// `appenders` / ack latency ≥ `rate`: with 4 (or 16), acks of 10–30 ms under this load stretched
    /// 5 s of appends to 9–10 s, and the run offered half the rate it claimed. `appendedPerSecond` in the
    /// output says what was offered.
    var appenders = 64
    var receiveNapMicros: UInt32 = 1_000
    var json: String?

    init() {
        let options = BenchmarkOptions(
            usage: "SSEBenchmark --port P --workspace W --token tl_… --tasks FILE [--subscribers 1000] [--rate 1000] [--seconds 10] "
                + "[--appenders 64] [--receive-nap MICROS] [--json FILE]")
        for (name, value) in options {
            switch name {
            case "--port": port = options.number(value, for: name)
            case "--workspace": workspace = value
            case "--token": token = value
            case "--tasks": tasksFile = value
            case "--subscribers": subscribers = options.number(value, for: name)
            case "--rate": rate = options.number(value, for: name)
            case "--seconds": seconds = options.number(value, for: name)
            case "--appenders": appenders = options.number(value, for: name)
            case "--receive-nap": receiveNapMicros = options.number(value, for: name)
            case "--json": json = value
            default: options.unknown(name)
            }
        }
    }
}

// MARK: Sockets

/// A TCP connection to 127.0.0.1:`port` (blocking; callers switch it to non-blocking as needed).
func connectLoopback(_ port: UInt16) -> Int32 {
    let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    precondition(socket >= 0, "socket: \(errno)")
    var one: Int32 = 1
    setsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    precondition(result == 0, "connect to port \(port): errno \(errno)")
    return socket
}

func sendAll(_ socket: Int32, _ bytes: [UInt8]) {
    var sent = 0
    while sent < bytes.count {
        let n = bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
        precondition(n > 0, "send: errno \(errno)")
        sent += n
    }
}

/// Reads one HTTP/1.1 response with a `Content-Length` body from a blocking socket; returns the status,
/// the header block and the body.
func readResponse(_ socket: Int32, _ pending: inout [UInt8]) -> (status: Int, head: String, body: [UInt8]) {
    var buffer = [UInt8](repeating: 0, count: 65_536)
    func fill() {
        let n = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress!, $0.count, 0) }
        precondition(n > 0, "recv: connection closed or errno \(errno)")
        pending.append(contentsOf: buffer[0..<n])
    }
    let separator: [UInt8] = Array("\r\n\r\n".utf8)
    var headEnd: Int?
    while headEnd == nil {
        if pending.count >= 4 {
            for index in 0...(pending.count - 4) where pending[index] == 13 && Array(pending[index..<index + 4]) == separator {
                headEnd = index
                break
            }
        }
        if headEnd == nil { fill() }
    }
    let head = String(decoding: pending[0..<headEnd!], as: UTF8.self)
    var length = 0
    for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
        length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
    }
    let start = headEnd! + 4
    while pending.count < start + length { fill() }
    let body = Array(pending[start..<start + length])
    pending.removeFirst(start + length)
    let status = Int(head.split(separator: " ").dropFirst().first ?? "0") ?? 0
    return (status, head, body)
}

// MARK: Shared state

/// Send times by sequence number, written by the appenders and read by the receiver. Each slot is
/// written once, before its request is sent, and read only after the receiver saw the event that
/// request caused — the request/response round trip through the kernel orders the two.
final class SendTimes: @unchecked Sendable {
    let slots: UnsafeMutablePointer<UInt64>
    let count: Int

    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: count)
        slots.initialize(repeating: 0, count: count)
    }
}

/// What the appender threads measured.
final class AppendResults: @unchecked Sendable {
    let lock = NSLock()
    var ackMicros: [UInt32] = []
    var failures = 0
    var sent = 0
    /// When the last appender got its last answer.
    var finishedAt: UInt64 = 0
}

func percentile(_ sorted: [UInt32], _ fraction: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    return Double(sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)]) / 1_000
}

// MARK: Run

let arguments = Arguments()
let tasks = try String(contentsOfFile: arguments.tasksFile, encoding: .utf8).split(separator: "\n").map(String.init)
precondition(!tasks.isEmpty, "no task ids in \(arguments.tasksFile)")
let base = "/v1/workspaces/\(arguments.workspace)"
let authorization = "Authorization: Bearer \(arguments.token)\r\n"

// The head now: subscribers start after it, so they receive only this run's events.
let probe = connectLoopback(arguments.port)
sendAll(probe, Array("GET \(base)/events?limit=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\(authorization)\r\n".utf8))
var probePending: [UInt8] = []
let headAnswer = readResponse(probe, &probePending)
close(probe)
precondition(headAnswer.status == 200, "GET events: \(headAnswer.status) \(String(decoding: headAnswer.body, as: UTF8.self))")
let head =
    headAnswer.head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("head-position:") }
    .flatMap { UInt64($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0

// Subscribers.
var subscribers: [Int32] = []
let subscribeRequest = Array(
    "GET \(base)/events?type=CommentAdded&from=\(head + 1)&heartbeat=300 HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\(authorization)\r\n"
        .utf8)
for _ in 0..<arguments.subscribers {
    let socket = connectLoopback(arguments.port)
    sendAll(socket, subscribeRequest)
    _ = fcntl(socket, F_SETFL, fcntl(socket, F_GETFL) | O_NONBLOCK)
    subscribers.append(socket)
}

let total = Int(Double(arguments.rate) * arguments.seconds)
let sendTimes = SendTimes(count: total)
/// The subscriber side: every socket polled by one thread, each marker found turned into a latency.
final class Receiver {
    let subscribers: [Int32]
    let sendTimes: SendTimes
    let total: Int
    /// One epoll instance for every subscriber socket: poll(2) over 1,000 descriptors walked all of
    /// them on every call and took ~0.7 of a core by itself, on the two cores the server runs on.
    let epoll: Int32
    var ready: [UInt64]
    var latencies: [UInt32] = []
    var received: [Int]
    /// Reads that returned bytes, and the bytes: how the server's writes were coalesced.
    var reads = 0
    var bytes = 0
    /// Each subscriber's unscanned tail (at most `carryMax` bytes: a marker split across two reads), kept
    /// in one flat array and put in front of the next read. Appending every read to a per-subscriber
    /// array instead copied and allocated ~14 KiB per read: half of the client's user time.
    var carry: [UInt8]
    var carryCount: [Int]
    static let carryMax = 32
    static let marker: [UInt8] = Array("tlb".utf8)
    var subscribed: [Bool]
    var subscribedCount = 0
    var buffer = [UInt8](repeating: 0, count: 1 << 18)
    let subscribedLine: [UInt8] = Array(": subscribed".utf8)

    init(subscribers: [Int32], sendTimes: SendTimes, total: Int) {
        self.subscribers = subscribers
        self.sendTimes = sendTimes
        self.total = total
        epoll = cepoll_create()
        precondition(epoll >= 0, "epoll_create1: errno \(errno)")
        for (index, socket) in subscribers.enumerated() {
            precondition(cepoll_add(epoll, socket, UInt64(index)) == 0, "epoll_ctl: errno \(errno)")
        }
        ready = Array(repeating: 0, count: min(subscribers.count, 1_024))
        received = Array(repeating: 0, count: subscribers.count)
        carry = Array(repeating: 0, count: subscribers.count * Self.carryMax)
        carryCount = Array(repeating: 0, count: subscribers.count)
        subscribed = Array(repeating: false, count: subscribers.count)
        latencies.reserveCapacity(total * subscribers.count)
    }

    /// Where `needle` starts in `haystack` from `offset`, if anywhere: glibc's `memmem` (vectorised).
    /// A byte-by-byte search of every delivery made this one receiving thread the bottleneck of the
    /// measurement (it fell seconds behind at ~100k deliveries/s), and `memchr` to each `t` stopped at
    /// every "type", "task" and "at" of the JSON.
    static func find(_ needle: [UInt8], in haystack: UnsafeRawBufferPointer, from offset: Int) -> Int? {
        guard let base = haystack.baseAddress, haystack.count - offset >= needle.count else { return nil }
        guard let hit = needle.withUnsafeBytes({ cepoll_memmem(base + offset, haystack.count - offset, $0.baseAddress!, needle.count) }) else {
            return nil
        }
        return UnsafeRawPointer(hit) - base
    }

    /// Reads what is ready on every readable subscriber; records a latency per marker found.
    func drain(timeoutMillis: Int32) {
        let count = cepoll_wait(epoll, &ready, Int32(ready.count), timeoutMillis)
        guard count > 0 else { return }
        for slot in 0..<Int(count) {
            let index = Int(ready[slot])
            while true {
                let kept = carryCount[index]
                let n = buffer.withUnsafeMutableBytes { raw in
                    carry.withUnsafeBytes { tails in
                        raw.baseAddress!.copyMemory(from: tails.baseAddress! + index * Self.carryMax, byteCount: kept)
                    }
                    return recv(subscribers[index], raw.baseAddress! + kept, raw.count - kept, 0)
                }
                if n <= 0 { break }
                let now = nanosNow()
                reads += 1
                bytes += n
                buffer.withUnsafeBytes { raw in handle(UnsafeRawBufferPointer(rebasing: raw[0..<kept + n]), now: now, subscriber: index) }
                if n < buffer.count - kept { break }
            }
        }
    }

    /// Notes the subscription line, records the markers, and keeps the tail that may hold a split marker.
    private func handle(_ raw: UnsafeRawBufferPointer, now: UInt64, subscriber index: Int) {
        if !subscribed[index], Self.find(subscribedLine, in: raw, from: 0) != nil {
            subscribed[index] = true
            subscribedCount += 1
        }
        let consumed = scan(raw, now: now, subscriber: index)
        let tail = raw.count - consumed
        precondition(tail <= Self.carryMax, "an unscanned tail of \(tail) bytes")
        carryCount[index] = tail
        carry.withUnsafeMutableBytes { tails in
            tails.baseAddress!.advanced(by: index * Self.carryMax).copyMemory(from: raw.baseAddress! + consumed, byteCount: tail)
        }
    }

    /// Records every complete `tlb<sequence>z` marker in `raw`; returns how many bytes need not be kept.
    private func scan(_ raw: UnsafeRawBufferPointer, now: UInt64, subscriber: Int) -> Int {
        let marker = Self.marker
        var offset = 0
        var consumed = 0
        while let found = Self.find(marker, in: raw, from: offset) {
            var end = found + marker.count
            var sequence = 0
            while end < raw.count, raw[end] >= 48, raw[end] <= 57 {
                sequence = sequence * 10 + Int(raw[end] - 48)
                end += 1
            }
            guard end < raw.count else { return found }  // the digits may continue in the next read
            if raw[end] == UInt8(ascii: "z"), sequence < total {
                let sent = sendTimes.slots[sequence]
                if sent > 0, now > sent {
                    latencies.append(UInt32(min((now - sent) / 1_000, UInt64(UInt32.max))))
                    received[subscriber] += 1
                }
            }
            offset = end
            consumed = end
        }
        // Keep a tail that could hold the start of a marker.
        return max(consumed, raw.count - Self.carryMax)
    }
}

let receiver = Receiver(subscribers: subscribers, sendTimes: sendTimes, total: total)

let connectStart = nanosNow()
while receiver.subscribedCount < arguments.subscribers, nanosNow() - connectStart < 30_000_000_000 { receiver.drain(timeoutMillis: 100) }
let connectSeconds = Double(nanosNow() - connectStart) / 1e9
precondition(receiver.subscribedCount == arguments.subscribers, "only \(receiver.subscribedCount) of \(arguments.subscribers) subscriptions opened")

/// What an appender thread needs (all of it Sendable: the threads run outside the main actor).
struct AppendPlan: Sendable {
    var arguments: Arguments
    var tasks: [String]
    var base: String
    var authorization: String
    var total: Int
    var startAt: UInt64
    var intervalNanos: Double
    var sendTimes: SendTimes
    var results: AppendResults
}

/// Appenders: open loop, each thread owns every `appenders`-th slot of one global schedule.
func startAppenders(_ plan: AppendPlan) {
    for thread in 0..<plan.arguments.appenders {
        Thread { append(plan, thread: thread) }.start()
    }
}

func append(_ plan: AppendPlan, thread: Int) {
    let socket = connectLoopback(plan.arguments.port)
    var pending: [UInt8] = []
    var acks: [UInt32] = []
    var failures = 0
    var sequence = thread
    while sequence < plan.total {
        let due = plan.startAt + UInt64(Double(sequence) * plan.intervalNanos)
        let now = nanosNow()
        if due > now { usleep(UInt32((due - now) / 1_000)) }
        let task = plan.tasks[sequence % plan.tasks.count]
        let payload = Array("{\"body\":\"tlb\(sequence)z\"}".utf8)
        let head =
            "POST \(plan.base)/tasks/\(task)/comments HTTP/1.1\r\nHost: 127.0.0.1\r\n\(plan.authorization)"
            + "Content-Type: application/json\r\nContent-Length: \(payload.count)\r\n\r\n"
        let sent = nanosNow()
        plan.sendTimes.slots[sequence] = sent
        sendAll(socket, Array(head.utf8) + payload)
        let answer = readResponse(socket, &pending)
        acks.append(UInt32((nanosNow() - sent) / 1_000))
        if answer.status != 201 {
            failures += 1
            if failures <= 3 {
                FileHandle.standardError.write(Data("append \(answer.status): \(String(decoding: answer.body, as: UTF8.self))\n".utf8))
            }
        }
        sequence += plan.arguments.appenders
    }
    close(socket)
    plan.results.lock.withLock {
        plan.results.ackMicros += acks
        plan.results.failures += failures
        plan.results.sent += acks.count
        plan.results.finishedAt = max(plan.results.finishedAt, nanosNow())
    }
}

let results = AppendResults()
let startAt = nanosNow() + 200_000_000
startAppenders(
    AppendPlan(
        arguments: arguments, tasks: tasks, base: base, authorization: authorization, total: total, startAt: startAt,
        intervalNanos: 1e9 / Double(arguments.rate), sendTimes: sendTimes, results: results))

// Receive until every delivery arrived, or the schedule's end plus five seconds.
let deadline = startAt + UInt64(arguments.seconds * 1e9) + 5_000_000_000
let expected = total * arguments.subscribers
// Between two passes the receiver naps `--receive-nap` µs (default 1 ms): woken by every write it arrives
// at, it switched context ~50,000 times a second, on the two cores the server needs. The nap adds at most
// that much to each measured latency (against Taskledger, never for it).
while receiver.latencies.count < expected, nanosNow() < deadline {
    receiver.drain(timeoutMillis: 50)
    if arguments.receiveNapMicros > 0 { usleep(arguments.receiveNapMicros) }
}
let finishedAt = nanosNow()
while results.lock.withLock({ results.sent }) < total, nanosNow() < deadline + 5_000_000_000 { usleep(10_000) }
for socket in subscribers { close(socket) }

let latencies = receiver.latencies.sorted()
let acks = results.lock.withLock { results.ackMicros.sorted() }
let appendSeconds = Double(finishedAt - startAt) / 1e9
// When the last answer came: the run offered `rate` only if this is close to `seconds`.
let appendsEnd = Double(results.lock.withLock { results.finishedAt } &- startAt) / 1e9
let summary: [String: Any] = [
    "subscribers": arguments.subscribers, "rate": arguments.rate, "seconds": arguments.seconds, "appended": total,
    "appendFailures": results.failures, "expected": expected, "received": latencies.count,
    "minPerSubscriber": receiver.received.min() ?? 0, "connectSeconds": connectSeconds,
    "deliveriesPerSecond": Double(latencies.count) / min(appendSeconds, arguments.seconds + 5),
    "p50Ms": percentile(latencies, 0.50), "p95Ms": percentile(latencies, 0.95), "p99Ms": percentile(latencies, 0.99),
    "p999Ms": percentile(latencies, 0.999), "maxMs": Double(latencies.last ?? 0) / 1_000,
    "appendsEndSeconds": appendsEnd, "appendedPerSecond": Double(total) / max(appendsEnd, arguments.seconds),
    "appenders": arguments.appenders, "receiveNapMicros": Int(arguments.receiveNapMicros),
    "reads": receiver.reads, "bytesReceived": receiver.bytes,
    "ackP50Ms": percentile(acks, 0.50), "ackP99Ms": percentile(acks, 0.99),
]
let data = try JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys])
if let path = arguments.json { try data.write(to: URL(fileURLWithPath: path)) }
print(String(decoding: data, as: UTF8.self))
