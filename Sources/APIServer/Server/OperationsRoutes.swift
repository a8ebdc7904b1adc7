import Foundation
import Hummingbird

/// `/healthz` (the process answers), `/readyz` (the data directory is usable and the server is not
/// shutting down), `/metrics` (Prometheus text) and `/v1/openapi.json` (the OpenAPI 3.1 document of
/// the API). No authentication: they expose no workspace data.
struct OperationsRoutes {
    let server: TaskledgerServer

    func add(to router: Router<APIRequestContext>) {
        router.get("healthz") { _, _ in Self.json(#"{"status":"ok"}"#) }
        router.get("readyz") { _, _ in
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: server.configuration.dataDirectory, isDirectory: &isDirectory)
            guard exists, isDirectory.boolValue, !server.subscriptions.isShuttingDown else {
                throw Problem(.serviceUnavailable, code: "not-ready", detail: "the data directory is missing or the server is shutting down")
            }
            let open = await server.registry.openWorkspaces
            return Self.json(#"{"status":"ready","openWorkspaces":\#(open.count)}"#)
        }
        router.get("metrics") { _, _ in
            var text = server.metrics.render()
            text += "# HELP taskledger_subscriptions Open event subscriptions.\n# TYPE taskledger_subscriptions gauge\n"
            text += "taskledger_subscriptions \(server.subscriptions.openCount)\n"
            text += "# HELP taskledger_subscription_events_total Events read for subscribers.\n"
            text += "# TYPE taskledger_subscription_events_total counter\n"
            text += "taskledger_subscription_events_total \(server.subscriptions.deliveredCount)\n"
            for hosted in await server.registry.openWorkspaces.sorted(by: { $0.name < $1.name }) {
                text += "taskledger_log_head_position{workspace=\"\(hosted.name)\"} \(hosted.log.head.position)\n"
            }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.get("v1/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: Self.openAPIDocument))
        }
    }

    /// `Sources/APIServer/OpenAPI/openapi.json`, embedded at build time (see Package.swift); a
    /// `ByteBuffer` is copy-on-write, so every answer shares these bytes.
    static let openAPIDocument = ByteBuffer(bytes: PackageResources.openapi_json)

    private static func json(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
