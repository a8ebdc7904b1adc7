import CommandService
import EventLog
import Hummingbird
import NIOCore
import Workflow

/// `GET /v1/workspaces/{ws}/events`: the workspace's events, as stored (CloudEvents JSON), for services
/// that subscribe and auditors who replay.
///
/// - `Accept: text/event-stream`: Server-Sent Events, catch-up from `from` (or `Last-Event-ID` + 1) then
///   live, without a gap or a duplicate: every event is read from the log by position, and the live
///   part waits on the log's head signal. `id:` is the position, `event:` the type; a comment line is
///   sent as a heartbeat when nothing happened for `heartbeat` seconds. A slow subscriber is simply
///   behind: the server reads the next page from the log when the previous one has been written to the
///   socket, so memory per subscriber is one page, whatever the lag.
/// - otherwise `application/x-ndjson`: one page of at most `limit` events (default 100, at most 1,000),
///   with `Next-Position` to continue from; `wait=S` (≤ 30) waits for the first event when there is none.
///
/// Filters: `stream` (exact), `prefix` (stream prefix, e.g. `task-`), `type` (comma-separated). Needs
/// `audit.read`: the stream carries every project's events.
struct EventRoutes {
    let subscriptions: SubscriptionRegistry
    static let pageMax = 1_000
    static let waitMax = 30.0
    func add(to group: RouterGroup<APIRequestContext>) {
        group.getAndHead("events") { request, context in try await events(request, context) }
    }

    /// What a subscription or a page asks for: events of one stream, of streams with a prefix, of some types.
    struct Filter: Sendable {
        var stream: String?
        var prefix: String?
        /// A short list compared in order: type names are a few words, so `==` on them is cheaper than a
        /// set's hashing, and this runs once per event per subscriber.
        var types: [String]?

        /// Names the filter for sharing built chunks (`SSEFrameWindow.chunk`): equal filters, equal keys,
        /// and different filters, different keys. Each value is length-prefixed (values come from the query
        /// and may hold any character) and an absent one is `-`, so no two filters can spell the same key.
        var key: String {
            func part(_ value: String?) -> String { value.map { "\($0.utf8.count):\($0)" } ?? "-" }
            return [part(stream), part(prefix), types.map { $0.sorted().map { part($0) }.joined() } ?? "-"].joined(separator: "|")
        }

        func admits(_ event: RecordedEvent) -> Bool {
            if let stream, !event.isInStream(stream) { return false }
            if let prefix, !event.stream.hasPrefix(prefix) { return false }
            if let types, !types.contains(where: { event.hasType($0) }) { return false }
            return true
        }

        func admits(_ frame: SSEFrameWindow.Frame) -> Bool {
            if let stream, frame.stream != stream { return false }
            if let prefix, !frame.stream.hasPrefix(prefix) { return false }
            if let types, !types.contains(where: { $0 == frame.type }) { return false }
            return true
        }
    }

    private func events(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        try await Permissions.require(.auditRead, caller: caller)
        let query = request.uri.queryParameters
        var from: UInt64 = 1
        if let text = query.get("from") {
            guard let value = UInt64(text), value >= 1 else { throw Problem.badRequest("from: a position, 1 or more", code: "invalid-parameter") }
            from = value
        }
        if let last = request.headers[.init("Last-Event-ID")!] {
            // Below the largest UInt64: the next position is `value + 1`, which must not overflow (a trap).
            guard let value = UInt64(last), value < UInt64.max else {
                throw Problem.badRequest("Last-Event-ID: a position", code: "invalid-parameter")
            }
            from = value + 1
        }
        let filter = Filter(
            stream: query.get("stream"), prefix: query.get("prefix"),
            types: try EventTypeFilter.types(query.get("type")))
        let log = caller.workspace.log
        if request.headers[.accept]?.contains("text/event-stream") == true {
            var heartbeat = 15.0
            if let text = query.get("heartbeat") {
                guard let value = Double(text), value >= 0.05, value <= 300 else {
                    throw Problem.badRequest("heartbeat: seconds between 0.05 and 300", code: "invalid-parameter")
                }
                heartbeat = value
            }
            return sse(
                log: log, frames: caller.workspace.liveFrames, from: from, filter: filter, heartbeat: heartbeat,
                eventLoopID: context.eventLoopID, channelID: context.channelID)
        }
        var limit = 100
        if let text = query.get("limit") {
            guard let value = Int(text), (1...Self.pageMax).contains(value) else {
                throw Problem.badRequest("limit: 1 to \(Self.pageMax)", code: "invalid-parameter")
            }
            limit = value
        }
        var wait = 0.0
        if let text = query.get("wait") {
            guard let value = Double(text), value >= 0, value <= Self.waitMax else {
                throw Problem.badRequest("wait: seconds, 0 to \(Int(Self.waitMax))", code: "invalid-parameter")
            }
            wait = value
        }
        return try await page(log: log, from: from, filter: filter, limit: limit, wait: wait)
    }

    /// One NDJSON page. Scans at most a bounded number of stored events for the filter's matches, so a
    /// selective filter over a long log answers promptly with `Next-Position` to continue.
    private func page(log: EventLog, from: UInt64, filter: Filter, limit: Int, wait: Double) async throws -> Response {
        if wait > 0, log.head.position < from {
            _ = await Self.waitForHead(log, beyond: from - 1, seconds: wait)
        }
        var lines: [UInt8] = []
        var next = from
        var found = 0
        var scanned = 0
        scan: while found < limit, scanned < 100_000 {
            let events: [RecordedEvent]
            do {
                events = try log.read(from: next, maxCount: 1_000)
            } catch {
                throw Problem(.serviceUnavailable, code: error.code, detail: error.description)
            }
            if events.isEmpty { break }
            for event in events {
                next = event.position + 1
                scanned += 1
                guard filter.admits(event) else { continue }
                lines.append(contentsOf: event.line)
                lines.append(0x0A)
                found += 1
                if found == limit { break scan }
            }
        }
        let headers: HTTPFields = [
            .contentType: "application/x-ndjson", .init("Next-Position")!: String(next), .init("Head-Position")!: String(log.head.position),
        ]
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: lines)))
    }

    private func sse(
        log: EventLog, frames: SSEFrameWindow, from: UInt64, filter: Filter, heartbeat: Double, eventLoopID: ObjectIdentifier,
        channelID: ObjectIdentifier
    ) -> Response {
        let subscriptions = self.subscriptions
        // On the connection's own loop (see `EventLoopTaskExecutor`); a connection on no loop of the
        // server's group (a simulated one in tests) stays on the global executor.
        let loopPacer = subscriptions.pacer(forLoop: eventLoopID)
        let executor = loopPacer.map { EventLoopTaskExecutor($0.eventLoop) }
        let pacer = loopPacer ?? subscriptions.pacerOffTheGroup
        let body = ResponseBody { writer in
            let subscription = subscriptions.open()
            let slot = pacer.join()
            defer {
                pacer.leave()
                subscriptions.close(subscription)
            }
            // One interruptible waiter for the whole subscription, and two helpers made once: a ticker
            // that interrupts it every `heartbeat` seconds and a watcher that interrupts it at shutdown.
            // A task group racing the head against a timer on every wait cost several task creations
            // per event per subscriber — most of the server's CPU with 1,000 live subscribers.
            let waiter = log.headWaiter()
            await withTaskGroup(of: Void.self) { helpers in
                helpers.addTask {
                    while (try? await Task.sleep(for: .seconds(heartbeat))) != nil { waiter.interrupt() }
                }
                helpers.addTask {
                    await subscriptions.waitForShutdown()
                    waiter.interrupt()
                }
                do {
                    try await withTaskExecutorPreference(executor) {
                        try await follow(
                            log: log, frames: frames, from: from, filter: filter, heartbeat: heartbeat, waiter: waiter,
                            pacer: pacer, slot: slot, outlet: loopPacer == nil ? nil : subscriptions.outlets.outlet(for: channelID),
                            writer: &writer)
                    }
                } catch {
                    // The client went away: nothing more to write.
                }
                helpers.cancelAll()
            }
            try await writer.finish(nil)
        }
        let headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-store", .init("X-Accel-Buffering")!: "no"]
        return Response(status: .ok, headers: headers, body: body)
    }

    /// Writes the events from `from` on as SSE until shutdown, the log's closing, or a write failure.
    private func follow(
        log: EventLog, frames: SSEFrameWindow, from: UInt64, filter: Filter, heartbeat: Double, waiter: HeadWaiter,
        pacer: LoopPacer, slot: Int, outlet: NIOLoopBound<StreamOutlet>?, writer: inout any ResponseBodyWriter
    ) async throws {
        var next = from
        var lastWrite = ContinuousClock.now
        // Whether the last read reached the head (a short page): the subscriber is live.
        var live = false
        // Whether the last step wrote to a live subscriber: the next write waits for the loop's tick.
        // A live subscriber is written to at most once per `SubscriptionRegistry.pacingInterval` (20 ms,
        // less while the loop has fewer than `LoopPacer.fullFrom` subscribers): events that arrive sooner
        // go out together. With 1,000 subscribers and 1,000 events/s, a write per event per subscriber
        // was a million `writev`s a second, and the TCP stack took the machine. An event after a quiet
        // spell is written at once; catching up is not paced.
        var paced = false
        let filterKey = filter.key
        // A first comment line tells proxies and clients the stream is open. Through the body writer, on
        // the loop: it passes the response head down the pipeline before it, and from here on every
        // write may go through the connection's outlet (`StreamOutlet`).
        try await writer.write(ByteBuffer(string: ": subscribed from position \(from)\n\n"))
        let outlet = outlet.flatMap { $0.eventLoop.inEventLoop ? $0.value : nil }
        while !subscriptions.isShuttingDown, !Task.isCancelled {
            if paced {
                await pacer.nextTick(slot: slot)
                paced = false
            }
            // The shared window when `next` is in it (live subscribers): the chunk of frames this
            // subscriber's filter admits, built once for every subscriber with the same filter at the same
            // position. The log itself when behind the window.
            var chunk = ByteBuffer()
            var framed: ByteBuffer?
            var read: Int
            do {
                let start = next
                if let shared = try frames.chunk(from: start, maxCount: 256, filter: filterKey, admits: filter.admits) {
                    (read, chunk, framed) = (shared.read, shared.bytes, shared.framed)
                    next += UInt64(read)
                } else {
                    let events = try log.read(from: start, maxCount: 256)
                    read = events.count
                    var bytes: [UInt8] = []
                    for event in events {
                        next = event.position + 1
                        if filter.admits(event) { SSEFrameWindow.Frame.append(event, to: &bytes) }
                    }
                    if !bytes.isEmpty { chunk.writeBytes(bytes) }
                }
            } catch {
                break
            }
            live = read < 256
            if read == 0 {
                if await waiter.wait(beyond: next - 1) { continue }
                if subscriptions.isShuttingDown || log.isClosed || Task.isCancelled { break }
                // The ticker runs on its own period: a heartbeat only after `heartbeat` of silence.
                if ContinuousClock.now - lastWrite >= .seconds(heartbeat * 0.9) {
                    try await Self.send(ByteBuffer(string: ": heartbeat\n\n"), framed: nil, outlet: outlet, writer: &writer)
                    lastWrite = ContinuousClock.now
                }
                continue
            }
            // Awaits the socket: a slow client holds this loop, not a growing buffer.
            if chunk.readableBytes > 0 {
                try await Self.send(chunk, framed: framed, outlet: outlet, writer: &writer)
                lastWrite = ContinuousClock.now
                paced = live
            }
            subscriptions.delivered(read)
        }
    }

    /// Writes `bytes` (not empty: an empty chunk would end the response) to the stream: framed, from the
    /// connection's outlet when it has one (`framed` when the caller has it framed already), else through
    /// the body writer. Through the outlet, it waits for the write to complete only when the connection's
    /// buffer is past its high-water mark, or closed: then the completion says so.
    private static func send(
        _ bytes: ByteBuffer, framed: ByteBuffer?, outlet: StreamOutlet?, writer: inout any ResponseBodyWriter
    ) async throws {
        guard let outlet else { return try await writer.write(bytes) }
        guard let written = outlet.write(framed: framed ?? StreamOutlet.frame(bytes)) else { throw CancellationError() }
        if !outlet.isWritable { try await written.get() }
    }

    /// Waits until the head passes `position`, for at most `seconds`; false on timeout, on shutdown or
    /// when the log closed.
    static func waitForHead(_ log: EventLog, beyond position: UInt64, seconds: Double, or subscriptions: SubscriptionRegistry? = nil) async
        -> Bool
    {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { await log.waitForHead(beyond: position) }
            group.addTask {
                try? await Task.sleep(for: .seconds(seconds))
                return false
            }
            if let subscriptions {
                group.addTask {
                    await subscriptions.waitForShutdown()
                    return false
                }
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }
}
