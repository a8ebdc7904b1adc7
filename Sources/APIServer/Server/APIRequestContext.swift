public import Hummingbird
import Logging
import NIOCore

/// Per-request state: Hummingbird's core storage plus who is calling, once `Authentication` has run.
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `Authentication` on every `/v1/workspaces/…` route before its handler runs.
    var caller: Caller?
    /// The event loop of the request's connection: a long-lived response (an SSE subscription) runs on it.
    let eventLoop: any EventLoop

    public init(source: Source) {
        coreContext = .init(source: source)
        eventLoop = source.channel.eventLoop
    }

    /// The caller; routes behind `Authentication` always have one.
    func requireCaller() throws -> Caller {
        guard let caller else { throw Problem.unauthorized }
        return caller
    }
}
