import APIServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import Workflow

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
        let routes = Set(harness.server.router(logger: logger).routes.map { "\($0.method.rawValue) \($0.path.description)" })
        // HEAD is implicit wherever GET is (RFC 9110; the document lists GET), and nowhere else.
        let heads = routes.filter { $0.hasPrefix("HEAD ") }
        #expect(Set(heads.map { "GET " + $0.dropFirst(5) }) == routes.filter { $0.hasPrefix("GET ") })
        let registered = routes.subtracting(heads)
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
            // `if`, `not` and `contains` are conditions on the object or array, not object schemas of their own.
            for (key, member) in object where !["if", "not", "contains"].contains(key) { visit(member, at: "\(path).\(key)") }
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

    // MARK: Request constraints and the domain's

    /// The object at `path` (slash-separated keys from `components/schemas`) of the document.
    private func schema(_ document: [String: Any], _ path: String) -> [String: Any]? {
        var value: Any? = (document["components"] as? [String: Any])?["schemas"]
        for key in path.split(separator: "/") { value = (value as? [String: Any])?[String(key)] }
        return value as? [String: Any]
    }

    /// The schema of the query parameter `name` of `method path`.
    private func queryParameter(_ document: [String: Any], _ method: String, _ path: String, _ name: String) -> [String: Any]? {
        let operation = ((document["paths"] as? [String: Any])?[path] as? [String: Any])?[method] as? [String: Any]
        let parameters = operation?["parameters"] as? [[String: Any]] ?? []
        return parameters.first { $0["name"] as? String == name && $0["in"] as? String == "query" }?["schema"] as? [String: Any]
    }

    /// Text limits count UTF-8 bytes (Limits.swift) and `maxLength` counts characters: the document gives the
    /// byte limit as `maxLength`, an upper bound. Each limit here is the one the domain checks that field with.
    @Test("the documented lengths, counts and ranges of request fields are Limits.standard's")
    func limitsMatchTheDomain() async throws {
        let harness = try await ServerHarness.make()
        let document = try await document(harness)
        let limits = Limits.standard
        let texts: [(String, Int)] = [
            ("NewMember/properties/displayName", limits.nameBytesMax), ("NewToken/properties/name", limits.nameBytesMax),
            ("WorkspaceChange/properties/name", limits.nameBytesMax), ("NewWorkflow/properties/name", limits.nameBytesMax),
            ("StateDefinition/properties/name", limits.nameBytesMax), ("NewProject/properties/name", limits.nameBytesMax),
            ("NewProject/properties/description", limits.descriptionBytesMax), ("ProjectChange/properties/name", limits.nameBytesMax),
            ("ProjectChange/properties/description", limits.descriptionBytesMax), ("NewLabel/properties/name", limits.labelBytesMax),
            ("NewLabel/properties/description", limits.reasonBytesMax), ("LabelChange/properties/description", limits.reasonBytesMax),
            ("NewMilestone/properties/name", limits.nameBytesMax), ("MilestoneUpdate/properties/name", limits.nameBytesMax),
            ("NewTask/properties/title", limits.titleBytesMax), ("NewTask/properties/description", limits.descriptionBytesMax),
            ("NewTask/properties/labels/items", limits.labelBytesMax), ("TaskChange/properties/title", limits.titleBytesMax),
            ("TaskChange/properties/description", limits.descriptionBytesMax), ("TaskChange/properties/labels/items", limits.labelBytesMax),
            ("Move/properties/reason", limits.reasonBytesMax), ("NewComment/properties/body", limits.commentBytesMax),
            ("CommentEdit/properties/body", limits.commentBytesMax), ("Decision/properties/comment", limits.reasonBytesMax),
            ("ApprovalCancel/properties/reason", limits.reasonBytesMax), ("NewReminderRule/properties/name", limits.nameBytesMax),
            ("NewReminderRule/properties/channel", limits.labelBytesMax), ("ReminderRuleChange/properties/name", limits.nameBytesMax),
            ("ReminderRuleChange/properties/channel", limits.labelBytesMax),
        ]
        for (path, limit) in texts { #expect(schema(document, path)?["maxLength"] as? Int == limit, "\(path)") }
        let uploads = "/v1/workspaces/{ws}/projects/{project}/documents"
        #expect(queryParameter(document, "post", uploads, "title")?["maxLength"] as? Int == limits.titleBytesMax)
        #expect(queryParameter(document, "post", uploads, "fileName")?["maxLength"] as? Int == limits.nameBytesMax)

        // Roles and members a rule names count together; ProjectRole's cases leave the rest to members.
        let members = limits.namedActorsPerRuleMax - ProjectRole.allCases.count
        // A reminder rule's filter lists and recipient members count together: each list gets a quarter.
        let reminderLists = limits.namedActorsPerRuleMax / 4
        let counts: [(String, String, Int)] = [
            ("NewTask/properties/assignees", "maxItems", limits.assigneesPerTaskMax),
            ("NewTask/properties/labels", "maxItems", limits.labelsPerTaskMax), ("TaskChange/properties/labels", "maxItems", limits.labelsPerTaskMax),
            ("WorkflowDefinition/properties/states", "maxItems", limits.statesPerWorkflowMax),
            ("WorkflowDefinition/properties/transitions", "maxItems", limits.transitionsPerWorkflowMax),
            ("StateDefinition/properties/wipLimit", "maximum", limits.wipLimitMax),
            ("ApprovalPolicy/properties/expiresAfterSeconds", "maximum", Int(limits.approvalExpirySecondsMax)),
            ("TransitionDefinition/properties/allowedMembers", "maxItems", members),
            ("ApprovalPolicy/properties/approverMembers", "maxItems", members),
            ("ReminderFilter/properties/projects", "maxItems", reminderLists), ("ReminderFilter/properties/priorities", "maxItems", reminderLists),
            ("ReminderFilter/properties/labels", "maxItems", reminderLists), ("ReminderRecipients/properties/members", "maxItems", reminderLists),
        ]
        for (path, keyword, limit) in counts { #expect(schema(document, path)?[keyword] as? Int == limit, "\(path) \(keyword)") }
        let triggers = try #require(schema(document, "ReminderTrigger")?["oneOf"] as? [[String: Any]])
        var delays = 0
        for trigger in triggers {
            for kind in (trigger["properties"] as? [String: Any] ?? [:]).values {
                guard let seconds = ((kind as? [String: Any])?["properties"] as? [String: Any])?["seconds"] as? [String: Any] else { continue }
                #expect(seconds["maximum"] as? Int == Int(limits.reminderDelaySecondsMax))
                delays += 1
            }
        }
        #expect(delays == 4)
        #expect((schema(document, "Id")?["pattern"] as? String)?.contains("{0,\(limits.idBytesMax - 1)}") == true)
        #expect((schema(document, "NewTask/properties/rank")?["pattern"] as? String)?.contains("{1,\(limits.rankBytesMax)}") == true)
        #expect((schema(document, "NewTask/properties/estimate")?["pattern"] as? String)?.contains("|\(limits.estimateAmountMax))") == true)
        let lifetime = "\(limits.tokenLifetimeSecondsMax / 86_400) days"
        #expect((schema(document, "NewToken/properties/expiresAt")?["description"] as? String)?.contains(lifetime) == true)
        await harness.close()
    }

    /// Every string of up to three characters from an alphabet of the edge cases (white space that is and
    /// is not a control character, controls, U+2028, U+FEFF, `.`, `/`, …) against the domain's own checks.
    @Test("the documented text patterns accept exactly what the domain's checks accept")
    func textPatternsMatchTheDomain() async throws {
        let harness = try await ServerHarness.make()
        let document = try await document(harness)
        let limits = Limits.standard
        let alphabet = [
            "a", " ", "\t", "\n", "\r", "\u{0}", "\u{1F}", "\u{7F}", "\u{85}", "\u{A0}", "\u{2028}", "\u{3000}", "\u{FEFF}", ".", "/", "é",
        ]
        var samples = [""]
        var layer = [""]
        for _ in 1...3 {
            layer = layer.flatMap { prefix in alphabet.map { prefix + $0 } }
            samples += layer
        }
        func accepts(_ schema: [String: Any]?, _ text: String) throws -> Bool {
            let schema = try #require(schema)
            let regex = try NSRegularExpression(pattern: try #require(schema["pattern"] as? String))
            let whole = NSRange(text.startIndex..., in: text)
            let length = text.unicodeScalars.count
            return regex.firstMatch(in: text, range: whole)?.range == whole && length >= schema["minLength"] as? Int ?? 0
                && length <= schema["maxLength"] as? Int ?? .max
        }
        let file = { (name: String) in
            DocumentFile(fileName: name, contentType: "text/plain", sizeBytes: 1, sha256: String(repeating: "0", count: 64))
        }
        let checks: [(String, [String: Any]?, (String) -> Bool)] = [
            (
                "one line", schema(document, "NewTask/properties/title"),
                { (try? Text.singleLine($0, field: "title", bytesMax: limits.titleBytesMax)) != nil }
            ),
            (
                "lines", schema(document, "NewTask/properties/description"),
                { (try? Text.multiLine($0, field: "description", bytesMax: limits.descriptionBytesMax)) != nil }
            ),
            (
                "lines, not blank", schema(document, "NewComment/properties/body"),
                {
                    (try? Text.multiLine($0, field: "body", bytesMax: limits.commentBytesMax, allowEmpty: false)) != nil
                }
            ),
            (
                "file name", queryParameter(document, "post", "/v1/workspaces/{ws}/projects/{project}/documents", "fileName"),
                {
                    (try? DocumentDecider.validFile(file($0), limits: limits)) != nil
                }
            ),
            (
                "label", schema(document, "NewLabel/properties/name"),
                { (try? Text.singleLine($0, field: "label", bytesMax: limits.labelBytesMax)) != nil }
            ),
            ("id", schema(document, "Id"), { (try? TaskID($0).validated(limits: limits)) != nil }),
        ]
        for (name, documented, domain) in checks {
            var disagreements: [String] = []
            for sample in samples {
                if try accepts(documented, sample) != domain(sample) { disagreements.append(sample.debugDescription) }
            }
            #expect(disagreements == [], "\(name)")
        }
        for length in [63, 64, 65] {
            for text in ["a", ".", "-"].map({ String(repeating: $0, count: length) }) + [".." + String(repeating: "a", count: length - 2)] {
                #expect(
                    try accepts(schema(document, "Id"), text) == ((try? TaskID(text).validated(limits: limits)) != nil), "\(text)")
            }
        }
        // Shapes the domain parses: what the document allows, the domain takes (it also takes a few spellings the
        // document leaves out, such as `+3pt`).
        let estimates = ["0pt", "3pt", "5h", "10000h", "0010000pt", "10001h", "+3pt", "3", "pt", "3ph", "99999999999999999999pt"]
        for text in estimates {
            guard try accepts(schema(document, "NewTask/properties/estimate"), text) else { continue }
            #expect(Estimate(text).map { $0.amount <= limits.estimateAmountMax } == true, "\(text)")
        }
        let ranks = ["a0", "A", "0", String(repeating: "z", count: 64), String(repeating: "z", count: 65), "a-b", ""]
        for text in ranks {
            #expect(
                try accepts(schema(document, "NewTask/properties/rank"), text) == ((try? TaskDecider.validRank(text, limits: limits)) != nil),
                "\(text)")
        }
        // The pattern bounds year, month and day; `format: date` adds the month's length (no 2026-02-30).
        let dates = ["2026-11-27", "2024-02-29", "0001-01-01", "9999-12-31", "0000-01-01", "2026-13-01", "2026-00-10", "2026-01-32", "26-01-01"]
        for text in dates {
            guard try accepts(schema(document, "NewTask/properties/dueDate"), text) else { continue }
            #expect(CalendarDate(iso: text) != nil, "\(text)")
        }
        await harness.close()
    }
}
