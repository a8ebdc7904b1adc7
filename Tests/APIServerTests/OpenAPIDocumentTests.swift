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

    /// The server refuses unknown members (JSONBody.finish), so every object a JSON request body can
    /// hold must say so, or generated clients and schemathesis would believe extra members are fine.
    @Test("every object schema a JSON request body reaches has additionalProperties: false")
    func strictRequestBodies() async throws {
        let harness = try await ServerHarness.make()
        let document = try await document(harness)
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
        var visited = Set<String>()
        var loose: [String] = []
        func visit(_ value: Any, at path: String) {
            if let array = value as? [Any] {
                for (index, element) in array.enumerated() { visit(element, at: "\(path)[\(index)]") }
                return
            }
            guard let object = value as? [String: Any] else { return }
            if let reference = object["$ref"] as? String {
                let name = String(reference.split(separator: "/").last ?? "")
                if visited.insert(name).inserted, let schema = schemas[name] { visit(schema, at: name) }
                return
            }
            if object["properties"] != nil, object["additionalProperties"] as? Bool != false { loose.append(path) }
            // `if` is a condition on the object, not an object schema of its own.
            for (key, member) in object where key != "if" { visit(member, at: "\(path).\(key)") }
        }
        let paths = try #require(document["paths"] as? [String: [String: [String: Any]]])
        var bodies = 0
        for (path, item) in paths {
            for (method, operation) in item {
                let content = (operation["requestBody"] as? [String: Any])?["content"] as? [String: Any]
                guard let json = content?["application/json"] else { continue }
                bodies += 1
                visit(json, at: "\(method) \(path)")
            }
        }
        #expect(bodies > 20)
        #expect(loose == [])
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
