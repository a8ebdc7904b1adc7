import Testing

@testable import Workflow

@Suite struct WorkspaceTests {
    @Test func founderCreatesTheWorkspaceAsAdmin() throws {
        let world = Fixture.world()
        let workspace = try #require(world.workspace)
        #expect(workspace.members["admin"]?.role == .admin)
        #expect(workspace.members.count == Fixture.members.count)
        #expect(world.streams[.workspace]?.first?.type == "WorkspaceCreated")
    }

    @Test func onlyTheFounderCreatesAndOnlyOnce() {
        var world = World()
        let new = NewWorkspace(id: "w", slug: "w", name: "W", founder: NewMember(id: "a", displayName: "A", email: "a@w.test"))
        #expect(refusal { try world.workspace(.create(new), by: "someone-else") } == "missing-permission")
        #expect(refusal { try world.workspace(.create(new), by: "a") } == nil)
        #expect(refusal { try world.workspace(.create(new), by: "a") } == "already-exists")
    }

    @Test func createValidatesSlugAndTimeZone() {
        var world = World()
        let founder = NewMember(id: "a", displayName: "A", email: "a@w.test")
        #expect(
            refusal { try world.workspace(.create(NewWorkspace(id: "w", slug: "Not A Slug", name: "W", founder: founder)), by: "a") }
                == "validation-failed")
        #expect(
            refusal {
                try world.workspace(.create(NewWorkspace(id: "w", slug: "w", name: "W", timeZone: "Mars Time", founder: founder)), by: "a")
            } == "validation-failed")
    }

    @Test func addingMembersNeedsMemberManage() {
        var world = Fixture.world()
        let new = NewMember(id: "new", displayName: "New", email: "new@acme.test")
        #expect(refusal { try world.workspace(.addMember(new), by: "pm") } == "missing-permission")
        #expect(refusal { try world.workspace(.addMember(new), by: "auditor") } == "missing-permission")
        #expect(refusal { try world.workspace(.addMember(new), by: "admin") } == nil)
        #expect(world.workspace?.members["new"]?.role == .member)
    }

    @Test func memberIdsAndEmailsAreUnique() {
        var world = Fixture.world()
        #expect(
            refusal { try world.workspace(.addMember(NewMember(id: "dev", displayName: "X", email: "x@acme.test")), by: "admin") }
                == "already-exists")
        // Emails compare without case.
        #expect(
            refusal { try world.workspace(.addMember(NewMember(id: "x", displayName: "X", email: "DEV@acme.test")), by: "admin") }
                == "already-exists")
        #expect(
            refusal { try world.workspace(.addMember(NewMember(id: "x", displayName: "X", email: "not-an-email")), by: "admin") }
                == "validation-failed")
        #expect(
            refusal { try world.workspace(.addMember(NewMember(id: "bad id!", displayName: "X", email: "x@acme.test")), by: "admin") }
                == "validation-failed")
    }

    @Test func theLastAdminStays() throws {
        var world = Fixture.world()
        #expect(refusal { try world.workspace(.removeMember("admin"), by: "admin") } == "last-admin")
        #expect(refusal { try world.workspace(.changeMemberRole("admin", to: .member), by: "admin") } == "last-admin")
        try world.workspace(.changeMemberRole("pm", to: .admin), by: "admin")
        #expect(refusal { try world.workspace(.changeMemberRole("admin", to: .member), by: "admin") } == nil)
        #expect(refusal { try world.workspace(.removeMember("pm"), by: "pm") } == "last-admin")
    }

    @Test func removedMembersCanNoLongerAct() throws {
        var world = Fixture.world()
        try world.workspace(.removeMember("dev"), by: "admin")
        #expect(world.workspace?.members["dev"]?.status == .removed)
        #expect(refusal { try world.task("t1", .create(NewTask(title: "x")), by: "dev") } == "not-found")
        #expect(refusal { try world.workspace(.removeMember("dev"), by: "admin") } == "not-found")
    }

    @Test func settingsChangesCarryFieldChanges() throws {
        var world = Fixture.world()
        let events = try world.workspace(.changeSettings(name: .set("Acme Corp")), by: "admin")
        guard case .workspaceSettingsChanged(let changed) = events.first?.body else {
            Issue.record("expected WorkspaceSettingsChanged")
            return
        }
        #expect(changed.changes == [FieldChange(field: "name", from: .text("Acme"), to: .text("Acme Corp"))])
        #expect(try world.workspace(.changeSettings(name: .set("Acme Corp")), by: "admin").isEmpty)
        #expect(refusal { try world.workspace(.changeSettings(name: .set("X")), by: "dev") } == "missing-permission")
    }

    @Test func expectedVersionIsChecked() throws {
        var world = Fixture.world()
        let version = try #require(world.workspace?.version)
        #expect(refusal { try world.workspace(.changeSettings(name: .set("A")), by: "admin", expectedVersion: version - 1) } == "version-conflict")
        #expect(refusal { try world.workspace(.changeSettings(name: .set("A")), by: "admin", expectedVersion: version) } == nil)
        #expect(world.workspace?.version == version + 1)
    }
}
