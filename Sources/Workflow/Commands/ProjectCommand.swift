/// What is needed to create a project.
public struct NewProject: Equatable, Sendable {
    /// 2-10 characters: an upper-case letter, then upper-case letters or digits (`OPS`, `WEB2`).
    public var key: String
    public var name: String
    public var description: String
    public var lead: MemberID?
    public var startDate: CalendarDate?
    public var targetDate: CalendarDate?
    public var workflow: WorkflowPin
    public var wipEnforcement: WIPEnforcement

    public init(
        key: String, name: String, description: String = "", lead: MemberID? = nil, startDate: CalendarDate? = nil,
        targetDate: CalendarDate? = nil, workflow: WorkflowPin, wipEnforcement: WIPEnforcement = .soft
    ) {
        self.key = key
        self.name = name
        self.description = description
        self.lead = lead
        self.startDate = startDate
        self.targetDate = targetDate
        self.workflow = workflow
        self.wipEnforcement = wipEnforcement
    }
}

/// A partial update of a project's settings.
public struct ProjectChanges: Equatable, Sendable {
    public var name: Update<String>
    public var description: Update<String>
    public var lead: Update<MemberID?>
    public var startDate: Update<CalendarDate?>
    public var targetDate: Update<CalendarDate?>
    public var wipEnforcement: Update<WIPEnforcement>

    public init(
        name: Update<String> = .keep, description: Update<String> = .keep, lead: Update<MemberID?> = .keep,
        startDate: Update<CalendarDate?> = .keep, targetDate: Update<CalendarDate?> = .keep,
        wipEnforcement: Update<WIPEnforcement> = .keep
    ) {
        self.name = name
        self.description = description
        self.lead = lead
        self.startDate = startDate
        self.targetDate = targetDate
        self.wipEnforcement = wipEnforcement
    }
}

/// What to do to a project.
public enum ProjectAction: Equatable, Sendable {
    /// Creates the project; the actor becomes its project manager. Needs `project.create`.
    case create(NewProject)
    /// Needs `project.update`.
    case update(ProjectChanges)
    /// Needs `project.archive`.
    case archive
    /// Needs `project.archive`.
    case restore
    /// Needs `project.member.manage`.
    case addMember(MemberID, role: ProjectRole)
    /// Needs `project.member.manage`.
    case changeMemberRole(MemberID, to: ProjectRole)
    /// Needs `project.member.manage`.
    case removeMember(MemberID)
    /// Pins the workflow version new tasks get. Needs `workflow.manage`.
    case pinWorkflow(WorkflowPin)
    /// Defines a label (`color` is `#rrggbb`). Needs `project.update`.
    case createLabel(name: String, color: String, description: String = "")
    /// Needs `project.update`.
    case updateLabel(name: String, color: Update<String> = .keep, description: Update<String> = .keep)
    /// Needs `project.update`.
    case deleteLabel(name: String)
    /// Moves every task of the project pinned to `from` to `to`, mapping each task's state by `mapping`
    /// (old state → new state), and re-pins the project when it was on `from`. Needs `workflow.manage`.
    /// The context's `workflow` is `to`'s workflow, `migrationSource` is `from`'s, and `migratingTasks`
    /// the project's tasks on `from`.
    case migrateTasks(from: WorkflowPin, to: WorkflowPin, mapping: [StateID: StateID])
}

/// A command on a project aggregate (stream `project-ID`).
public struct ProjectCommand: Equatable, Sendable {
    public var project: ProjectID
    public var action: ProjectAction

    public init(project: ProjectID, _ action: ProjectAction) {
        self.project = project
        self.action = action
    }
}
