import PropertyBased
import Testing

@testable import Workflow

/// Random command sequences from random actors on the standard fixture. After every command:
/// - a refused command changed nothing (no events, no state);
/// - an accepted command was permitted to its actor (an independent table below), and an auditor
///   never changed anything;
/// - each touched aggregate's version is its stream's length (versions increase by one per event);
/// - a move into a column with a hard WIP limit found room;
/// - every task is in exactly one state of its pinned workflow version, with that state's category
///   (migrations included);
/// - a task's parent chain stays in its project and never loops; a task's milestone is one of its
///   project's; a project has at most one active sprint;
/// - a document's versions count from 1 without gaps, each within the size limit; a revoked token
///   stays revoked.
/// At the end: folding `evolve` over every stream rebuilds exactly the states held, and in each task's
/// stream every approval request resolved at most once, with one decision per approver and none by a
/// requester who may not self-approve; moves happened only from where the task was, and never while a
/// request was pending.
@Suite struct PropertyTests {
    @Test func randomCommandSequencesKeepTheInvariants() async {
        let tally = Tally()
        await propertyCheck(count: 200, input: Gen.int(in: 0...Int(Int32.max)).array(of: 1...120)) { seeds in
            var run = Run(wip: (seeds.first ?? 0) % 2 == 0 ? .hard : .soft)
            for seed in seeds { run.step(seed: UInt64(seed), tally: tally) }
            run.checkStreams()
        }
        // The generator must reach the interesting paths, not only refusals.
        #expect(tally.accepted > 0 && tally.refused > 0)
        #expect(tally.types.contains("TaskMoved"))
        #expect(tally.types.contains("ApprovalRequested"))
        #expect(tally.types.contains("ApprovalDecisionRecorded"))
        #expect(tally.types.contains("ApprovalGranted") || tally.types.contains("ApprovalRejected"))
        for type in [
            "TaskParentChanged", "TaskAddedToMilestone", "SprintStarted", "SprintClosed", "TaskArchived", "TaskWorkflowMigrated",
            "DocumentVersionAdded", "DocumentRemoved", "TokenIssued", "TokenRevoked",
        ] {
            #expect(tally.types.contains(type), "no run produced \(type)")
        }
        for code in [
            "missing-permission", "transition-not-allowed", "required-field-missing", "wip-limit-exceeded", "version-conflict",
            "parent-cycle", "sprint-already-active", "state-not-mapped", "document-too-large", "document-removed",
        ] {
            #expect(tally.codes.contains(code), "no run reached \(code)")
        }
    }
}

/// Counts what the runs did, to check the generator reaches the interesting paths.
final class Tally {
    var accepted = 0
    var refused = 0
    var types: Set<String> = []
    var codes: Set<String> = []
}

/// A deterministic stream of choices from one seed (SplitMix64).
struct Choices {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ count: Int) -> Int { Int(next() % UInt64(count)) }
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
}

/// One random run.
struct Run {
    var world: World
    var taskIDs: [TaskID] = []
    var created = 0
    var comments = 0
    var publishedOpen = false
    let states: [StateID] = ["backlog", "todo", "doing", "review", "done", "canceled"]

    init(wip: WIPEnforcement) {
        // A WIP limit of 1 makes full columns common enough for random runs to meet them.
        world = Fixture.world(wip: wip, doingLimit: 1)
        world.limits.commentsPerTaskMax = 4
        world.limits.assigneesPerTaskMax = 3
        world.limits.titleBytesMax = 40
        world.limits.parentDepthMax = 3
        world.limits.documentBytesMax = 1_000
        do {
            // "ops" is deleted, so label changes are sometimes refused (until a run defines it again).
            try world.project("p1", .deleteLabel(name: "ops"), by: "pm")
            // A second enforced version with the same states (renamed), for tasks to migrate to and back.
            var renamed = Fixture.definition(doingLimit: 1)
            renamed.states[1].name = "Ready"
            try world.workflow("wf", .publish(renamed), by: "admin")
            try world.milestone("s1", .create(NewMilestone(kind: .sprint, name: "Sprint 1")), by: "pm")
            try world.milestone("s2", .create(NewMilestone(kind: .sprint, name: "Sprint 2")), by: "pm")
            try world.milestone("m1", .create(NewMilestone(kind: .milestone, name: "Launch")), by: "pm")
        } catch {
            fatalError("run setup: \(error)")
        }
    }

    let milestoneIDs: [MilestoneID] = ["s1", "s2", "m1", "m9"]

    /// A command the run sends, with what it needs to check permissions afterwards.
    enum Command {
        case task(TaskID, TaskAction, expectedVersion: UInt64?)
        case project(ProjectAction)
        case workspace(WorkspaceCommand)
        case milestone(MilestoneID, MilestoneAction)
        case document(DocumentID, DocumentAction)
        case token(TokenID, TokenCommand.Action)
        case publishOpen
    }

    mutating func step(seed: UInt64, tally: Tally) {
        var choices = Choices(state: seed)
        world.advance(seconds: Int64(choices.below(6 * 3600)))
        let command = makeCommand(&choices)
        // Mostly someone who plausibly sends this command (so that paths past the permission check are
        // reached), sometimes anyone.
        let member = choices.chance(35) ? choices.pick(Fixture.members) : plausibleActor(&choices, for: command)

        let before = world
        let actor = try? before.actor(member, project: "p1")
        var events: [DomainEvent] = []
        var code: String?
        do {
            switch command {
            case .task(let id, let action, let expected):
                events = try world.task(id, action, by: member, expectedVersion: expected)
                if case .create = action { taskIDs.append(id) }
            case .project(let action):
                events = try world.project("p1", action, by: member)
            case .workspace(let workspaceCommand):
                events = try world.workspace(workspaceCommand, by: member)
            case .milestone(let id, let action):
                events = try world.milestone(id, action, by: member)
            case .document(let id, let action):
                events = try world.document(id, action, by: member)
            case .token(let id, let action):
                events = try world.token(id, action, by: member)
            case .publishOpen:
                var open = Fixture.definition(doingLimit: 1)
                open.mode = .open
                events = try world.workflow("wf", .publish(open), by: member)
                publishedOpen = true
                let latest = world.workflows["wf"]!.latestVersion
                try world.project("p1", .pinWorkflow(WorkflowPin(workflow: "wf", version: latest)), by: "admin")
            }
        } catch {
            code = error.code
        }

        guard code == nil else {
            tally.refused += 1
            tally.codes.insert(code!)
            if case .publishOpen = command, publishedOpen {
                // The publish succeeded and only the pin (by admin) failed: nothing to compare.
                return
            }
            #expect(world == before, "a refused command (\(code!)) changed the world")
            return
        }
        tally.accepted += 1
        tally.types.formUnion(events.map(\.type))
        guard let actor else {
            Issue.record("an unknown member's command was accepted")
            return
        }
        #expect(permitted(command, actor: actor, before: before), "\(member) was not permitted: \(command)")
        #expect(events.allSatisfy { $0.at == world.now }, "events carry the decision's time")
        if actor.workspaceRole == .auditor { #expect(events.isEmpty, "the auditor changed something") }
        checkVersions(events)
        checkWIP(events, before: before)
        for (id, token) in before.tokens where token.status == .revoked {
            #expect(world.tokens[id]?.status == .revoked, "token \(id) came back after its revocation")
        }
        checkStates()
    }

    // MARK: Generating commands

    func plausibleActor(_ choices: inout Choices, for command: Command) -> MemberID {
        switch command {
        case .task(let id, let action, _):
            switch action {
            case .decideApproval, .cancelApproval, .expireApproval: return choices.pick(["pm", "qa", "dev2", "admin"])
            default: return choices.pick((world.tasks[id]?.assignees ?? []) + ["pm", "dev"])
            }
        case .project, .milestone: return "pm"
        case .document(let id, let action):
            // Mostly the uploader for a removal: only they (or an admin) may remove.
            if case .remove = action, choices.chance(80) { return world.documents[id]?.uploader ?? "dev" }
            return choices.pick([world.documents[id]?.uploader ?? "dev", "dev", "pm", "dev2"])
        case .token(let id, _): return choices.chance(50) ? world.tokens[id]?.member ?? "admin" : "admin"
        case .workspace, .publishOpen: return "admin"
        }
    }

    mutating func makeCommand(_ choices: inout Choices) -> Command {
        let roll = choices.below(100)
        if roll < 1, !publishedOpen { return .publishOpen }
        if roll < 4 { return .project(projectAction(&choices)) }
        if roll < 5 { return .workspace(.changeMemberRole(choices.pick(Fixture.members), to: choices.pick(WorkspaceRole.allCases))) }
        if roll >= 10, roll < 15 { return documentOrToken(&choices) }
        if roll < 10 {
            let id = choices.pick(milestoneIDs)
            // Mostly the active sprint, if any, so that sprints get closed.
            let active = world.milestones.values.first { $0.status == .active }?.id
            switch choices.below(4) {
            case 0:
                // With a sprint active, often another one, which must be refused.
                let other: MilestoneID = active == "s1" ? "s2" : "s1"
                return .milestone(active != nil && choices.chance(50) ? other : id, .start)
            case 1:
                let sprint = choices.chance(70) ? active ?? id : id
                return .milestone(sprint, .close(carryOverTo: choices.chance(60) ? choices.pick(milestoneIDs) : nil))
            case 2: return .milestone(id, .update(MilestoneChanges(name: .set("Renamed \(choices.below(9))"))))
            default:
                created += 1
                return .milestone(MilestoneID("s\(created + 10)"), .create(NewMilestone(kind: choices.pick(MilestoneKind.allCases), name: "Sprint")))
            }
        }
        // Creations as often as before milestones, documents and tokens took their share of the rolls.
        if taskIDs.isEmpty || roll < 26 {
            created += 1
            let title = choices.chance(5) ? "" : choices.chance(5) ? String(repeating: "x", count: 41) : "Task \(created)"
            let assignees = (0..<choices.below(3)).map { _ in choices.pick(Fixture.members) }
            let estimate = choices.chance(80) ? Estimate(amount: choices.below(13), unit: .points) : nil
            return .task(
                TaskID("t\(created)"), .create(NewTask(title: title, assignees: assignees, estimate: estimate)), expectedVersion: nil)
        }
        let id = choices.pick(taskIDs)
        let task = world.tasks[id]!
        var expected: UInt64?
        if choices.chance(10) { expected = task.version + UInt64(choices.below(2)) }
        return .task(id, taskAction(&choices, task: task), expectedVersion: expected)
    }

    func documentOrToken(_ choices: inout Choices) -> Command {
        if choices.chance(35) {
            let id = choices.pick(["k1", "k2", "k3"] as [TokenID])
            guard world.tokens[id] != nil, choices.chance(70) else {
                let expiry = choices.chance(50) ? world.now.adding(seconds: Int64(choices.below(3) - 1) * 86_400) : nil
                let hash = choices.chance(10) ? "bad" : String(repeating: "a", count: 64)
                return .token(id, .issue(NewToken(member: choices.pick(Fixture.members), name: "Token", secretHash: hash, expiresAt: expiry)))
            }
            return .token(id, .revoke())
        }
        let removed = world.documents.values.filter { $0.status == .deleted }.map(\.id).sorted()
        // Often a removed document, whose changes must be refused.
        // Mostly one document, so that runs get far enough in its life to remove it and try again.
        let id: DocumentID = !removed.isEmpty && choices.chance(50) ? choices.pick(removed) : choices.chance(75) ? "d1" : "d2"
        let file = DocumentFile(
            fileName: "f.txt", contentType: "text/plain", sizeBytes: Int64(choices.below(1_200)),
            sha256: String(repeating: choices.pick(["a", "b", "c"]), count: 64))
        guard world.documents[id] != nil else {
            let attachment: DocumentAttachment = choices.chance(50) ? .project : .task(choices.pick(taskIDs + ["t0"]))
            return .document(id, .add(NewDocument(attachedTo: attachment, title: "Doc", file: file)))
        }
        switch choices.below(6) {
        case 0, 1: return .document(id, .addVersion(file))
        case 2: return .document(id, .share(choices.chance(50) ? .member(choices.pick(Fixture.members)) : .role(.member)))
        case 3: return .document(id, .unshare(.role(.member)))
        default: return .document(id, .remove)
        }
    }

    mutating func projectAction(_ choices: inout Choices) -> ProjectAction {
        switch choices.below(11) {
        case 0: return choices.chance(30) ? .archive : .restore
        case 8:
            return choices.chance(50)
                ? .createLabel(name: choices.pick(["ops", "bug", "docs"]), color: "#123456")
                : .deleteLabel(name: choices.pick(["ops", "bug", "docs"]))
        case 9, 10:
            // Between published versions (all with the same states, so an identity mapping is complete);
            // mostly from the version tasks are on; sometimes a state left out.
            let latest = world.workflows["wf"]!.latestVersion
            let pinned = world.tasks.values.min { $0.id < $1.id }?.workflow.version ?? 1
            let from = WorkflowPin(workflow: "wf", version: choices.chance(80) ? pinned : 1 + choices.below(latest))
            let to = WorkflowPin(workflow: "wf", version: 1 + choices.below(latest))
            var mapping: [StateID: StateID] = [:]
            for state in states { mapping[state] = state }
            if choices.chance(30) { mapping[world.tasks.values.min { $0.id < $1.id }?.state ?? choices.pick(states)] = nil }
            return .migrateTasks(from: from, to: to, mapping: mapping)
        case 1: return .restore
        case 2: return .update(ProjectChanges(wipEnforcement: .set(choices.pick(WIPEnforcement.allCases))))
        case 3: return .addMember(choices.pick(Fixture.members), role: choices.pick(ProjectRole.allCases))
        case 4: return .changeMemberRole(choices.pick(Fixture.members), to: choices.pick(ProjectRole.allCases))
        default: return .removeMember(choices.pick(Fixture.members))
        }
    }

    mutating func taskAction(_ choices: inout Choices, task: TaskState) -> TaskAction {
        // Mostly ids that exist (the pending request, the latest one, existing comments), so the commands
        // get past "not found"; sometimes one that does not.
        let approvalID =
            task.pendingApproval?.id ?? (choices.chance(80) ? task.approvals.last?.id : nil) ?? ApprovalID(task.id.rawValue + ".a9")
        let commentIDs = task.comments.keys.sorted() + (choices.chance(10) ? ["c0"] : [])
        // Approval commands mostly when there is something to decide.
        if task.pendingApproval != nil, choices.chance(40) {
            return choices.chance(85) ? .decideApproval(approvalID, choices.chance(70) ? .approve : .reject) : .expireApproval(approvalID)
        }
        switch choices.below(24) {
        case 0: return .edit(title: .set(choices.chance(10) ? " " : "Edited \(choices.below(9))"))
        case 1: return .assign(choices.pick(Fixture.members))
        case 2: return .unassign(task.assignees.isEmpty ? choices.pick(Fixture.members) : choices.pick(task.assignees))
        case 3: return .setPriority(choices.pick(Priority.allCases))
        case 4:
            let start = CalendarDate(year: 2026, month: 1 + choices.below(12), day: 1 + choices.below(28))
            let due = CalendarDate(year: 2026, month: 1 + choices.below(12), day: 1 + choices.below(28))
            return .setDates(start: choices.chance(50) ? start : nil, due: due)
        case 5: return .setEstimate(choices.chance(80) ? Estimate(amount: choices.below(20), unit: .hours) : nil)
        case 6: return .setLabels((0..<choices.below(3)).map { _ in choices.pick(["bug", "ui", "ops"]) })
        case 7...12: return .move(to: moveTarget(&choices, task: task), rank: choices.chance(30) ? "a\(choices.below(9))" : nil)
        case 13: return .reorder(rank: "r\(choices.below(99))")
        case 14: return choices.chance(50) ? .delete : .restore
        case 15:
            comments += 1
            return .addComment(CommentID("c\(comments)"), body: choices.chance(5) ? "" : "comment \(comments)")
        case 16 where !commentIDs.isEmpty:
            return .editComment(choices.pick(commentIDs), body: "edited \(choices.below(5))")
        case 17 where !commentIDs.isEmpty:
            let id = choices.pick(commentIDs)
            return choices.chance(50) ? .deleteComment(id) : .restoreComment(id)
        case 16, 17:
            comments += 1
            return .addComment(CommentID("c\(comments)"), body: "comment \(comments)")
        case 18, 19: return .decideApproval(approvalID, choices.chance(70) ? .approve : .reject)
        case 20: return .cancelApproval(approvalID)
        case 21: return .expireApproval(approvalID)
        case 22:
            switch choices.below(3) {
            case 0: return .setParent(choices.chance(15) ? nil : choices.pick(taskIDs))
            case 1: return .addToMilestone(choices.pick(milestoneIDs))
            default: return .removeFromMilestone
            }
        // Archiving less often than unarchiving, so that columns still fill up.
        default: return choices.chance(30) ? .archive : .unarchive
        }
    }

    /// Mostly a state a listed transition leads to, preferring the way forward (so tasks get far enough
    /// to meet full columns and approvals), sometimes any state.
    func moveTarget(_ choices: inout Choices, task: TaskState) -> StateID {
        let definition = world.workflows["wf"]!.definition(version: task.workflow.version)!
        let listed = definition.transitions.filter { $0.from == .any || $0.from == .state(task.state) }.map(\.to)
        let forward = listed.filter { $0 != "canceled" && $0 != "backlog" }
        if !forward.isEmpty, choices.chance(70) { return choices.pick(forward) }
        if !listed.isEmpty, choices.chance(60) { return choices.pick(listed) }
        return choices.pick(states)
    }

    // MARK: Invariants after each accepted command

    /// An independent statement of who may do what: the default grants, own variants and approvers.
    func permitted(_ command: Command, actor: Actor, before: World) -> Bool {
        switch command {
        case .workspace: return actor.has(.memberManage)
        case .publishOpen: return actor.has(.workflowManage)
        case .milestone: return actor.has(.milestoneManage)
        case .document(let id, let action):
            if case .remove = action {
                return actor.isAdmin || (before.documents[id]?.uploader == actor.member && actor.has(.documentDeleteOwn))
            }
            return actor.has(.documentUpload)
        case .token(let id, let action):
            if case .revoke = action {
                let own = before.tokens[id]?.member == actor.member && actor.workspaceRole != .auditor
                return actor.has(.tokenManage) || own
            }
            return actor.has(.tokenManage)
        case .project(let action):
            switch action {
            case .create: return actor.has(.projectCreate)
            case .update: return actor.has(.projectUpdate)
            case .archive, .restore: return actor.has(.projectArchive)
            case .addMember, .changeMemberRole, .removeMember: return actor.has(.projectMemberManage)
            case .pinWorkflow, .migrateTasks: return actor.has(.workflowManage)
            case .createLabel, .updateLabel, .deleteLabel: return actor.has(.projectUpdate)
            }
        case .task(let id, let action, _):
            let task = before.tasks[id]
            let own = task?.isOwn(by: actor.member) ?? false
            switch action {
            case .create: return actor.has(.taskCreate)
            case .edit, .setPriority, .setDates, .setEstimate, .setLabels, .setParent, .addToMilestone, .removeFromMilestone:
                return actor.has(.taskUpdate) || (own && actor.has(.taskUpdateOwn))
            case .assign, .unassign: return actor.has(.taskAssign)
            case .move: return actor.has(.taskTransition) || (own && actor.has(.taskTransitionOwn))
            case .reorder: return actor.has(.taskReorder)
            case .delete, .restore, .archive, .unarchive: return actor.has(.taskDelete)
            case .addComment: return actor.has(.commentCreate)
            case .editComment(let comment, _):
                return task?.comments[comment]?.author == actor.member && actor.has(.commentUpdateOwn)
            case .deleteComment(let comment), .restoreComment(let comment):
                return actor.has(.commentDeleteAny) || (task?.comments[comment]?.author == actor.member && actor.has(.commentUpdateOwn))
            case .decideApproval(let approval, _, _):
                guard let request = task?.approvals.first(where: { $0.id == approval }) else { return false }
                let named = request.policy.approverMembers.contains(actor.member)
                let byRole = actor.isAdmin || (actor.projectRole.map { request.policy.approverRoles.contains($0) } ?? false)
                let selfOK = request.requester != actor.member || request.policy.selfApprovalAllowed
                return actor.has(.approvalDecide) && (named || byRole) && selfOK
            case .cancelApproval(let approval, _):
                guard let request = task?.approvals.first(where: { $0.id == approval }) else { return false }
                return actor.has(.approvalDecide) || (request.requester == actor.member && actor.has(.approvalRequest))
            case .expireApproval:
                return actor.has(.approvalRequest) || actor.has(.approvalDecide)
            }
        }
    }

    func checkVersions(_ events: [DomainEvent]) {
        for stream in Set(events.map(\.stream)) {
            let length = UInt64(world.streams[stream]?.count ?? 0)
            let version: UInt64? =
                switch stream.kind {
                case .workspace: world.workspace?.version
                case .project: world.projects["p1"]?.version
                case .workflow: world.workflows["wf"]?.version
                case .task: world.tasks[TaskID(String(stream.rawValue.dropFirst(5)))]?.version
                case .reminder: world.reminders[ReminderRuleID(String(stream.rawValue.dropFirst(9)))]?.version
                case .milestone: world.milestones[MilestoneID(String(stream.rawValue.dropFirst(10)))]?.version
                case .document: world.documents[DocumentID(String(stream.rawValue.dropFirst(9)))]?.version
                case .token: world.tokens[TokenID(String(stream.rawValue.dropFirst(6)))]?.version
                case .security, nil: nil
                }
            #expect(version == length, "\(stream) is at version \(version ?? 0) with \(length) events")
        }
    }

    func checkWIP(_ events: [DomainEvent], before: World) {
        guard before.projects["p1"]?.wipEnforcement == .hard else { return }
        let counts = before.columnCounts("p1")
        for event in events {
            let arrival: (TaskID, StateID)? =
                switch event.body {
                case .taskMoved(let moved): (moved.taskID, moved.to)
                case .taskCreated(let created): (created.taskID, created.state)
                case .taskRestored(let restored): (restored.taskID, world.tasks[restored.taskID]!.state)
                default: nil
                }
            guard let (task, state) = arrival else { continue }
            let pin = world.tasks[task]!.workflow
            guard let limit = world.workflows["wf"]?.definition(version: pin.version)?.state(state)?.wipLimit else { continue }
            #expect(counts[state, default: 0] < limit, "\(task) entered full column \(state) under a hard limit")
        }
    }

    func checkStates() {
        for task in world.tasks.values {
            let definition = world.workflows[task.workflow.workflow]?.definition(version: task.workflow.version)
            let state = definition?.state(task.state)
            #expect(state != nil, "\(task.id) is in \(task.state), which its version does not have")
            #expect(state?.category == task.category, "\(task.id) has the wrong category")
            #expect(task.approvals.filter { $0.status == .pending }.count <= 1)
        }
        let live = world.tasks.values.filter { !$0.isDeleted && !$0.isArchived && $0.project == "p1" }.count
        #expect(world.columnCounts("p1").values.reduce(0, +) == live, "a live task is in no column or in two")
        for task in world.tasks.values {
            if let milestone = task.milestone {
                #expect(world.milestones[milestone]?.project == task.project, "\(task.id) is in a milestone of no project of its own")
            }
            var seen: Set<TaskID> = [task.id]
            var next = task.parent
            while let parent = next {
                guard seen.insert(parent).inserted else {
                    Issue.record("\(task.id)'s parent chain loops")
                    break
                }
                #expect(world.tasks[parent]?.project == task.project, "\(task.id)'s parent is in another project")
                next = world.tasks[parent]?.parent
            }
        }
        #expect(world.milestones.values.filter { $0.status == .active }.count <= 1, "two sprints are active at once")
        for document in world.documents.values {
            #expect(document.versions.map(\.number) == Array(1...document.versions.count), "\(document.id)'s versions have a gap")
            #expect(document.versions.allSatisfy { $0.file.sizeBytes <= world.limits.documentBytesMax }, "\(document.id) is too large")
        }
    }

    // MARK: Invariants over whole streams

    func checkStreams() {
        var rebuilt = World()
        rebuilt.now = world.now
        rebuilt.limits = world.limits
        for (_, events) in world.streams.sorted(by: { $0.key < $1.key }) {
            rebuilt.apply(events)
        }
        #expect(rebuilt.workspace == world.workspace, "the workspace does not rebuild")
        #expect(rebuilt.projects == world.projects, "a project does not rebuild")
        #expect(rebuilt.workflows == world.workflows, "a workflow does not rebuild")
        #expect(rebuilt.tasks == world.tasks, "a task does not rebuild")
        #expect(rebuilt.milestones == world.milestones, "a milestone does not rebuild")
        #expect(rebuilt.documents == world.documents, "a document does not rebuild")
        #expect(rebuilt.tokens == world.tokens, "a token does not rebuild")

        for (stream, events) in world.streams where stream.kind == .task {
            var statuses: [ApprovalID: ApprovalStatus] = [:]
            var requests: [ApprovalID: ApprovalRequested] = [:]
            var deciders: Set<String> = []
            var state: StateID?
            var justResolved: ApprovalID?
            for event in events {
                let resolving: ApprovalID?
                switch event.body {
                case .taskCreated(let created):
                    state = created.state
                    resolving = nil
                case .approvalRequested(let requested):
                    #expect(!statuses.values.contains(.pending), "\(stream): a second request while one was pending")
                    #expect(statuses[requested.approvalID] == nil, "\(stream): approval id reused")
                    statuses[requested.approvalID] = .pending
                    requests[requested.approvalID] = requested
                    resolving = nil
                case .approvalDecisionRecorded(let recorded):
                    #expect(statuses[recorded.approvalID] == .pending, "\(stream): a decision on a resolved request")
                    let key = recorded.approvalID.rawValue + "/" + recorded.approver.rawValue
                    #expect(deciders.insert(key).inserted, "\(stream): \(recorded.approver) decided twice")
                    if let request = requests[recorded.approvalID], !request.policy.selfApprovalAllowed {
                        #expect(recorded.approver != request.requester, "\(stream): the requester approved their own request")
                    }
                    resolving = nil
                case .approvalGranted(let resolved):
                    resolving = resolve(resolved.approvalID, .approved, &statuses, stream)
                case .approvalRejected(let resolved):
                    resolving = resolve(resolved.approvalID, .rejected, &statuses, stream)
                case .approvalCancelled(let resolved):
                    resolving = resolve(resolved.approvalID, .cancelled, &statuses, stream)
                case .approvalExpired(let resolved):
                    resolving = resolve(resolved.approvalID, .expired, &statuses, stream)
                case .taskMoved(let moved):
                    #expect(moved.from == state, "\(stream): moved from \(moved.from) but was in \(state?.rawValue ?? "-")")
                    if let approval = moved.approvalID {
                        #expect(approval == justResolved, "\(stream): a move names an approval it did not follow")
                    } else {
                        #expect(!statuses.values.contains(.pending), "\(stream): moved while an approval was pending")
                    }
                    state = moved.to
                    resolving = nil
                case .taskWorkflowMigrated(let migrated):
                    #expect(migrated.fromState == state, "\(stream): migrated from \(migrated.fromState) but was in \(state?.rawValue ?? "-")")
                    #expect(!statuses.values.contains(.pending), "\(stream): migrated while an approval was pending")
                    state = migrated.toState
                    resolving = nil
                default:
                    resolving = nil
                }
                justResolved = resolving
            }
        }
    }

    private func resolve(
        _ id: ApprovalID, _ status: ApprovalStatus, _ statuses: inout [ApprovalID: ApprovalStatus], _ stream: StreamName
    ) -> ApprovalID {
        #expect(statuses[id] == .pending, "\(stream): approval \(id) resolved twice or never requested")
        statuses[id] = status
        return id
    }
}
