/// Decides project commands: `decide(state, command, actor, context) -> events`, pure.
///
/// The actor's project role comes from this project's members (`Actor.resolve(member:workspace:project:)`).
public enum ProjectDecider {
    /// The events `command` produces on `state` (nil before the project exists), or the refusal.
    public static func decide(
        _ state: ProjectState?, _ command: ProjectCommand, actor: Actor, context: ProjectContext
    ) throws(DomainError) -> [DomainEvent] {
        try checkVersion(expected: context.expectedVersion, actual: state?.version ?? 0)
        let limits = context.limits
        let workspace = context.workspace
        let stream = StreamName.project(command.project)
        func event(_ payload: some EventPayload) -> DomainEvent { DomainEvent(stream: stream, at: context.now, payload) }

        if case .create(let new) = command.action {
            try actor.require(.projectCreate)
            if state != nil { throw .alreadyExists(kind: "project", id: command.project.rawValue) }
            try command.project.validated(limits: limits)
            let key = try validKey(new.key)
            if context.projectKeysInUse.contains(key) { throw .alreadyExists(kind: "project key", id: key) }
            let name = try Text.singleLine(new.name, field: "name", bytesMax: limits.nameBytesMax)
            let description = try Text.multiLine(new.description, field: "description", bytesMax: limits.descriptionBytesMax)
            if let lead = new.lead { _ = try WorkspaceDecider.activeMember(lead, in: workspace) }
            try checkDates(start: new.startDate, end: new.targetDate, endField: "targetDate")
            try checkPin(new.workflow, in: context.workflow)
            let creator = try WorkspaceDecider.activeMember(actor.member, in: workspace)
            return [
                event(
                    ProjectCreated(
                        projectID: command.project, key: key, name: name, description: description, lead: new.lead,
                        startDate: new.startDate, targetDate: new.targetDate, workflow: new.workflow,
                        wipEnforcement: new.wipEnforcement)),
                // Whoever creates a project runs it until they hand it over: without this, a workspace
                // member who may create projects could not touch the one they just created.
                event(
                    ProjectMemberAdded(
                        projectID: command.project, memberID: creator.id, memberName: creator.displayName, role: .projectManager)),
            ]
        }
        guard let state else { throw .notFound(kind: "project", id: command.project.rawValue) }
        precondition(state.id == command.project, "the command service loaded the wrong project")

        switch command.action {
        case .create:
            preconditionFailure("handled above")

        case .update(let changes):
            try actor.require(.projectUpdate)
            try requireActive(state)
            let name = try changes.name.validated { (text) throws(DomainError) in
                try Text.singleLine(text, field: "name", bytesMax: limits.nameBytesMax)
            }
            let description = try changes.description.validated { (text) throws(DomainError) in
                try Text.multiLine(text, field: "description", bytesMax: limits.descriptionBytesMax)
            }
            if case .set(let lead?) = changes.lead { _ = try WorkspaceDecider.activeMember(lead, in: workspace) }
            var after = state
            after.name = name.applied(to: state.name)
            after.description = description.applied(to: state.description)
            after.lead = changes.lead.applied(to: state.lead)
            after.startDate = changes.startDate.applied(to: state.startDate)
            after.targetDate = changes.targetDate.applied(to: state.targetDate)
            after.wipEnforcement = changes.wipEnforcement.applied(to: state.wipEnforcement)
            try checkDates(start: after.startDate, end: after.targetDate, endField: "targetDate")
            let fieldChanges = projectChanges(from: state, to: after, workspace: workspace)
            guard !fieldChanges.isEmpty else { return [] }
            return [
                event(
                    ProjectUpdated(
                        projectID: state.id, name: after.name, description: after.description, lead: after.lead,
                        startDate: after.startDate, targetDate: after.targetDate, wipEnforcement: after.wipEnforcement,
                        changes: fieldChanges))
            ]

        case .archive:
            try actor.require(.projectArchive)
            guard state.status == .active else { return [] }
            return [event(ProjectArchived(projectID: state.id))]

        case .restore:
            try actor.require(.projectArchive)
            guard state.status == .archived else { return [] }
            return [event(ProjectRestored(projectID: state.id))]

        case .addMember(let member, let role):
            try actor.require(.projectMemberManage)
            try requireActive(state)
            let record = try WorkspaceDecider.activeMember(member, in: workspace)
            if state.members[member] != nil { throw .alreadyExists(kind: "project member", id: member.rawValue) }
            guard state.members.count < limits.membersPerProjectMax else {
                throw .limitExceeded(field: "project members", limit: limits.membersPerProjectMax, actual: state.members.count + 1)
            }
            return [event(ProjectMemberAdded(projectID: state.id, memberID: member, memberName: record.displayName, role: role))]

        case .changeMemberRole(let member, let role):
            try actor.require(.projectMemberManage)
            try requireActive(state)
            guard let current = state.members[member] else { throw .notFound(kind: "project member", id: member.rawValue) }
            guard current != role else { return [] }
            return [
                event(
                    ProjectMemberRoleChanged(
                        projectID: state.id, memberID: member, memberName: workspace.displayName(of: member), from: current, to: role))
            ]

        case .removeMember(let member):
            try actor.require(.projectMemberManage)
            try requireActive(state)
            guard state.members[member] != nil else { throw .notFound(kind: "project member", id: member.rawValue) }
            return [event(ProjectMemberRemoved(projectID: state.id, memberID: member, memberName: workspace.displayName(of: member)))]

        case .pinWorkflow(let pin):
            try actor.require(.workflowManage)
            try requireActive(state)
            try checkPin(pin, in: context.workflow)
            guard pin != state.workflow else { return [] }
            return [event(ProjectWorkflowChanged(projectID: state.id, from: state.workflow, to: pin))]

        case .createLabel(let name, let color, let description):
            try actor.require(.projectUpdate)
            try requireActive(state)
            return [try createLabel(name: name, color: color, description: description, project: state, context: context)]

        case .updateLabel(let name, let color, let description):
            try actor.require(.projectUpdate)
            try requireActive(state)
            return try updateLabel(name: name, color: color, description: description, project: state, context: context)

        case .deleteLabel(let name):
            try actor.require(.projectUpdate)
            try requireActive(state)
            return try deleteLabel(name: name, project: state, context: context)

        case .migrateTasks(let from, let to, let mapping):
            try actor.require(.workflowManage)
            try requireActive(state)
            return try migrateTasks(from: from, to: to, mapping: mapping, project: state, context: context)
        }
    }

    static func requireActive(_ project: ProjectState) throws(DomainError) {
        guard project.status == .active else { throw .projectArchived(project.id) }
    }

    private static func checkPin(_ pin: WorkflowPin, in workflow: WorkflowState?) throws(DomainError) {
        guard let workflow, workflow.id == pin.workflow else { throw .notFound(kind: "workflow", id: pin.workflow.rawValue) }
        guard workflow.definition(version: pin.version) != nil else {
            throw .notFound(kind: "workflow version", id: pin.description)
        }
    }

    /// `OPS`, `WEB2`: short, upper-case, and safe in task keys (`OPS-123`) and URLs.
    private static func validKey(_ key: String) throws(DomainError) -> String {
        let bytes = Array(key.utf8)
        guard (2...10).contains(bytes.count), let first = bytes.first, first >= UInt8(ascii: "A"), first <= UInt8(ascii: "Z"),
            bytes.allSatisfy({ ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) })
        else { throw .validationFailed(field: "key", reason: "use 2-10 characters: an upper-case letter, then upper-case letters or digits") }
        return key
    }

    private static func projectChanges(from before: ProjectState, to after: ProjectState, workspace: WorkspaceState) -> [FieldChange] {
        var changes: [FieldChange] = []
        if before.name != after.name { changes.append(FieldChange(field: "name", from: .text(before.name), to: .text(after.name))) }
        if before.description != after.description {
            changes.append(FieldChange(field: "description", from: .text(before.description), to: .text(after.description)))
        }
        if before.lead != after.lead {
            changes.append(
                FieldChange(
                    field: "lead", from: before.lead.map { .text($0.rawValue) }, to: after.lead.map { .text($0.rawValue) },
                    fromDisplay: before.lead.map(workspace.displayName(of:)), toDisplay: after.lead.map(workspace.displayName(of:))))
        }
        if before.startDate != after.startDate {
            changes.append(dateChange("startDate", before.startDate, after.startDate))
        }
        if before.targetDate != after.targetDate {
            changes.append(dateChange("targetDate", before.targetDate, after.targetDate))
        }
        if before.wipEnforcement != after.wipEnforcement {
            changes.append(
                FieldChange(field: "wipEnforcement", from: .text(before.wipEnforcement.rawValue), to: .text(after.wipEnforcement.rawValue)))
        }
        return changes
    }
}

func dateChange(_ field: String, _ from: CalendarDate?, _ to: CalendarDate?) -> FieldChange {
    FieldChange(field: field, from: from.map { .text($0.description) }, to: to.map { .text($0.description) })
}

/// Refuses an end date before a start date (either may be absent).
func checkDates(start: CalendarDate?, end: CalendarDate?, endField: String) throws(DomainError) {
    if let start, let end, end < start {
        throw .validationFailed(field: endField, reason: "\(end) is before the start date \(start)")
    }
}

extension Update {
    /// The update with a set value checked (and normalised) by `check`.
    func validated(_ check: (Value) throws(DomainError) -> Value) throws(DomainError) -> Update<Value> {
        switch self {
        case .keep: .keep
        case .set(let value): .set(try check(value))
        }
    }
}
