import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// A connection's handler, after HTTP decoding and before Hummingbird's request handling, that
/// answers the reads `ReadyReads` can answer at once, on the event loop, and passes every other
/// request on untouched.
///
/// Order: HTTP/1.1 answers go out in the order of the requests. A request is answered here only while
/// no request passed on is still waiting for its answer (its answer's end has not gone out through this
/// handler); otherwise it is passed on too, behind the others.
///
/// Backpressure: only while the channel is writable. A client that stops reading its answers gets its
/// next requests answered by the router, which waits for the socket, rather than growing a buffer here.
final class ReadyReadHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let reads: ReadyReads
    /// Requests passed on whose answer has not ended yet.
    private var answersOwed = 0
    /// A head that may be answered here, held until its request's end, and when it came.
    private var held: HTTPRequest?
    private var received = ContinuousClock.now
    /// The last token this connection presented that proved good.
    private var known: KnownCaller?
    private var needsFlush = false

    init(reads: ReadyReads) { self.reads = reads }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch part {
        case .head(let request):
            if answersOwed == 0, context.channel.isWritable, reads.mayAnswer(request) {
                held = request
                received = ContinuousClock.now
                return
            }
            answersOwed += 1
        case .body:
            // A read with a body is not one of ours: the router answers it, body and all.
            passHeld(context)
        case .end:
            if let request = held {
                held = nil
                if let answered = reads.answer(request, known: &known) {
                    write(answered, context: context)
                    let elapsed = (ContinuousClock.now - received).components
                    reads.observe(request, answered, seconds: Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18)
                    return
                }
                answersOwed += 1
                context.fireChannelRead(wrapInboundOut(.head(request)))
            }
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if needsFlush {
            needsFlush = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { answersOwed -= 1 }
        context.write(data, promise: promise)
    }

    /// Passes on a held head, whose request turned out not to be one of ours.
    private func passHeld(_ context: ChannelHandlerContext) {
        guard let request = held else { return }
        held = nil
        answersOwed += 1
        context.fireChannelRead(wrapInboundOut(.head(request)))
    }

    /// Writes the answer; flushed once the reads of this socket wake-up are handled, so pipelined
    /// requests answered here go out in one write.
    private func write(_ answered: ReadyReads.Answered, context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(.head(reads.head(answered.answer))), promise: nil)
        if answered.answer.body.readableBytes > 0 { context.write(wrapOutboundOut(.body(answered.answer.body)), promise: nil) }
        context.write(wrapOutboundOut(.end(nil)), promise: nil)
        needsFlush = true
    }
}
