import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// Hummingbird's HTTP/1.1 child channel with Taskledger's two handlers at the byte level, ahead of NIO's
/// HTTP decoder and encoder (after TLS, when served over TLS): a `StreamOutlet`, through which event
/// streams write their chunks, and, when ready reads are on, a `ReadyReadFront`.
struct TaskledgerHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let base: HTTP1Channel
    let reads: ReadyReads?
    let outlets: StreamOutlet.Registry

    /// `configuration`'s handlers after decoding, with `AnswersOwed` first among them when `reads` is given.
    init(
        responder: @escaping HTTPChannelHandler.Responder, configuration: HTTP1Channel.Configuration, reads: ReadyReads?,
        outlets: StreamOutlet.Registry
    ) {
        var configuration = configuration
        if reads != nil {
            let others = configuration.additionalChannelHandlers
            configuration.additionalChannelHandlers = { [AnswersOwed()] + others() }
        }
        base = HTTP1Channel(responder: responder, configuration: configuration)
        self.reads = reads
        self.outlets = outlets
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            // Ahead of the encoder, the first of NIO's HTTP handlers: what these two write is bytes already,
            // which must not pass through it.
            // In that order (front, outlet, encoder): the front handles no outbound event, so the outlet's
            // writes pass it by, and the front's answers never pass the outlet.
            let encoder = try pipeline.handler(type: HTTPResponseEncoder.self)
            if let reads {
                let front = ReadyReadFront(reads: reads, owed: try pipeline.handler(type: AnswersOwed.self))
                try pipeline.addHandler(front, position: .before(encoder))
            }
            try pipeline.addHandler(StreamOutlet(registry: outlets), position: .before(encoder))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
