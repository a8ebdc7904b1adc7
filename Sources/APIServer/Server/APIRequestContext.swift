public import Hummingbird
import Logging

/// Per-request state: Hummingbird's core storage plus who is calling, once `Authentication` has run.
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `Authentication` on every `/v1/workspaces/…` route before its handler runs.
    var caller: Caller?

    public init(source: Source) {
        coreContext = .init(source: source)
    }

    /// The caller; routes behind `Authentication` always have one.
    func requireCaller() throws -> Caller {
        guard let caller else { throw Problem.unauthorized }
        return caller
    }
}
