import NIOCore
import Synchronization

/// A place in a connection's HTTP/1.1 pipeline, just ahead of NIO's response encoder, from which a live
/// event stream writes its body's chunks as bytes already framed, and the outlets of the open
/// connections, found by the connection's identity.
///
/// Why: an SSE write through Hummingbird's body writer passes the async writer, the HTTP types converter
/// and the encoder, which frames each write as three buffers (size line, data, line end). With 1,000 live
/// subscribers that path was a sixth of the event loops' time (perf, 2026-11-29), on every write. A
/// shared chunk is framed once for all its subscribers (`SSEFrameWindow.Chunk.framed`), and each
/// subscriber's write is one buffer handed to the socket from here, on the connection's loop.
///
/// Order: the stream's first write (its opening comment) goes through the body writer on the loop, which
/// passes the response head and that write down the pipeline before it returns; from then on the
/// stream writes only here until it ends, and the body writer's `finish` writes the closing chunk.
final class StreamOutlet: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private let registry: Registry
    private var context: ChannelHandlerContext?
    private var key: ObjectIdentifier?

    init(registry: Registry) { self.registry = registry }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let key = ObjectIdentifier(context.channel)
        self.key = key
        registry.add(NIOLoopBound(self, eventLoop: context.eventLoop), for: key)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if let key { registry.remove(key) }
        self.context = nil
    }

    /// Whether a write can go out now: the connection is open and its outbound buffer under NIO's
    /// high-water mark. A stream that finds it false waits for its last write to complete (`write` with
    /// `awaitingCompletion`), so a slow reader holds its subscriber, not a growing buffer.
    var isWritable: Bool { context.map { $0.channel.isActive && $0.channel.isWritable } ?? false }

    /// Writes `chunk` (a complete HTTP/1.1 chunk: size line, data, line end) and flushes. Returns the
    /// write's completion: a caller that must not run ahead of the socket awaits it.
    func write(framed chunk: ByteBuffer) -> EventLoopFuture<Void>? {
        guard let context else { return nil }
        let promise = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.byteBuffer(chunk)), promise: promise)
        return promise.futureResult
    }

    /// Frames `bytes` as one HTTP/1.1 chunk (size line, data, line end) in a new buffer.
    static func frame(_ bytes: ByteBuffer) -> ByteBuffer {
        var framed = ByteBuffer()
        framed.reserveCapacity(bytes.readableBytes + 12)
        framed.writeString(String(bytes.readableBytes, radix: 16))
        framed.writeStaticString("\r\n")
        framed.writeImmutableBuffer(bytes)
        framed.writeStaticString("\r\n")
        return framed
    }

    /// The outlets of the open connections, by `ObjectIdentifier` of their channel. Each is touched only
    /// on its connection's loop; the lock guards the map, taken when a connection opens or closes and
    /// when a stream starts.
    final class Registry: Sendable {
        private let outlets = Mutex<[ObjectIdentifier: NIOLoopBound<StreamOutlet>]>([:])
        private let found = Atomic<Int>(0)

        init() {}

        func add(_ outlet: NIOLoopBound<StreamOutlet>, for key: ObjectIdentifier) { outlets.withLock { $0[key] = outlet } }
        func remove(_ key: ObjectIdentifier) { _ = outlets.withLock { $0.removeValue(forKey: key) } }

        /// The outlet of the connection `key`, for a stream about to write from it, if the connection has
        /// one (connections of the server `taskledger serve` runs do; the test framework's do not). The
        /// key cannot name another connection meanwhile: Hummingbird holds a connection's channel while
        /// it answers, so its identity is not reused before the stream ends; a closed one has no outlet.
        func outlet(for key: ObjectIdentifier) -> NIOLoopBound<StreamOutlet>? {
            let outlet = outlets.withLock { $0[key] }
            if outlet != nil { found.add(1, ordering: .relaxed) }
            return outlet
        }

        /// Outlets registered now: one per open connection (for tests).
        var count: Int { outlets.withLock { $0.count } }
        /// Streams given an outlet so far (for tests).
        var streams: Int { found.load(ordering: .relaxed) }
    }
}
