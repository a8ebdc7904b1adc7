// SSEBenchmark: live delivery latency of `GET /v1/workspaces/{ws}/events` (Server-Sent Events) to many
// subscribers while comments are appended over HTTP at a fixed rate — append → received, on one clock.
//
// One process does both sides, so the send and receive timestamps come from the same monotonic clock:
// appender threads POST `/tasks/{id}/comments` open-loop on a fixed schedule (a late request does not
// delay the next one's slot) and note the position each answer names; one receiver thread reads every
// subscriber socket through epoll(7), splits what arrives into SSE lines, and notes each frame's
// position (`id:`) and arrival. After the run each frame's latency is its arrival − the send time of the
// request that appended its position. Subscribers filter on `type=CommentAdded` from the head, so they
// catch up nothing and receive exactly the benchmark's events; a frame of another type, a position out
// of order or twice, or one no request appended, is counted as an error. Raw sockets rather than an
// HTTP library: the client must stay far cheaper than the server it measures (1,000 subscribers ×
// 1,000 events/s is 1M deliveries a second).
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

/// Send times by position − the head at the start, written by the appenders once their answer names the
/// comment's position, and read after the run (the threads are joined through `AppendResults`' lock).
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
/// Positions this run can give its comments: each is one event, after the head; other events appended
/// meanwhile (a reminder, an access denial) leave room to spare.
let span = total * 2
let sendTimes = SendTimes(count: span + 1)
/// The subscriber side: every socket polled by one thread; each frame received is noted with its
/// position (its `id:` line) and the time, and turned into a latency once the appenders have said which
/// position each of their comments got.
final class Receiver {
    /// What one subscriber's stream is in the middle of when a read ends: a line's first bytes (at most
    /// `carryMax`: enough to tell an `id:` or `event:` line and read it) or, for a longer line (the `data:`
    /// line, ~600 bytes), only that it is one; the frame's position and type so far; its last position.
    struct Stream {
        var carry: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        var carryCount = 0
        var inLongLine = false
        var framePosition: UInt64 = 0
        var frameIsComment = false
        var lastPosition: UInt64 = 0
        var received = 0
        var subscribed = false
    }
    static let carryMax = 64

    let subscribers: [Int32]
    /// Positions this run's comments can have: after `head`, at most `span` of them.
    let head: UInt64
    let span: UInt64
    /// One epoll instance for every subscriber socket: poll(2) over 1,000 descriptors walked all of
    /// them on every call and took ~0.7 of a core by itself, on the two cores the server runs on.
    let epoll: Int32
    var ready: [UInt64]
    /// Per subscriber, in raw memory: the receiving loop touches it for every line, and Swift arrays
    /// there cost uniqueness and exclusivity checks per access (a fifth of the client's user time).
    let streams: UnsafeMutablePointer<Stream>
    /// Every frame received: its position − `head`, and when the read holding its end returned
    /// (nanoseconds), in arrival order, resolved to latencies after the run.
    let positions: UnsafeMutablePointer<UInt32>
    let arrivals: UnsafeMutablePointer<UInt64>
    let capacity: Int
    private(set) var deliveries = 0
    /// Frames of another type, positions out of order, twice or outside the run for one subscriber, or
    /// past `capacity`: each a delivery error (the server promises catch-up then live without a gap or a
    /// duplicate).
    private(set) var unexpected = 0
    /// Reads that returned bytes, and the bytes: how the server's writes were coalesced.
    private(set) var reads = 0
    private(set) var bytes = 0
    private(set) var subscribedCount = 0
    let buffer: UnsafeMutableRawBufferPointer
    /// A line put together from a carried start and the next read's rest.
    let joined: UnsafeMutableRawPointer
    static let subscribedLine: [UInt8] = Array(": subscribed".utf8)
    static let commentEvent: [UInt8] = Array("event: CommentAdded".utf8)

    init(subscribers: [Int32], head: UInt64, span: UInt64) {
        self.subscribers = subscribers
        self.head = head
        self.span = span
        epoll = cepoll_create()
        precondition(epoll >= 0, "epoll_create1: errno \(errno)")
        for (index, socket) in subscribers.enumerated() {
            precondition(cepoll_add(epoll, socket, UInt64(index)) == 0, "epoll_ctl: errno \(errno)")
        }
        ready = Array(repeating: 0, count: min(subscribers.count, 1_024))
        streams = .allocate(capacity: subscribers.count)
        streams.initialize(repeating: Stream(lastPosition: head), count: subscribers.count)
        capacity = Int(span) * subscribers.count
        positions = .allocate(capacity: capacity)
        arrivals = .allocate(capacity: capacity)
        buffer = .allocate(byteCount: 1 << 18, alignment: 16)
        joined = .allocate(byteCount: Self.carryMax, alignment: 16)
    }

    /// Each received frame's position offset and arrival.
    var frames: Zip2Sequence<UnsafeBufferPointer<UInt32>, UnsafeBufferPointer<UInt64>> {
        zip(UnsafeBufferPointer(start: positions, count: deliveries), UnsafeBufferPointer(start: arrivals, count: deliveries))
    }

    /// Frames received by the subscriber that received fewest.
    var minPerSubscriber: Int { (0..<subscribers.count).map { streams[$0].received }.min() ?? 0 }

    /// Reads what is ready on every readable subscriber and notes the frames it completes.
    func drain(timeoutMillis: Int32) {
        let count = cepoll_wait(epoll, &ready, Int32(ready.count), timeoutMillis)
        guard count > 0 else { return }
        for slot in 0..<Int(count) {
            let index = Int(ready[slot])
            while true {
                let n = recv(subscribers[index], buffer.baseAddress!, buffer.count, 0)
                if n <= 0 { break }
                let now = nanosNow()
                reads += 1
                bytes += n
                scan(UnsafeRawBufferPointer(start: buffer.baseAddress!, count: n), now: now, stream: streams + index)
                if n < buffer.count { break }
            }
        }
    }

    /// Walks `raw` line by line with `memchr` (vectorised: a frame's four line ends cost a few dozen
    /// cycles, where searching every byte for a marker with `memmem` took a sixth of the machine's two
    /// cores at 1M deliveries a second, on the cores the server needs).
    private func scan(_ raw: UnsafeRawBufferPointer, now: UInt64, stream: UnsafeMutablePointer<Stream>) {
        let base = raw.baseAddress!
        var start = 0
        while start < raw.count {
            guard let newline = memchr(base + start, 0x0A, raw.count - start) else {
                keep(base + start, count: raw.count - start, stream: stream)
                return
            }
            let end = UnsafeRawPointer(newline) - base
            finishLine(base + start, count: end - start, now: now, stream: stream)
            start = end + 1
        }
    }

    /// Notes the start of a line that continues in the next read.
    private func keep(_ part: UnsafeRawPointer, count: Int, stream: UnsafeMutablePointer<Stream>) {
        if stream.pointee.inLongLine { return }
        let kept = stream.pointee.carryCount
        if kept + count > Self.carryMax {
            // Longer than any `id:` or `event:` line: a `data:` line, whose content is not needed.
            stream.pointee.inLongLine = true
            stream.pointee.carryCount = 0
            return
        }
        withUnsafeMutableBytes(of: &stream.pointee.carry) { $0.baseAddress!.advanced(by: kept).copyMemory(from: part, byteCount: count) }
        stream.pointee.carryCount = kept + count
    }

    /// Handles one whole line whose last piece (without the line feed) is `part`.
    private func finishLine(_ part: UnsafeRawPointer, count: Int, now: UInt64, stream: UnsafeMutablePointer<Stream>) {
        if stream.pointee.inLongLine {
            stream.pointee.inLongLine = false
            return
        }
        let kept = stream.pointee.carryCount
        if kept == 0 {
            handle(line: UnsafeRawBufferPointer(start: part, count: count), now: now, stream: stream)
            return
        }
        stream.pointee.carryCount = 0
        guard kept + count <= Self.carryMax else { return }
        withUnsafeBytes(of: &stream.pointee.carry) { joined.copyMemory(from: $0.baseAddress!, byteCount: kept) }
        (joined + kept).copyMemory(from: part, byteCount: count)
        handle(line: UnsafeRawBufferPointer(start: joined, count: kept + count), now: now, stream: stream)
    }

    /// One SSE line: `id: P` and `event: T` describe the frame, a blank line ends it, `: subscribed …`
    /// (the server's first line) says the subscription is open; `data:` and other comments are skipped.
    private func handle(line: UnsafeRawBufferPointer, now: UInt64, stream: UnsafeMutablePointer<Stream>) {
        if line.isEmpty {
            let position = stream.pointee.framePosition
            guard position != 0 else { return }
            stream.pointee.framePosition = 0
            if stream.pointee.frameIsComment, position > stream.pointee.lastPosition, position - head <= span, deliveries < capacity {
                positions[deliveries] = UInt32(position - head)
                arrivals[deliveries] = now
                deliveries += 1
                stream.pointee.received += 1
                stream.pointee.lastPosition = position
            } else {
                unexpected += 1
            }
            return
        }
        switch line[0] {
        case UInt8(ascii: "i") where line.count > 4 && line[1] == UInt8(ascii: "d") && line[2] == UInt8(ascii: ":"):  // id: P
            var position: UInt64 = 0
            var offset = 4
            while offset < line.count, line[offset] >= 48, line[offset] <= 57 {
                position = position * 10 + UInt64(line[offset] - 48)
                offset += 1
            }
            stream.pointee.framePosition = position
        case UInt8(ascii: "e"):  // event: T
            stream.pointee.frameIsComment =
                line.count == Self.commentEvent.count
                && Self.commentEvent.withUnsafeBytes { memcmp($0.baseAddress!, line.baseAddress!, line.count) == 0 }
        case UInt8(ascii: ":") where !stream.pointee.subscribed:
            if line.count >= Self.subscribedLine.count,
                Self.subscribedLine.withUnsafeBytes({ memcmp($0.baseAddress!, line.baseAddress!, $0.count) == 0 })
            {
                stream.pointee.subscribed = true
                subscribedCount += 1
            }
        default:
            break
        }
    }
}

let receiver = Receiver(subscribers: subscribers, head: head, span: UInt64(span))

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
    var head: UInt64
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

/// The number after the first `"position":` of a write's answer (`{"events":[{…,"position":P,…}],…}`).
func firstPosition(in body: [UInt8]) -> UInt64? {
    let key = Array("\"position\":".utf8)
    guard body.count > key.count else { return nil }
    for start in 0...(body.count - key.count) where body[start] == key[0] && body[start..<start + key.count].elementsEqual(key) {
        var value: UInt64 = 0
        var digits = 0
        for byte in body[(start + key.count)...] {
            guard byte >= 48, byte <= 57 else { break }
            value = value * 10 + UInt64(byte - 48)
            digits += 1
        }
        return digits > 0 ? value : nil
    }
    return nil
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
        let payload = Array("{\"body\":\"comment \(sequence)\"}".utf8)
        let head =
            "POST \(plan.base)/tasks/\(task)/comments HTTP/1.1\r\nHost: 127.0.0.1\r\n\(plan.authorization)"
            + "Content-Type: application/json\r\nContent-Length: \(payload.count)\r\n\r\n"
        let sent = nanosNow()
        sendAll(socket, Array(head.utf8) + payload)
        let answer = readResponse(socket, &pending)
        acks.append(UInt32((nanosNow() - sent) / 1_000))
        if answer.status == 201, let position = firstPosition(in: answer.body), position > plan.head,
            position - plan.head < UInt64(plan.sendTimes.count)
        {
            plan.sendTimes.slots[Int(position - plan.head)] = sent
        } else {
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
        arguments: arguments, tasks: tasks, base: base, authorization: authorization, total: total, head: head, startAt: startAt,
        intervalNanos: 1e9 / Double(arguments.rate), sendTimes: sendTimes, results: results))

// Receive until every delivery arrived, or the schedule's end plus five seconds.
let deadline = startAt + UInt64(arguments.seconds * 1e9) + 5_000_000_000
let expected = total * arguments.subscribers
// Between two passes the receiver naps `--receive-nap` µs (default 1 ms): woken by every write it arrives
// at, it switched context ~50,000 times a second, on the two cores the server needs. The nap adds at most
// that much to each measured latency (against Taskledger, never for it).
while receiver.deliveries < expected, nanosNow() < deadline {
    receiver.drain(timeoutMillis: 50)
    if arguments.receiveNapMicros > 0 { usleep(arguments.receiveNapMicros) }
}
let finishedAt = nanosNow()
while results.lock.withLock({ results.sent }) < total, nanosNow() < deadline + 5_000_000_000 { usleep(10_000) }
for socket in subscribers { close(socket) }

// Each frame's latency: its arrival − when the request that appended its position was sent. A frame of
// a position no appender was answered with is an error, as is one of another type or out of order.
var latencies: [UInt32] = []
latencies.reserveCapacity(receiver.deliveries)
var unresolved = 0
for (offset, arrival) in receiver.frames {
    let sent = sendTimes.slots[Int(offset)]
    if sent > 0, arrival > sent {
        latencies.append(UInt32(min((arrival - sent) / 1_000, UInt64(UInt32.max))))
    } else {
        unresolved += 1
    }
}
latencies.sort()
let acks = results.lock.withLock { results.ackMicros.sorted() }
let appendSeconds = Double(finishedAt - startAt) / 1e9
// When the last answer came: the run offered `rate` only if this is close to `seconds`.
let appendsEnd = Double(results.lock.withLock { results.finishedAt } &- startAt) / 1e9
let summary: [String: Any] = [
    "subscribers": arguments.subscribers, "rate": arguments.rate, "seconds": arguments.seconds, "appended": total,
    "appendFailures": results.failures, "expected": expected, "received": latencies.count,
    "minPerSubscriber": receiver.minPerSubscriber, "connectSeconds": connectSeconds,
    "deliveriesPerSecond": Double(latencies.count) / min(appendSeconds, arguments.seconds + 5),
    "p50Ms": percentile(latencies, 0.50), "p95Ms": percentile(latencies, 0.95), "p99Ms": percentile(latencies, 0.99),
    "p999Ms": percentile(latencies, 0.999), "maxMs": Double(latencies.last ?? 0) / 1_000,
    "appendsEndSeconds": appendsEnd, "appendedPerSecond": Double(total) / max(appendsEnd, arguments.seconds),
    "appenders": arguments.appenders, "receiveNapMicros": Int(arguments.receiveNapMicros),
    "reads": receiver.reads, "bytesReceived": receiver.bytes, "unexpectedFrames": receiver.unexpected, "unresolvedFrames": unresolved,
    "ackP50Ms": percentile(acks, 0.50), "ackP99Ms": percentile(acks, 0.99),
]
let data = try JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys])
if let path = arguments.json { try data.write(to: URL(fileURLWithPath: path)) }
print(String(decoding: data, as: UTF8.self))
