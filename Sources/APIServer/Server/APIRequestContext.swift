import Foundation
public import Hummingbird
import Logging
import NIOCore

/// Per-request state: Hummingbird's core storage plus who is calling, once `Authentication` has run.
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `Authentication` on every `/v1/workspaces/…` route before its handler runs.
    var caller: Caller?
    /// Which event loop the request's connection is on: a long-lived response (an SSE subscription) runs
    /// on it. The identity, not the loop: an existential in every request's context (copied along the
    /// middleware chain) cost ~10 % of cached board reads a second.
    let eventLoopID: ObjectIdentifier
    /// Which connection the request came on: an event stream finds its `StreamOutlet` by it.
    let channelID: ObjectIdentifier

    public init(source: Source) {
        coreContext = .init(source: source)
        eventLoopID = ObjectIdentifier(source.channel.eventLoop)
        channelID = ObjectIdentifier(source.channel)
    }

    /// The caller; routes behind `Authentication` always have one.
    func requireCaller() throws -> Caller {
        guard let caller else { throw Problem.unauthorized }
        return caller
    }
}
