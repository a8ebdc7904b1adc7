import EventLog
import NIOCore
import Synchronization

/// The live tail of one workspace's events, each encoded once as a Server-Sent Events frame and shared
/// by every subscriber of the workspace.
///
/// Why: each subscriber used to read every event from the log and encode its frame itself, so 1,000
/// subscribers did the same work 1,000 times per event (delivery p99 460 ms at 1,000 events/s on two
/// cores). Now the first subscriber to reach a new position reads and encodes it for all; the others only
/// filter and copy bytes.
///
/// The window is bounded (`framesMax` frames, `bytesMax` bytes) and holds consecutive positions. A
/// subscriber behind it (catching up from an old position, or slow) gets `nil` and reads the log itself,
/// as before, so nothing is ever skipped and memory does not grow with the number of subscribers.
final class SSEFrameWindow: Sendable {
    /// One event's SSE frame (`id: P`, `event: TYPE`, `data: LINE`, blank line) and what filters need.
    struct Frame: Sendable {
        let position: UInt64
        let stream: String
        let type: String
        let bytes: [UInt8]

        init(_ event: RecordedEvent) {
            position = event.position
            stream = event.stream
            type = event.type
            var bytes: [UInt8] = []
            bytes.reserveCapacity(event.line.count + type.utf8.count + 40)
            Self.append(event, to: &bytes)
            self.bytes = bytes
        }

        /// Appends `event`'s frame to `out`: the one encoding of an event for SSE, shared frames and a
        /// subscriber reading the log alike.
        static func append(_ event: RecordedEvent, to out: inout [UInt8]) {
            out.append(contentsOf: "id: \(event.position)\nevent: \(event.type)\ndata: ".utf8)
            out.append(contentsOf: event.line)
            out.append(contentsOf: "\n\n".utf8)
        }
    }

    /// What a live subscriber writes: the frames of `read` consecutive positions that its filter admits,
    /// in one buffer, and the same bytes framed as one HTTP/1.1 chunk (for `StreamOutlet`), sharing
    /// storage.
    struct Chunk: Sendable {
        let read: Int
        let bytes: ByteBuffer
        let framed: ByteBuffer

        /// Frames the frames in `buffer` once: they were written after `headroom` bytes of room, so the
        /// chunk's size line goes in front of them without a copy, and `bytes` is a slice of `framed`.
        init(read: Int, buffer: ByteBuffer, headroom: Int) {
            var buffer = buffer
            let length = buffer.readableBytes - headroom
            let size = String(length, radix: 16)
            let start = headroom - size.utf8.count - 2
            buffer.setString(size, at: start)
            _ = buffer.setStaticString("\r\n", at: headroom - 2)
            buffer.writeStaticString("\r\n")
            buffer.moveReaderIndex(to: start)
            self.read = read
            framed = buffer
            bytes = buffer.getSlice(at: headroom, length: length)!
        }

        /// Room for a chunk's size line before its data: 16 hex digits and CR LF.
        static let headroom = 18
    }

    private struct ChunkKey: Hashable {
        let filter: String
        let from: UInt64
        let end: UInt64
    }

    private struct Window {
        /// Frames of positions `first`, `first + 1`, …
        var frames: [Frame] = []
        var first: UInt64 = 0
        var bytes = 0
        /// Chunks built lately, for the next subscriber with the same filter at the same position.
        var chunks: [ChunkKey: Chunk] = [:]
        var chunkBytes = 0

        var end: UInt64 { first + UInt64(frames.count) }
    }

    static let framesMax = 8_192
    static let bytesMax = 16 << 20
    /// The most bytes the window holds between trims (it trims in steps of a quarter).
    static let bytesHeldMax = bytesMax + bytesMax / 4
    /// Events read from the log per extension of the window.
    static let readMax = 1_024
    /// The most bytes of built chunks kept for sharing; a chunk larger than this is not kept.
    static let chunkBytesMax = 4 << 20
    /// What the window holds at most: frames and shared chunks (the `/metrics` limit).
    static let bytesLimit = bytesHeldMax + chunkBytesMax

    private let log: EventLog
    private let window = Mutex(Window())

    init(log: EventLog) { self.log = log }

    /// Bytes held now: the frames (at most `bytesHeldMax`) and the shared chunks (at most `chunkBytesMax`).
    var bytes: Int { window.withLock { $0.bytes + $0.chunkBytes } }

    /// The frames from `position` on that `admits` lets through, up to `maxCount` positions, as one buffer
    /// ready to write (empty, with `read` 0, when the log has nothing there yet); nil when `position` is
    /// behind the window: read the log instead. `filter` names what `admits` admits: the same name must
    /// mean the same filter.
    ///
    /// Why: the live subscribers woken at one tick mostly want the same frames with the same filter, and
    /// each used to copy them into a buffer of its own, under the window's lock. The first one builds the
    /// chunk now and the others write the same buffer (a `ByteBuffer` shares its storage): one copy per
    /// tick instead of one per subscriber. It reads the frames in place under the lock, with no array of
    /// them made per call (at 1,000 subscribers such arrays and their references were a tenth of the
    /// server's CPU). The window may hold up to a quarter more than `framesMax` and `bytesMax` between trims.
    func chunk(from position: UInt64, maxCount: Int, filter: String, admits: (Frame) -> Bool) throws(EventLogError) -> Chunk? {
        let log = self.log
        return try window.withLock { window throws(EventLogError) -> Chunk? in
            guard let slice = try Self.slice(of: &window, from: position, maxCount: maxCount, log: log) else { return nil }
            let key = ChunkKey(filter: filter, from: position, end: position + UInt64(slice.count))
            if let shared = window.chunks[key] { return shared }
            var buffer = ByteBuffer()
            buffer.writeRepeatingByte(0, count: Chunk.headroom)
            for frame in slice where admits(frame) { buffer.writeBytes(frame.bytes) }
            let chunk = Chunk(read: slice.count, buffer: buffer, headroom: Chunk.headroom)
            let bytes = chunk.bytes
            if slice.isEmpty || bytes.readableBytes > Self.chunkBytesMax { return chunk }
            // Kept until the bound is reached, then all dropped at once: a chunk is wanted within one tick
            // of being built, and a position the window has dropped is never looked up again.
            if window.chunkBytes + bytes.readableBytes > Self.chunkBytesMax {
                window.chunks.removeAll(keepingCapacity: true)
                window.chunkBytes = 0
            }
            window.chunks[key] = chunk
            window.chunkBytes += bytes.readableBytes
            return chunk
        }
    }

    /// Extends `window` from the log when `position` is at or past its end, trims it, and returns up to
    /// `maxCount` frames from `position`, or nil when `position` is behind it. Runs under the lock.
    private static func slice(of window: inout Window, from position: UInt64, maxCount: Int, log: EventLog) throws(EventLogError)
        -> ArraySlice<Frame>?
    {
        // A position past the window's end (no subscriber kept it up with the log while events were
        // appended, or it is new): start it there. Extending from the old end instead reads at most
        // `readMax` events, which may stop short of `position`.
        if window.frames.isEmpty || position > window.end {
            window = Window(frames: [], first: position, bytes: 0)
        }
        guard position >= window.first else { return nil }
        if position >= window.end {
            // Extended under the lock, so one subscriber reads and encodes while the others wait for
            // its frames rather than read the same events themselves.
            for event in try log.read(from: window.end, maxCount: Self.readMax) {
                let frame = Frame(event)
                window.bytes += frame.bytes.count
                window.frames.append(frame)
            }
            // Trimmed in steps of a quarter, so the front is not shifted on every extension.
            if window.frames.count > Self.framesMax + Self.framesMax / 4 || window.bytes > Self.bytesHeldMax {
                var drop = 0
                var bytes = window.bytes
                while drop < window.frames.count, window.frames.count - drop > Self.framesMax || bytes > Self.bytesMax {
                    bytes -= window.frames[drop].bytes.count
                    drop += 1
                }
                window.frames.removeFirst(drop)
                window.first += UInt64(drop)
                window.bytes = bytes
            }
            guard position >= window.first else { return nil }
        }
        let start = Int(position - window.first)
        return window.frames[start..<min(window.frames.count, start + maxCount)]
    }

    /// Up to `maxCount` frames from `position` on (empty when the log has nothing there yet), or nil when
    /// `position` is behind the window (for tests: subscribers take `chunk`s).
    func frames(from position: UInt64, maxCount: Int) throws(EventLogError) -> [Frame]? {
        let log = self.log
        return try window.withLock { window throws(EventLogError) -> [Frame]? in
            try Self.slice(of: &window, from: position, maxCount: maxCount, log: log).map(Array.init)
        }
    }

    /// Bytes of the frames alone (for tests).
    var frameBytes: Int { window.withLock { $0.bytes } }

    /// Frames held now (for tests and metrics).
    var count: Int { window.withLock { $0.frames.count } }
}
