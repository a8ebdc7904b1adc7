import CommandService
import EventLog
import Foundation
import Hummingbird
import Workflow

/// The workspace's own settings: its name and time zone (`PATCH /v1/workspaces/{ws}`, as a project's
/// are `PATCH …/projects/{id}`). Needs `workspace.manage`.
struct WorkspaceSettingsRoutes {
    let writes: WriteHandling

    func add(to group: RouterGroup<APIRequestContext>) {
        group.patch("") { request, context in try await change(request, context) }
    }

    /// PATCH: the members present change, the others keep their values; one `WorkspaceSettingsChanged`
    /// lists every field change.
    private func change(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        var body = try await JSONBody.read(request, limit: writes.bodyLimit)
        let name = body.optionalString("name")
        let timeZone = body.optionalString("timeZone")
        let expectedVersion = body.optionalInteger("expectedVersion").map { UInt64(max(0, $0)) }
        try body.finish()
        guard name != nil || timeZone != nil else { throw Problem.badRequest("the body changes nothing", code: "empty-change") }
        return try await writes.run(request, context: context, stream: .workspace, bodyExpectedVersion: expectedVersion, body: body) {
            service, metadata, expected throws(CommandError) in
            // The domain checks the name's shape only (it has no zone database): a zone the server does not
            // know would make every "today" and due date of the workspace wrong. A name of another shape is
            // left to the domain's refusal, never handed to the zone lookup (which may read files by name).
            if let timeZone, Self.isZoneShaped(timeZone), TimeZone(identifier: timeZone) == nil {
                throw .domain(.validationFailed(field: "timeZone", reason: "\"\(timeZone)\" is not a known IANA time zone"))
            }
            return try await service.execute(
                WorkspaceCommand.changeSettings(name: name.map(Update.set) ?? .keep, timeZone: timeZone.map(Update.set) ?? .keep),
                metadata: metadata, expectedVersion: expected)
        }
    }

    /// 1-64 of the characters IANA names use (`Europe/Berlin`, `Etc/GMT+2`): no dots, so no `..`.
    private static func isZoneShaped(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count) && !name.hasPrefix("/")
            && name.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "/_-+".unicodeScalars.contains($0))
            }
    }
}
