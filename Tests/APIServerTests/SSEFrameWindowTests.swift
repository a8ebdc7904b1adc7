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

    @Test("frames are the events as a subscriber reading the log writes them, from any position in the window")
    func framesMatchTheLog() async throws {
        let directory = TestDirectory()
        let log = try EventLog.open(dataDirectory: directory.path, workspace: "w")
        try await append(log, count: 40, from: 1)
        let window = SSEFrameWindow(log: log)
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
        let directory = TestDirectory()
        let log = try EventLog.open(dataDirectory: directory.path, workspace: "w")
        let window = SSEFrameWindow(log: log)
        let total = SSEFrameWindow.framesMax * 2
        try await append(log, count: total, from: 1)
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

    @Test("a subscriber ahead of a stale window (events appended while no one followed it) starts the window at its position")
    func aheadOfAStaleWindow() async throws {
        let directory = TestDirectory()
        let log = try EventLog.open(dataDirectory: directory.path, workspace: "w")
        let window = SSEFrameWindow(log: log)
        try await append(log, count: 10, from: 1)
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

extension SSEFrameWindow {
    /// Up to `maxCount` frames from `position` on, or nil when `position` is behind the window.
    fileprivate func frames(from position: UInt64, maxCount: Int) throws(EventLogError) -> [Frame]? {
        try withFrames(from: position, maxCount: maxCount) { Array($0) }
    }
}
