import Foundation
import Testing

@testable import Workflow

@Suite struct RolesTests {
    let grants = GrantTable.defaults

    @Test func adminHoldsEveryPermission() {
        #expect(grants.permissions(workspaceRole: .admin, projectRole: nil) == Set(Permission.allCases))
        #expect(grants.permissions(workspaceRole: .admin, projectRole: .viewer) == Set(Permission.allCases))
    }

    @Test func effectivePermissionsAreTheUnionOfBothRoles() {
        let memberViewer = grants.permissions(workspaceRole: .member, projectRole: .viewer)
        #expect(memberViewer == grants.workspace[.member]!.union(grants.project[.viewer]!))
        #expect(memberViewer.contains(.projectCreate))  // from the workspace role
        #expect(memberViewer.contains(.taskTransitionOwn))  // from the project role
        let guestOutside = grants.permissions(workspaceRole: .guest, projectRole: nil)
        #expect(guestOutside.isEmpty)
    }

    @Test func auditorChangesNothingWhateverTheProjectRole() {
        let auditor = grants.permissions(workspaceRole: .auditor, projectRole: .projectManager)
        #expect(auditor == [.auditRead, .documentRead])
        #expect(auditor.allSatisfy { $0.isReadOnly })
    }

    @Test func broaderPermissionIncludesItsOwnVariant() {
        let member = Actor(member: "m", workspaceRole: .member, projectRole: .member)
        #expect(member.has(.taskUpdateOwn))
        #expect(member.has(.taskTransitionOwn))
        let viewer = Actor(member: "v", workspaceRole: .guest, projectRole: .viewer)
        #expect(viewer.has(.taskUpdateOwn))
        #expect(!viewer.has(.taskUpdate))
    }

    @Test func ownVariantAllowsOnlyOwnThings() {
        let viewer = Actor(member: "v", workspaceRole: .guest, projectRole: .viewer)
        #expect(refusal { try viewer.require(.taskUpdate, orOwn: .taskUpdateOwn, isOwn: true) } == nil)
        #expect(throws: DomainError.missingPermission(.taskUpdate)) {
            try viewer.require(.taskUpdate, orOwn: .taskUpdateOwn, isOwn: false)
        }
    }

    @Test func resolveRefusesRemovedMembers() throws {
        var world = Fixture.world()
        #expect(refusal { _ = try world.actor("outsider") } == nil)
        try world.workspace(.removeMember("outsider"), by: "admin")
        #expect(refusal { _ = try world.actor("outsider") } == "not-found")
        #expect(refusal { _ = try world.actor("nobody") } == "not-found")
    }

    @Test func resolveTakesTheRoleInTheProjectAtHand() throws {
        let world = Fixture.world()
        let inProject = try world.actor("dev", project: "p1")
        #expect(inProject.projectRole == .member)
        #expect(inProject.has(.taskCreate))
        let outside = try world.actor("outsider", project: "p1")
        #expect(outside.projectRole == nil)
        #expect(!outside.has(.taskCreate))
    }

    /// docs/permissions.md is generated from `GrantTable.defaults`; this keeps it current.
    /// `TASKLEDGER_WRITE_DOCS=1 swift test --filter WorkflowTests` rewrites it.
    @Test func permissionsDocumentIsCurrent() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/permissions.md").path
        let rendered = GrantTable.defaults.markdownDocument()
        if ProcessInfo.processInfo.environment["TASKLEDGER_WRITE_DOCS"] == "1" {
            try rendered.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let onDisk = try String(contentsOfFile: path, encoding: .utf8)
        #expect(onDisk == rendered, "docs/permissions.md is stale: run TASKLEDGER_WRITE_DOCS=1 swift test --filter WorkflowTests")
    }

    @Test func documentListsEveryPermissionAndRole() {
        let document = GrantTable.defaults.markdownDocument()
        for permission in Permission.allCases { #expect(document.contains("`\(permission.rawValue)`")) }
        for role in WorkspaceRole.allCases { #expect(document.contains("workspace `\(role.rawValue)`")) }
        for role in ProjectRole.allCases { #expect(document.contains("project `\(role.rawValue)`")) }
    }
}
