import CommandService
import Workflow

/// An authenticated caller: the workspace its token is bound to, the member it speaks for, and the
/// token (recorded on every event the request causes).
struct Caller: Sendable {
    var workspace: HostedWorkspace
    var member: MemberID
    var token: TokenID

    /// The metadata every command of this request carries.
    func metadata(requestID: String?, idempotencyKey: String? = nil) -> CommandMetadata {
        CommandMetadata(
            member: member, tokenID: token.rawValue, requestID: requestID, correlationID: requestID, origin: .api)
    }
}
