@testable import Workflow

/// The standard test workspace:
///
/// | member | workspace role | role in project p1 (`OPS`) |
/// |---|---|---|
/// | admin | admin | — |
/// | pm | member | project_manager (created p1) |
/// | dev, dev2, qa | member | member |
/// | viewer | guest | viewer |
/// | auditor | auditor | member (the role cannot give an auditor a change) |
/// | outsider | member | — |
///
/// Project p1 defines the labels `bug`, `ops` and `ui`.
///
/// Workflow `wf` version 1, enforced:
///
/// backlog (initial) → todo → doing (WIP 2) → review (read-only) → done, and canceled;
/// - `plan` backlog→todo; `start` todo→doing needs an estimate; `back` doing→todo;
/// - `submit` doing→review: assignee only;
/// - `accept` review→done: approval by a project manager or qa (any), rejection moves back to doing,
///   expires after a day;
/// - `fasttrack` todo→done: approval, quorum of 2 among pm, qa, dev2, no self-approval;
/// - `reopen` done→todo: project managers only; `cancel` *→canceled: project managers or dev2;
/// - `revive` canceled→backlog: the author only.
enum Fixture {
    static let members: [MemberID] = ["admin", "pm", "dev", "dev2", "qa", "viewer", "auditor", "outsider"]
    /// The labels p1 defines.
    static let labels = ["bug", "ops", "ui"]

    static var definition: WorkflowDefinition { definition(doingLimit: 2) }

    static func definition(doingLimit: Int) -> WorkflowDefinition {
        WorkflowDefinition(
            mode: .enforced,
            states: [
                StateDefinition(id: "backlog", name: "Backlog", category: .backlog, position: 0, isInitial: true),
                StateDefinition(id: "todo", name: "To do", category: .unstarted, position: 1),
                StateDefinition(id: "doing", name: "Doing", category: .started, position: 2, wipLimit: doingLimit),
                StateDefinition(id: "review", name: "In review", category: .started, position: 3, isReadOnly: true),
                StateDefinition(id: "done", name: "Done", category: .completed, position: 4),
                StateDefinition(id: "canceled", name: "Canceled", category: .canceled, position: 5),
            ],
            transitions: [
                TransitionDefinition(id: "plan", from: .state("backlog"), to: "todo"),
                TransitionDefinition(id: "start", from: .state("todo"), to: "doing", requiredFields: [.estimate]),
                TransitionDefinition(id: "back", from: .state("doing"), to: "todo"),
                TransitionDefinition(id: "submit", from: .state("doing"), to: "review", actorRule: .assignee),
                TransitionDefinition(
                    id: "accept", from: .state("review"), to: "done",
                    approval: ApprovalPolicy(
                        approverRoles: [.projectManager], approverMembers: ["qa"], mode: .any, stateOnReject: "doing",
                        expiresAfterSeconds: 86_400)),
                TransitionDefinition(
                    id: "fasttrack", from: .state("todo"), to: "done",
                    approval: ApprovalPolicy(approverMembers: ["pm", "qa", "dev2"], mode: .quorum(2))),
                TransitionDefinition(id: "reopen", from: .state("done"), to: "todo", allowedRoles: [.projectManager]),
                TransitionDefinition(id: "cancel", from: .any, to: "canceled", allowedRoles: [.projectManager], allowedMembers: ["dev2"]),
                TransitionDefinition(id: "revive", from: .state("canceled"), to: "backlog", actorRule: .author),
            ])
    }

    /// The standard world, built through commands (so it also exercises the happy paths).
    static func world(wip: WIPEnforcement = .hard, doingLimit: Int = 2) -> World {
        var world = World()
        do {
            try world.workspace(
                .create(
                    NewWorkspace(
                        id: "acme", slug: "acme", name: "Acme", timeZone: "Europe/Berlin",
                        founder: NewMember(id: "admin", displayName: "Ada Admin", email: "ada@acme.test"))), by: "admin")
            let roles: [(MemberID, WorkspaceRole)] = [
                ("pm", .member), ("dev", .member), ("dev2", .member), ("qa", .member), ("viewer", .guest), ("auditor", .auditor),
                ("outsider", .member),
            ]
            for (id, role) in roles {
                try world.workspace(
                    .addMember(NewMember(id: id, displayName: "Name of \(id)", email: "\(id)@acme.test", role: role)), by: "admin")
            }
            try world.workflow("wf", .create(name: "Delivery", definition: definition(doingLimit: doingLimit)), by: "admin")
            try world.project(
                "p1", .create(NewProject(key: "OPS", name: "Operations", workflow: WorkflowPin(workflow: "wf", version: 1), wipEnforcement: wip)),
                by: "pm")
            for (id, role) in [("dev", ProjectRole.member), ("dev2", .member), ("qa", .member), ("viewer", .viewer), ("auditor", .member)] {
                try world.project("p1", .addMember(MemberID(id), role: role), by: "pm")
            }
            for label in labels { try world.project("p1", .createLabel(name: label, color: "#4477aa"), by: "pm") }
        } catch {
            fatalError("fixture: \(error)")
        }
        return world
    }

    /// A task created by `author`, moved along `path` by `mover` (estimates and assignees set as needed).
    static func task(
        _ id: TaskID, in world: inout World, author: MemberID = "dev", assignees: [MemberID] = ["dev"], path: [StateID] = []
    ) throws(DomainError) {
        try world.task(id, .create(NewTask(title: "Task \(id)", assignees: assignees, estimate: Estimate(amount: 3, unit: .points))), by: author)
        for state in path {
            try world.task(id, .move(to: state), by: assignees.first ?? author)
        }
    }
}
