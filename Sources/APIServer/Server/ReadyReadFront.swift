import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// The first handler of a connection's HTTP/1.1 pipeline, ahead of NIO's HTTP decoder (after TLS, when
/// served over TLS): it answers, from the request's bytes and on the event loop, the reads `ReadyReads`
/// can answer at once, and hands every other request to the decoder whole, for Hummingbird's router.
///
/// Why in front of the decoder: a ready read needs no I/O, so what is left of its cost is HTTP itself.
/// Decoding a request into NIO's head, converting it to `HTTPRequest`, and a response back through the
/// converter and the encoder took about a third of the server's CPU per board read (perf, 2026-11-29);
/// here the head is scanned once and the answer written as bytes made once.
///
/// Framing: each request is passed on with its body and nothing of the next request, so the decoder
/// always starts at a request's first byte. A head this front does not read as plain HTTP/1.1
/// (`RequestHeadScan`: a chunked body among others), or one after which the connection is not kept
/// alive as is (`Connection: close`, an upgrade, HTTP/1.0), ends the framing: from there on every byte
/// goes to the decoder as it comes, and the decoder alone decides where requests end.
///
/// Order: HTTP/1.1 answers go out in the order of the requests. A read is answered here only while no
/// request passed on is still waiting for its answer (`AnswersOwed`); otherwise it is passed on too.
///
/// Backpressure: only while the channel is writable. A client that stops reading its answers gets its
/// next requests answered by the router, which waits for the socket, rather than growing a buffer here.
final class ReadyReadFront: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// The longest head read here; a longer one is the decoder's (its own limit is 80 KiB of fields).
    static let headLimit = 16 * 1024

    private let reads: ReadyReads
    private let owed: AnswersOwed
    /// Bytes of a head not yet whole, and how many of them hold no head end.
    private var partial: ByteBuffer?
    private var searched = 0
    /// Bytes of a passed-on request's body still to pass on.
    private var bodyToPass = 0
    /// Whether framing has ended (see above): every byte now goes to the decoder.
    private var passingAll = false
    /// The last token this connection presented that proved good.
    private var known: KnownCaller?
    private var needsFlush = false

    init(reads: ReadyReads, owed: AnswersOwed) {
        self.reads = reads
        self.owed = owed
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if passingAll {
            context.fireChannelRead(data)
            return
        }
        var bytes = unwrapInboundIn(data)
        if var held = partial {
            partial = nil
            held.writeBuffer(&bytes)
            bytes = held
        }
        while bytes.readableBytes > 0 {
            if bodyToPass > 0 {
                let length = min(bodyToPass, bytes.readableBytes)
                bodyToPass -= length
                pass(bytes.readSlice(length: length)!, context: context)
                continue
            }
            let outcome = bytes.withUnsafeReadableBytes { RequestHeadScan.scan($0, limit: Self.headLimit, searched: searched) }
            searched = 0
            switch outcome {
            case .incomplete:
                partial = bytes
                searched = bytes.readableBytes
                return
            case .unframed:
                // Nothing is answered here again on this connection, so what it owes no longer matters.
                passingAll = true
                pass(bytes, context: context)
                return
            case .head(let head):
                let received = ContinuousClock.now
                if head.isPlainGet, !head.isRepeated, owed.count == 0, context.channel.isWritable,
                    let answered = reads.answer(target: head.target, authorization: head.authorization, ifNoneMatch: head.ifNoneMatch, known: &known)
                {
                    bytes.moveReaderIndex(forwardBy: head.length)
                    write(answered, context: context)
                    let elapsed = (ContinuousClock.now - received).components
                    reads.observe(answered, seconds: Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18)
                    continue
                }
                owed.count += 1
                if head.endsFraming {
                    passingAll = true
                    pass(bytes, context: context)
                    return
                }
                bodyToPass = head.bodyLength
                pass(bytes.readSlice(length: head.length)!, context: context)
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if needsFlush {
            needsFlush = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    private func pass(_ bytes: ByteBuffer, context: ChannelHandlerContext) {
        context.fireChannelRead(wrapInboundOut(bytes))
    }

    /// Writes the answer; flushed once the reads of this socket wake-up are handled, so pipelined
    /// requests answered here go out in one write.
    private func write(_ answered: ReadyReads.Answered, context: ChannelHandlerContext) {
        // Head and body in one buffer: one write through the pipeline, one iovec.
        var body = answered.answer.body
        var bytes = context.channel.allocator.buffer(capacity: 384 + body.readableBytes)
        reads.writeHead(answered.answer, into: &bytes)
        bytes.writeBuffer(&body)
        context.write(wrapOutboundOut(bytes), promise: nil)
        needsFlush = true
    }
}

/// How many requests a connection has passed on to the router whose answers have not ended yet: the
/// `ReadyReadFront` counts them up, and this handler, after the HTTP types converter, counts them down as
/// each answer's end is written. Both run on the connection's event loop.
final class AnswersOwed: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    var count = 0

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { count -= 1 }
        context.write(data, promise: promise)
    }
}
