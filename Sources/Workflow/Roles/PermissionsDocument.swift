extension GrantTable {
    /// The Markdown page `docs/permissions.md`: the table of roles × permissions and the rules that
    /// combine them. Generated here so the page cannot drift from the code (a test compares them;
    /// `TASKLEDGER_WRITE_DOCS=1 swift test --filter WorkflowTests` rewrites the page).
    public func markdownDocument() -> String {
        var lines: [String] = [
            "# Permissions",
            "",
            "<!-- Generated from `GrantTable.defaults` (Sources/Workflow/Roles/DefaultGrants.swift); a test checks",
            "     that this page is current. Regenerate: TASKLEDGER_WRITE_DOCS=1 swift test --filter WorkflowTests -->",
            "",
            "A member's **effective permissions** are the union of what their workspace role grants and what their",
            "role in the project at hand grants. Two rules sit on top:",
            "",
            "- `admin` implies every permission, in every project, whatever the table says.",
            "- `auditor` reads everything and changes nothing: only read-only permissions (`audit.read`,",
            "  `document.read`) survive, even if a project role would add more.",
            "",
            "An `own` variant allows the action only on the actor's own things: tasks they authored or are assigned",
            "to, comments they wrote, documents they uploaded. The broader permission (`task.update`,",
            "`task.transition`) includes its `own` variant. Deleting your own comment needs `comment.update.own`;",
            "deleting anyone's needs `comment.delete.any`. A document is removed by its uploader (with",
            "`document.delete.own`) or an admin.",
            "",
            "Tokens belong to the workspace: issuing one needs `token.manage` without a project role, so by",
            "default only admins issue them; every member but an auditor may revoke their own tokens (whoever",
            "holds a credential must be able to kill it; an auditor changes nothing, so an admin revokes theirs).",
            "Archiving a task needs `task.delete`; re-parenting it and",
            "putting it into a milestone need `task.update` (or `.own`); labels are project settings",
            "(`project.update`); migrating a project's tasks to another workflow version needs `workflow.manage`.",
            "",
            "Workflows belong to the workspace: creating one or publishing a version needs `workflow.manage`",
            "without a project role, so by default only admins design workflows; a project manager's",
            "`workflow.manage` lets them pin the version their project's new tasks use.",
            "",
            "`approval.decide` says that a member can be an approver; the transition's approval policy says who",
            "is one (by role or by name). Transitions can narrow a move further: allowed roles and members, an",
            "actor rule (assignee or author), required fields. A workspace admin passes the who-may-move checks",
            "but not the what-must-hold ones (required fields, WIP limits, pending approvals, self-approval).",
            "",
            "The same check runs on every path that changes state: a single update, a board drag, a bulk update",
            "and an import all go through the domain's `decide`.",
            "",
            "✓ granted by the role; (✓) included in a broader permission the role grants.",
            "",
        ]
        let workspaceRoles = WorkspaceRole.allCases
        let projectRoles = ProjectRole.allCases
        let header =
            ["permission"] + workspaceRoles.map { "workspace `\($0.rawValue)`" } + projectRoles.map { "project `\($0.rawValue)`" }
        lines.append("| " + header.joined(separator: " | ") + " |")
        lines.append("|" + header.map { _ in "---" }.joined(separator: "|") + "|")
        for permission in Permission.allCases {
            var row = ["`\(permission.rawValue)`"]
            for role in workspaceRoles {
                row.append(mark(permission, in: permissions(workspaceRole: role, projectRole: nil)))
            }
            for role in projectRoles {
                row.append(mark(permission, in: project[role, default: []]))
            }
            lines.append("| " + row.joined(separator: " | ") + " |")
        }
        lines.append("")
        return lines.joined(separator: "\n")
    }

    private func mark(_ permission: Permission, in granted: Set<Permission>) -> String {
        if granted.contains(permission) { return "✓" }
        if let broader = permission.broader, granted.contains(broader) { return "(✓)" }
        return ""
    }
}
