import Workflow

/// The fixed cast and structure of a generated company: who works there, with which role, on which
/// projects, under which workflows. Everything here is data; `WorkspaceSimulation` issues it as commands.
enum DemoCompany {
    struct Person {
        var id: MemberID
        var name: String
        var role: WorkspaceRole
        var kind: MemberKind = .user
    }

    struct Project {
        var id: ProjectID
        var key: String
        var name: String
        var workflow: WorkflowID
        var wipEnforcement: WIPEnforcement
        var hasSprints: Bool
    }

    /// The named people every demo workspace has, one per workspace role, plus a service account. The
    /// README's tour uses them (`ada` the admin, `lin` a developer, `audra` the auditor).
    static let founders: [Person] = [
        Person(id: "ada", name: "Ada Admin", role: .admin),
        Person(id: "lin", name: "Lin Developer", role: .member),
        Person(id: "audra", name: "Audra Auditor", role: .auditor),
        Person(id: "gus", name: "Gus Guest", role: .guest),
        Person(id: "ci-bot", name: "CI Bot", role: .member, kind: .service),
    ]

    static let firstNames = [
        "Maya", "Omar", "Priya", "Jonas", "Elena", "Kofi", "Sven", "Aiko", "Luis", "Nadia", "Tariq", "Freya", "Mateo",
        "Ines", "Ravi", "Chloe", "Yusuf", "Hana", "Bruno", "Zara", "Kenji", "Lea", "Diego", "Amara",
    ]
    static let lastNames = [
        "Novak", "Okafor", "Sato", "Berg", "Costa", "Haddad", "Ivanova", "Kim", "Larsen", "Mendes", "Nair", "Olsen",
        "Petrov", "Quinn", "Rossi", "Silva", "Tanaka", "Umar", "Varga", "Weber",
    ]

    static let projects: [Project] = [
        Project(id: "ops", key: "OPS", name: "Operations", workflow: "delivery", wipEnforcement: .hard, hasSprints: false),
        Project(id: "web", key: "WEB", name: "Website", workflow: "kanban", wipEnforcement: .soft, hasSprints: true),
        Project(id: "sup", key: "SUP", name: "Customer Support", workflow: "support", wipEnforcement: .soft, hasSprints: false),
        Project(id: "mob", key: "MOB", name: "Mobile App", workflow: "kanban", wipEnforcement: .soft, hasSprints: true),
        Project(id: "data", key: "DATA", name: "Data Platform", workflow: "delivery", wipEnforcement: .soft, hasSprints: false),
    ]

    /// Enforced, with a project manager's approval before Done (rejected work goes back to Doing; an
    /// unanswered request expires after five days) and a WIP limit of 3 on Doing. Same shape as the
    /// workflow `make run` used to create by hand, so the README's tour reads the same.
    static let delivery = WorkflowDefinition(
        mode: .enforced,
        states: [
            StateDefinition(id: "todo", name: "To do", category: .unstarted, position: 0, isInitial: true),
            StateDefinition(id: "doing", name: "Doing", category: .started, position: 1, wipLimit: 3),
            StateDefinition(id: "review", name: "In review", category: .started, position: 2),
            StateDefinition(id: "done", name: "Done", category: .completed, position: 3),
        ],
        transitions: [
            TransitionDefinition(id: "start", from: .state("todo"), to: "doing"),
            TransitionDefinition(id: "submit", from: .state("doing"), to: "review"),
            TransitionDefinition(id: "back", from: .any, to: "todo"),
            TransitionDefinition(
                id: "accept", from: .state("review"), to: "done",
                approval: ApprovalPolicy(
                    approverRoles: [.projectManager], mode: .any, stateOnReject: "doing", expiresAfterSeconds: 5 * 86_400)),
        ])

    /// Open (any state to any state), a WIP limit on In progress (soft in the projects using it).
    static let kanban = WorkflowDefinition(
        mode: .open,
        states: [
            StateDefinition(id: "backlog", name: "Backlog", category: .backlog, position: 0, isInitial: true),
            StateDefinition(id: "ready", name: "Ready", category: .unstarted, position: 1),
            StateDefinition(id: "progress", name: "In progress", category: .started, position: 2, wipLimit: 6),
            StateDefinition(id: "blocked", name: "Blocked", category: .started, position: 3),
            StateDefinition(id: "done", name: "Done", category: .completed, position: 4),
            StateDefinition(id: "wontdo", name: "Won't do", category: .canceled, position: 5),
        ])

    /// Enforced; only the assignee may resolve; Closed is read-only.
    static let support = WorkflowDefinition(
        mode: .enforced,
        states: [
            StateDefinition(id: "new", name: "New", category: .unstarted, position: 0, isInitial: true),
            StateDefinition(id: "triage", name: "Triage", category: .started, position: 1),
            StateDefinition(id: "waiting", name: "Waiting on customer", category: .started, position: 2),
            StateDefinition(id: "resolved", name: "Resolved", category: .completed, position: 3),
            StateDefinition(id: "closed", name: "Closed", category: .completed, position: 4, isReadOnly: true),
        ],
        transitions: [
            TransitionDefinition(id: "pick", from: .state("new"), to: "triage"),
            TransitionDefinition(id: "ask", from: .state("triage"), to: "waiting"),
            TransitionDefinition(id: "answer", from: .state("waiting"), to: "triage"),
            TransitionDefinition(id: "resolve", from: .state("triage"), to: "resolved", actorRule: .assignee),
            TransitionDefinition(id: "close", from: .state("resolved"), to: "closed", allowedRoles: [.projectManager]),
            TransitionDefinition(id: "reopen", from: .state("resolved"), to: "triage"),
        ])

    static let workflows: [(id: WorkflowID, name: String, definition: WorkflowDefinition)] = [
        ("delivery", "Delivery", delivery), ("kanban", "Kanban", kanban), ("support", "Support", support),
    ]

    /// Where a task in `state` usually goes next under `workflow`, with weights: mostly forward, now
    /// and then back (rework), rarely sideways (blocked, won't do).
    static func nextStates(_ workflow: WorkflowID, from state: StateID) -> [(StateID, Double)] {
        switch (workflow.rawValue, state.rawValue) {
        case ("delivery", "todo"): [("doing", 1)]
        case ("delivery", "doing"): [("review", 0.9), ("todo", 0.1)]
        case ("delivery", "review"): [("done", 0.9), ("todo", 0.1)]
        case ("delivery", "done"): [("todo", 1)]
        case ("kanban", "backlog"): [("ready", 0.9), ("wontdo", 0.1)]
        case ("kanban", "ready"): [("progress", 0.95), ("backlog", 0.05)]
        case ("kanban", "progress"): [("done", 0.75), ("blocked", 0.2), ("ready", 0.05)]
        case ("kanban", "blocked"): [("progress", 0.9), ("wontdo", 0.1)]
        case ("kanban", "done"), ("kanban", "wontdo"): [("progress", 1)]
        case ("support", "new"): [("triage", 1)]
        case ("support", "triage"): [("resolved", 0.6), ("waiting", 0.4)]
        case ("support", "waiting"): [("triage", 1)]
        case ("support", "resolved"): [("closed", 0.85), ("triage", 0.15)]
        default: []
        }
    }
}
