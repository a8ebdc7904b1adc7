import Testing

@testable import Workflow

@Suite struct TokenTests {
    static let hash = String(repeating: "0f", count: 32)

    @Test func issuingNeedsTokenManageAndRecordsOnlyTheHash() throws {
        var world = Fixture.world()
        let new = NewToken(member: "dev", name: "CI deploys", secretHash: Self.hash.uppercased(), expiresAt: world.now.adding(seconds: 3_600))
        #expect(refusal { try world.token("k1", .issue(new), by: "pm") } == "missing-permission")
        #expect(refusal { try world.token("k1", .issue(new), by: "auditor") } == "missing-permission")
        let events = try world.token("k1", .issue(new), by: "admin")
        #expect(events.map(\.stream) == [.token("k1")])
        let token = try #require(world.tokens["k1"])
        #expect(token.secretHash == Self.hash && token.member == "dev" && token.status == .active)
        #expect(token.isUsable(at: world.now))
        #expect(!token.isUsable(at: world.now.adding(seconds: 3_600)))
        #expect(refusal { try world.token("k1", .issue(new), by: "admin") } == "already-exists")
    }

    @Test func issuingValidatesInput() throws {
        var world = Fixture.world()
        let valid = NewToken(member: "dev", name: "CI", secretHash: Self.hash)
        var new = valid
        new.secretHash = "not-a-hash"
        #expect(refusal { try world.token("k1", .issue(new), by: "admin") } == "validation-failed")
        new = valid
        new.member = "ghost"
        #expect(refusal { try world.token("k1", .issue(new), by: "admin") } == "not-found")
        new = valid
        new.expiresAt = world.now
        #expect(refusal { try world.token("k1", .issue(new), by: "admin") } == "validation-failed")
        new.expiresAt = world.now.adding(seconds: world.limits.tokenLifetimeSecondsMax + 1)
        #expect(refusal { try world.token("k1", .issue(new), by: "admin") } == "validation-failed")
        #expect(refusal { try world.token("k1", .issue(valid), by: "admin") } == nil)
        #expect(world.tokens["k1"]?.expiresAt == nil)
    }

    @Test func ownersAndTokenManagersRevoke() throws {
        var world = Fixture.world()
        try world.token("k1", .issue(NewToken(member: "dev", name: "CI", secretHash: Self.hash)), by: "admin")
        try world.token("k2", .issue(NewToken(member: "dev", name: "Laptop", secretHash: Self.hash)), by: "admin")
        #expect(refusal { try world.token("k1", .revoke(), by: "dev2") } == "missing-permission")
        #expect(refusal { try world.token("k1", .revoke(reason: "leaked"), by: "dev") } == nil)
        #expect(world.tokens["k1"]?.status == .revoked)
        #expect(world.tokens["k1"]?.isUsable(at: world.now) == false)
        #expect(try world.token("k1", .revoke(), by: "dev").isEmpty)
        #expect(refusal { try world.token("k2", .revoke(), by: "admin") } == nil)
        #expect(refusal { try world.token("k9", .revoke(), by: "admin") } == "not-found")
    }

    @Test func auditorsChangeNothingNotEvenTheirOwnTokens() throws {
        var world = Fixture.world()
        try world.token("k1", .issue(NewToken(member: "auditor", name: "Exports", secretHash: Self.hash)), by: "admin")
        #expect(refusal { try world.token("k1", .revoke(), by: "auditor") } == "missing-permission")
        #expect(refusal { try world.token("k1", .revoke(), by: "admin") } == nil)
    }

    @Test func accessDeniedRecordsMissingPermissionRefusalsOnly() throws {
        var world = Fixture.world()
        let denied = DomainError.missingPermission(.projectArchive)
        let event = try #require(
            AccessDenied.record(denied, member: "dev", token: "k1", stream: .project("p1"), command: "ProjectCommand.archive", at: world.now))
        #expect(event.stream == .security)
        #expect(event.at == world.now)
        guard case .accessDenied(let payload) = event.body else {
            Issue.record("expected AccessDenied")
            return
        }
        #expect(payload.memberID == "dev" && payload.tokenID == "k1" && payload.permission == .projectArchive)
        #expect(payload.stream == "project-p1" && payload.command == "ProjectCommand.archive")
        #expect(
            AccessDenied.record(.notFound(kind: "task", id: "t1"), member: "dev", token: nil, stream: .task("t1"), command: "x", at: world.now) == nil
        )
        world.apply([event])
        #expect(world.streams[.security]?.count == 1)
    }
}
