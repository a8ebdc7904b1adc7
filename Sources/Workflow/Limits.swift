/// The size limits the domain enforces on what people type and on how large an aggregate may grow.
/// Each has a stated maximum, and exceeding it is `DomainError.limitExceeded` (code `limit-exceeded`),
/// never a slowdown: an aggregate is loaded whole for every decision, so its size bounds decide's cost.
///
/// Text limits count UTF-8 bytes, not characters: bytes bound storage and event size, and a "character"
/// (grapheme) can be arbitrarily long. The defaults leave room for any realistic title or comment in
/// any script. Tests shrink them; the command service passes one value to every decision.
public struct Limits: Sendable, Equatable {
    /// Longest id (task, member, comment, …), in bytes. Default 64.
    public var idBytesMax: Int = 64
    /// Longest task title, in UTF-8 bytes. Default 500.
    public var titleBytesMax: Int = 500
    /// Longest task or project description, in UTF-8 bytes. Default 64 KiB.
    public var descriptionBytesMax: Int = 64 << 10
    /// Longest comment body, in UTF-8 bytes. Default 16 KiB.
    public var commentBytesMax: Int = 16 << 10
    /// Longest name (workspace, project, member, workflow, state), in UTF-8 bytes. Default 200.
    public var nameBytesMax: Int = 200
    /// Longest reason or decision comment on an approval, in UTF-8 bytes. Default 2,000.
    public var reasonBytesMax: Int = 2_000
    /// Longest label, in UTF-8 bytes. Default 64.
    public var labelBytesMax: Int = 64
    /// Longest board rank key, in bytes. Default 64.
    public var rankBytesMax: Int = 64
    /// Most labels on one task. Default 20.
    public var labelsPerTaskMax: Int = 20
    /// Most assignees on one task. Default 10.
    public var assigneesPerTaskMax: Int = 10
    /// Most comments on one task, deleted ones included (they stay restorable). Default 5,000.
    public var commentsPerTaskMax: Int = 5_000
    /// Most edits of one comment; every edit keeps the previous body. Default 100.
    public var commentEditsMax: Int = 100
    /// Most approval requests over a task's life. Default 200.
    public var approvalsPerTaskMax: Int = 200
    /// Most members in a workspace, removed ones included. Default 10,000.
    public var membersPerWorkspaceMax: Int = 10_000
    /// Most members of one project. Default 5,000.
    public var membersPerProjectMax: Int = 5_000
    /// Most states in one workflow version. Default 50.
    public var statesPerWorkflowMax: Int = 50
    /// Most transitions in one workflow version. Default 500.
    public var transitionsPerWorkflowMax: Int = 500
    /// Most published versions of one workflow. Default 1,000.
    public var versionsPerWorkflowMax: Int = 1_000
    /// Most roles plus members named by one transition or approval policy. Default 100.
    public var namedActorsPerRuleMax: Int = 100
    /// Largest WIP limit of a state. Default 10,000.
    public var wipLimitMax: Int = 10_000
    /// Longest approval expiry, in seconds. Default 90 days.
    public var approvalExpirySecondsMax: Int64 = 90 * 86_400
    /// Longest delay of a reminder trigger, in seconds. Default 365 days.
    public var reminderDelaySecondsMax: Int64 = 365 * 86_400
    /// Largest task estimate (points or hours). Default 10,000.
    public var estimateAmountMax: Int = 10_000

    /// Most labels a project defines. Default 500.
    public var labelsPerProjectMax: Int = 500
    /// Longest chain of parents above a task (its parent, the parent's parent, …). Default 10: deeper
    /// trees stop being readable, and the cycle check walks the chain on every re-parenting.
    public var parentDepthMax: Int = 10
    /// Most tasks in a sprint's scope snapshot or in its close (each carried-over task gets an event
    /// in the same atomic append). Default 1,000.
    public var tasksPerSprintMax: Int = 1_000
    /// Largest document (one version), in bytes. Default 100 MiB.
    public var documentBytesMax: Int64 = 100 << 20
    /// Most versions of one document. Default 500.
    public var versionsPerDocumentMax: Int = 500
    /// Most shares (members plus roles) of one document. Default 200.
    public var sharesPerDocumentMax: Int = 200
    /// Longest API token lifetime, in seconds. Default 2 years: a credential that never expires is one
    /// nobody remembers to rotate; without an expiry a token lives until revoked.
    public var tokenLifetimeSecondsMax: Int64 = 2 * 366 * 86_400
    /// Most tasks one workflow migration moves: each gets its own event in the same atomic append as the
    /// migration, so this bounds the append (and the decision's input). Default 1,000.
    public var tasksPerMigrationMax: Int = 1_000

    public init() {}

    /// The defaults.
    public static let standard = Limits()
}
