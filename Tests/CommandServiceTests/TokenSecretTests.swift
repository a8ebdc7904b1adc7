import CommandService
import Testing

@Suite("API token secrets")
struct TokenSecretTests {
    @Test("a presented token routes to its workspace and token id only when it has the issued shape")
    func routing() {
        let issued = TokenSecret.issue(workspace: "acme", token: "k-7")
        #expect(TokenSecret.route(issued.secret)! == ("acme", "k-7"))
        let secret = String(issued.secret.split(separator: ".").last!)
        #expect(secret.utf8.count == 43)
        #expect(TokenSecret.route("tl_ws.id.\(secret)")! == ("ws", "id"))
        for malformed in [
            "ws.id.\(secret)",  // no prefix
            "tl_.id.\(secret)",  // no workspace
            "tl_ws..\(secret)",  // no token id
            "tl_ws.id",  // no secret
            "tl_ws.id.\(secret.dropLast())",  // a secret one character short
            "tl_ws.id.\(secret)x",  // one too long
            "tl_ws.id.x.\(secret.dropFirst(2))",  // a third dot
            "tl_" + String(repeating: "w", count: 250) + ".id.\(secret)",  // over 256 bytes
            "",
        ] {
            #expect(TokenSecret.route(malformed) == nil, "\(malformed)")
        }
    }

    @Test("issued once with a prefix; only the hash is kept; matching is exact")
    func tokens() {
        let issued = TokenSecret.issue()
        #expect(issued.secret.hasPrefix("tl_") && issued.secret.count == 3 + 43)
        #expect(issued.hash == TokenSecret.hash(of: issued.secret))
        #expect(TokenSecret.matches(issued.secret, hash: issued.hash))
        #expect(!TokenSecret.matches(issued.secret + "x", hash: issued.hash))
        #expect(!TokenSecret.matches(String(issued.secret.dropLast()) + "A", hash: issued.hash) || issued.secret.hasSuffix("A"))
        #expect(!TokenSecret.matches("xx_" + issued.secret.dropFirst(3), hash: issued.hash))
        let other = TokenSecret.issue()
        #expect(other.secret != issued.secret && other.hash != issued.hash)
    }
}
