import EventLog
import Foundation
import TestSupport
import Testing

@testable import APIServer

/// The SSE frames shared by a workspace's subscribers: each event encoded once, exactly as a subscriber
/// reading the log would encode it; bounded; and `nil` (read the log) for a position behind the window.
@Suite("SSE frame window")
struct SSEFrameWindowTests {
    private func append(_ log: EventLog, count: Int, from first: Int) async throws {
        var index = first
        while index < first + count {
            let size = min(500, first + count - index)
            let events = (index..<(index + size)).map { n in
                ProposedEvent(stream: "task-\(n % 7)", type: n % 2 == 0 ? "TaskMoved" : "CommentAdded", json: #"{"n":\#(n)}"#)
            }
            _ = try await log.append(AppendRequest(events: events))
            index += size
        }
    }

    /// A log of `count` events in `directory`, and a window over it.
    private func windowOverLog(in directory: TestDirectory, count: Int) async throws -> (log: EventLog, window: SSEFrameWindow) {
        let log = try EventLog.open(dataDirectory: directory.path, workspace: "w")
        try await append(log, count: count, from: 1)
        return (log, SSEFrameWindow(log: log))
    }

    /// The bytes of the frames from `position` (up to `maxCount`) whose type is `type` (any type when nil).
    private func frameBytes(_ window: SSEFrameWindow, from position: UInt64, maxCount: Int, type: String? = nil) throws -> [UInt8] {
        try #require(try window.frames(from: position, maxCount: maxCount)).filter { type == nil || $0.type == type }.flatMap(\.bytes)
    }

    @Test("frames are the events as a subscriber reading the log writes them, from any position in the window")
    func framesMatchTheLog() async throws {
        let directory = TestDirectory()
        let (log, window) = try await windowOverLog(in: directory, count: 40)
        let frames = try #require(try window.frames(from: 3, maxCount: 10))
        #expect(frames.map(\.position) == Array(3...12))
        for frame in frames {
            let event = try log.event(at: frame.position)
            var expected = Array("id: \(event.position)\nevent: \(event.type)\ndata: ".utf8)
            expected += event.line
            expected += Array("\n\n".utf8)
            #expect(frame.bytes == expected)
            #expect(frame.stream == event.stream)
            #expect(frame.type == event.type)
        }
        // Further on in the same window, and past the head: nothing yet (not nil: wait for the head).
        #expect(try window.frames(from: 35, maxCount: 100)?.map(\.position) == Array(35...40))
        #expect(try window.frames(from: 41, maxCount: 100)?.isEmpty == true)
        try await append(log, count: 3, from: 41)
        #expect(try window.frames(from: 41, maxCount: 100)?.map(\.position) == [41, 42, 43])
        await log.close()
    }

    @Test("the window stays bounded as the log grows, and a position it has dropped is answered with nil")
    func boundedAndBehind() async throws {
        let total = SSEFrameWindow.framesMax * 2
        let directory = TestDirectory()
        let (log, window) = try await windowOverLog(in: directory, count: total)
        // A live subscriber following the log from the start, as SSE does.
        var next: UInt64 = 1
        while next <= UInt64(total) {
            let frames = try #require(try window.frames(from: next, maxCount: 256))
            #expect(frames.first?.position == next)
            next = (frames.last?.position ?? next) + 1
            #expect(window.count <= SSEFrameWindow.framesMax + SSEFrameWindow.framesMax / 4)
        }
        #expect(window.count >= 1)
        // Position 1 has long left the window: the subscriber must read the log.
        #expect(try window.frames(from: 1, maxCount: 10) == nil)
        await log.close()
    }

    @Test("subscribers with the same filter at the same position share one chunk; other filters and later ends get their own")
    func chunksAreShared() async throws {
        let directory = TestDirectory()
        let (log, window) = try await windowOverLog(in: directory, count: 20)
        var builds = 0
        let comments = { (frame: SSEFrameWindow.Frame) -> Bool in
            builds += 1
            return frame.type == "CommentAdded"
        }
        let first = try #require(try window.chunk(from: 5, maxCount: 10, filter: "comments", admits: comments))
        let second = try #require(try window.chunk(from: 5, maxCount: 10, filter: "comments", admits: comments))
        // Built once (ten frames filtered), written twice from the same storage.
        #expect(builds == 10)
        #expect(first.read == 10 && second.read == 10)
        #expect(first.bytes == second.bytes)
        #expect(first.bytes.withUnsafeReadableBytes { $0.baseAddress } == second.bytes.withUnsafeReadableBytes { $0.baseAddress })
        #expect(Array(first.bytes.readableBytesView) == (try frameBytes(window, from: 5, maxCount: 10, type: "CommentAdded")))
        // Framed once, as one HTTP/1.1 chunk of the same bytes (what `StreamOutlet` writes), sharing storage.
        let size = String(first.bytes.readableBytes, radix: 16)
        #expect(String(buffer: first.framed) == size + "\r\n" + String(buffer: first.bytes) + "\r\n")
        #expect(first.framed == StreamOutlet.frame(first.bytes))
        #expect(
            first.framed.withUnsafeReadableBytes { $0.baseAddress! + size.utf8.count + 2 } == first.bytes.withUnsafeReadableBytes { $0.baseAddress })
        // Another filter at the same position: its own chunk.
        let all = try #require(try window.chunk(from: 5, maxCount: 10, filter: "all", admits: { _ in true }))
        #expect(Array(all.bytes.readableBytesView) == (try frameBytes(window, from: 5, maxCount: 10)))
        // Past the head: nothing to write, nothing kept.
        let empty = try #require(try window.chunk(from: 21, maxCount: 10, filter: "comments", admits: comments))
        #expect(empty.read == 0 && empty.bytes.readableBytes == 0)
        // A chunk up to the window's end, then events appended and the window extended by a subscriber at
        // the head: the same position now reaches further, so it gets a new chunk, not the kept one.
        #expect(try window.chunk(from: 18, maxCount: 10, filter: "comments", admits: comments)?.read == 3)
        try await append(log, count: 5, from: 21)
        #expect(try window.chunk(from: 21, maxCount: 10, filter: "comments", admits: comments)?.read == 5)
        let longer = try #require(try window.chunk(from: 18, maxCount: 10, filter: "comments", admits: comments))
        #expect(longer.read == 8)
        #expect(Array(longer.bytes.readableBytesView) == (try frameBytes(window, from: 18, maxCount: 10, type: "CommentAdded")))
        await log.close()
    }

    @Test("shared chunks stay within their bound")
    func chunksAreBounded() async throws {
        let directory = TestDirectory()
        let (log, window) = try await windowOverLog(in: directory, count: 2_000)
        var kept = 0
        for start in stride(from: UInt64(1), through: 1_800, by: 7) {
            for filter in 0..<20 {
                _ = try #require(try window.chunk(from: start, maxCount: 200, filter: "f\(filter)", admits: { _ in true }))
                kept = max(kept, window.bytes - window.frameBytes)
                #expect(window.bytes <= SSEFrameWindow.bytesLimit)
            }
        }
        // The bound was reached (so it was what held them), and never passed.
        #expect(kept > SSEFrameWindow.chunkBytesMax / 2)
        #expect(kept <= SSEFrameWindow.chunkBytesMax)
        await log.close()
    }

    @Test("a subscriber ahead of a stale window (events appended while no one followed it) starts the window at its position")
    func aheadOfAStaleWindow() async throws {
        let directory = TestDirectory()
        let (log, window) = try await windowOverLog(in: directory, count: 10)
        #expect(try window.frames(from: 1, maxCount: 256)?.count == 10)
        // More than one extension's read (`readMax`) appended, nobody reading: a new subscriber joins at the head.
        let gap = SSEFrameWindow.readMax * 3
        try await append(log, count: gap, from: 11)
        let head = UInt64(10 + gap)
        #expect(try window.frames(from: head, maxCount: 256)?.map(\.position) == [head])
        #expect(try window.frames(from: head + 1, maxCount: 256)?.isEmpty == true)
        // Those behind the restarted window read the log themselves.
        #expect(try window.frames(from: 11, maxCount: 256) == nil)
        await log.close()
    }
}

@Suite("SSE subscription filters")
struct SSEFilterKeyTests {
    @Test("equal filters share a key whatever the order of their types; different filters never do")
    func keys() {
        typealias Filter = EventRoutes.Filter
        #expect(Filter(types: ["TaskMoved", "CommentAdded"]).key == Filter(types: ["CommentAdded", "TaskMoved"]).key)
        let distinct: [Filter] = [
            Filter(),
            Filter(types: []),
            Filter(types: [""]),
            Filter(stream: ""),
            Filter(prefix: ""),
            Filter(stream: "a"),
            Filter(prefix: "a"),
            Filter(stream: "a", prefix: "b"),
            Filter(stream: "a|1:b"),
            Filter(stream: "1:a", prefix: "-"),
            Filter(types: ["a,b"]),
            Filter(types: ["a", "b"]),
            Filter(stream: "-"),
        ]
        #expect(Set(distinct.map(\.key)).count == distinct.count)
    }
}
