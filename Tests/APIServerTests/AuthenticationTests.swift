import APIServer
import EventLog
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("HTTP: authentication and workspace isolation")
struct AuthenticationTests {
    @Test("no, malformed, unknown, wrong-secret or revoked tokens get 401 with a Bearer challenge")
    func refusedTokens() async throws {
        let harness = try await ServerHarness.make()
        let good = try #require(harness.tokens["dev"])
        let wrongSecret = String(good.dropLast(4)) + "AAAA"
        try await harness.application.test(.router) { client in
            for token in [nil, "not-a-token", "tl_acme.k-nobody.\(String(repeating: "A", count: 43))", wrongSecret, "revoked"] {
                try await client.execute(uri: "/v1/workspaces/acme/events", method: .get, headers: harness.headers(token)) { response in
                    #expect(response.status == .unauthorized, "\(String(describing: token))")
                    #expect(response.headers[.contentType] == "application/problem+json")
                    #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                    #expect(response.json["code"] as? String == "unauthenticated")
                }
            }
        }
        await harness.close()
    }

    @Test("a token of workspace globex sees nothing of acme: 404, as if acme did not exist")
    func isolation() async throws {
        let harness = try await ServerHarness.make()
        try await harness.application.test(.router) { client in
            try await client.execute(uri: "/v1/workspaces/acme/events", method: .get, headers: harness.headers("globex-admin")) { response in
                #expect(response.status == .notFound)
                #expect(!response.text.contains("TokenIssued"))
            }
            try await client.execute(
                uri: "/v1/workspaces/acme/projects/p1/tasks", method: .post, headers: harness.headers("globex-admin"), body: body(#"{"title":"x"}"#)
            ) { response in #expect(response.status == .notFound) }
            try await client.execute(uri: "/v1/workspaces/globex/events", method: .get, headers: harness.headers("globex-admin")) { response in
                #expect(response.status == .ok)
                #expect(!response.text.contains("acme"))
            }
        }
        await harness.close()
    }

    @Test("a token over its request rate gets 429 with Retry-After; other tokens are not affected")
    func rateLimit() async throws {
        // A rate so low that refills cannot matter during the test, however slow the machine: the burst
        // decides. (At 0.01/s, a CI run so loaded that the seven requests took 42 s had refilled 0.42 of a
        // token, and Retry-After said 58.)
        let harness = try await ServerHarness.make(tokenRate: 0.001, tokenBurst: 4)
        try await harness.application.test(.router) { client in
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<6 {
                statuses.append(try await client.execute(uri: "/v1/workspaces/acme/events", method: .get, headers: harness.headers("auditor")).status)
            }
            #expect(statuses.prefix(4).allSatisfy { $0 == .ok }, "the burst passes")
            #expect(statuses.suffix(2).allSatisfy { $0 == .tooManyRequests })
            try await client.execute(uri: "/v1/workspaces/acme/events", method: .get, headers: harness.headers("auditor")) { response in
                #expect((Int(response.headers[.retryAfter] ?? "") ?? 0) >= 60, "a whole token takes 1,000 s at 0.001/s")
                #expect(response.json["code"] as? String == "rate-limited")
                #expect((response.json["detail"] as? String)?.hasSuffix("faster than 0.001/s") == true)
            }
            try await client.execute(uri: "/v1/workspaces/acme/events", method: .get, headers: harness.headers("acme-admin")) {
                #expect($0.status == .ok)
            }
        }
        await harness.close()
    }
}
