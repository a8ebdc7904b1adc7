import APIServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@Suite("HTTP: the OpenAPI document")
struct OpenAPIDocumentTests {
    /// The document, as `GET /v1/openapi.json` answers it (no token).
    private func document(_ harness: ServerHarness) async throws -> [String: Any] {
        let bytes = try await harness.application.test(.router) { client in
            let response = try await client.execute(uri: "/v1/openapi.json", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            return Data(response.body.readableBytesView)
        }
        return try #require(try JSONSerialization.jsonObject(with: bytes) as? [String: Any])
    }

    @Test("GET /v1/openapi.json answers an OpenAPI 3.1 document, without a token")
    func served() async throws {
        let harness = try await ServerHarness.make()
        let document = try await document(harness)
        #expect(document["openapi"] as? String == "3.1.0")
        let schemes = (document["components"] as? [String: Any])?["securitySchemes"] as? [String: Any]
        #expect((schemes?["bearerAuth"] as? [String: Any])?["scheme"] as? String == "bearer")
        await harness.close()
    }

    /// The router's own list of routes (Hummingbird's `Router.routes`, read from the routing trie) against
    /// the document's paths: neither can gain a route the other lacks without this test failing.
    @Test("every route the router registers is documented, and every documented operation is a route")
    func routesMatchTheDocument() async throws {
        let harness = try await ServerHarness.make()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let registered = Set(harness.server.router(logger: logger).routes.map { "\($0.method.rawValue) \($0.path.description)" })
        let paths = try #require(try await document(harness)["paths"] as? [String: [String: Any]])
        let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
        var documented = Set<String>()
        for (path, item) in paths {
            for method in item.keys where methods.contains(method) { documented.insert("\(method.uppercased()) \(path)") }
        }
        #expect(registered.count > 20)
        #expect(registered.subtracting(documented).sorted() == [], "routes missing from openapi.json")
        #expect(documented.subtracting(registered).sorted() == [], "documented operations the router does not have")
        await harness.close()
    }

    @Test("workspace routes need the bearer token; operations routes need none")
    func security() async throws {
        let harness = try await ServerHarness.make()
        let paths = try #require(try await document(harness)["paths"] as? [String: [String: [String: Any]]])
        for (path, item) in paths {
            for (method, operation) in item {
                let security = try #require(operation["security"] as? [[String: [String]]], "\(method) \(path)")
                if path.hasPrefix("/v1/workspaces/") {
                    #expect(security == [["bearerAuth": []]], "\(method) \(path)")
                    #expect((operation["responses"] as? [String: Any])?["401"] != nil, "\(method) \(path)")
                } else {
                    #expect(security.isEmpty, "\(method) \(path)")
                }
            }
        }
        await harness.close()
    }
}
