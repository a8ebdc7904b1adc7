import CommandService
import EventLog
import Foundation
import Hummingbird
import Workflow

/// Reminder rules: create, list, read, replace, disable (`DELETE`) and enable again. The domain keeps a
/// rule once created — its stream holds the reminders it fired, the de-duplication record — so
/// `DELETE` disables it (`ReminderRuleDisabled`): it stops firing, stays listed with `enabled: false`,
/// and can be enabled again. Writes need `reminder.manage`; a rule whose filter names exactly one
/// project is decided with the caller's role in that project.
struct ReminderRoutes {
    let writes: WriteHandling

    func add(to group: RouterGroup<APIRequestContext>) {
        group.post("reminders") { request, context in try await create(request, context) }
        group.getAndHead("reminders") { _, context in try await list(context) }
        group.getAndHead("reminders/{reminder}") { _, context in try await show(context) }
        group.put("reminders/{reminder}") { request, context in try await change(request, context) }
        group.delete("reminders/{reminder}") { request, context in try await toggle(request, context, .disable) }
        group.post("reminders/{reminder}/enable") { request, context in try await toggle(request, context, .enable) }
    }

    private func create(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        var body = try await JSONBody.read(request, limit: writes.bodyLimit)
        let id = ReminderRuleID(body.optionalString("id") ?? EventID.generate().description)
        let definition = try Self.definition(&body)
        try body.finish()
        return try await writes.run(request, context: context, stream: .reminder(id), status: .created, body: body) {
            service, metadata, expected throws(CommandError) in
            try await service.execute(
                ReminderCommand(rule: id, .create(definition)), project: Self.scope(definition), metadata: metadata, expectedVersion: expected)
        }
    }

    /// PUT: the whole definition is replaced (members left out take their defaults, as on create).
    private func change(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let id = try ReminderRuleID(context.parameters.require("reminder"))
        var body = try await JSONBody.read(request, limit: writes.bodyLimit)
        let definition = try Self.definition(&body)
        let expectedVersion = body.optionalInteger("expectedVersion").map { UInt64(max(0, $0)) }
        try body.finish()
        return try await writes.run(request, context: context, stream: .reminder(id), bodyExpectedVersion: expectedVersion, body: body) {
            service, metadata, expected throws(CommandError) in
            try await service.execute(
                ReminderCommand(rule: id, .change(definition)), project: Self.scope(definition), metadata: metadata, expectedVersion: expected)
        }
    }

    private func toggle(_ request: Request, _ context: APIRequestContext, _ action: ReminderCommand.Action) async throws -> Response {
        let id = try ReminderRuleID(context.parameters.require("reminder"))
        return try await writes.run(request, context: context, stream: .reminder(id)) { service, metadata, expected throws(CommandError) in
            let scope = try await service.reminderRule(id).flatMap { Self.scope($0.definition) }
            return try await service.execute(ReminderCommand(rule: id, action), project: scope, metadata: metadata, expectedVersion: expected)
        }
    }

    private func list(_ context: APIRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        try await Self.requireReader(caller)
        let rules: [ReminderRuleState]
        do {
            rules = try await caller.workspace.service.reminderRules()
        } catch {
            throw Problem(error)
        }
        return Self.json(.object(["rules": .array(rules.map(Self.view))]))
    }

    private func show(_ context: APIRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let id = try ReminderRuleID(context.parameters.require("reminder"))
        try await Self.requireReader(caller)
        let rule: ReminderRuleState?
        do {
            rule = try await caller.workspace.service.reminderRule(id)
        } catch {
            throw Problem(error)
        }
        guard let rule else { throw Problem.notFound("no reminder rule \"\(id)\"") }
        return Self.json(Self.view(rule))
    }

    // MARK: Reading and writing rules

    /// Rules may name any project, so a guest (who sees only their own projects) does not read them;
    /// members, auditors and admins do.
    private static func requireReader(_ caller: Caller) async throws {
        let workspace: WorkspaceState?
        do {
            workspace = try await caller.workspace.service.workspace()
        } catch {
            throw Problem(error)
        }
        guard let record = workspace?.members[caller.member], record.role != .guest else {
            throw Problem(.forbidden, code: "missing-permission", detail: "reminder rules are not readable by guests")
        }
    }

    /// The project whose role the caller acts with: the only project the rule's filter names, if one.
    private static func scope(_ definition: ReminderRuleDefinition) -> ProjectID? {
        definition.filter.projects.count == 1 ? definition.filter.projects[0] : nil
    }

    /// A rule as the API shows it: the definition in the JSON shape of `ReminderRuleCreated`, plus id,
    /// whether it fires, its stream version (for `If-Match`) and how many reminders it has fired.
    private static func view(_ rule: ReminderRuleState) -> JSONValue {
        var members: [String: JSONValue] = [:]
        if let data = try? JSONEncoder().encode(rule.definition), case .object(let definition)? = try? JSONValue(parsing: Array(data)) {
            members = definition
        }
        members["id"] = .string(rule.id.rawValue)
        members["enabled"] = .bool(rule.isEnabled)
        members["version"] = .number(Double(rule.version))
        members["fired"] = .number(Double(rule.fired.count))
        return .object(members)
    }

    private static func json(_ value: JSONValue) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: value.encoded())))
    }

    /// `name`, `trigger`, `filter`?, `recipients`?, `channel`?: the members of `ReminderRuleDefinition`
    /// in its event shape, read as strictly as every body (unknown members anywhere are refused).
    private static func definition(_ body: inout JSONBody) throws -> ReminderRuleDefinition {
        let name = body.string("name")
        let channel = body.optionalString("channel") ?? "inbox"
        let triggerValue = body.optionalValue("trigger")
        let trigger = trigger(triggerValue, &body)
        var filter = ReminderFilter()
        if var nested = body.optionalObject("filter") {
            filter.projects = (nested.optionalStrings("projects") ?? []).map(ProjectID.init(rawValue:))
            for text in nested.optionalStrings("priorities") ?? [] {
                if let priority = Priority(rawValue: text) {
                    filter.priorities.append(priority)
                } else {
                    nested.addError("priorities: one of none, low, medium, high, urgent")
                }
            }
            filter.labels = nested.optionalStrings("labels") ?? []
            body.merge(nested, as: "filter")
        }
        var recipients = ReminderRecipients()
        if var nested = body.optionalObject("recipients") {
            recipients.assignees = nested.optionalBool("assignees") ?? true
            recipients.author = nested.optionalBool("author") ?? false
            recipients.members = (nested.optionalStrings("members") ?? []).map(MemberID.init(rawValue:))
            body.merge(nested, as: "recipients")
        }
        return ReminderRuleDefinition(name: name, trigger: trigger ?? .overdue, filter: filter, recipients: recipients, channel: channel)
    }

    /// The trigger's members, by kind; `overdue` has none.
    private static let triggerMembers: [String: [String]] = [
        "dueWithin": ["seconds"], "overdue": [], "noActivityFor": ["seconds"], "inCategoryLongerThan": ["category", "seconds"],
        "approvalPendingLongerThan": ["seconds"],
    ]

    /// One of `{"dueWithin":{"seconds":86400}}`, `{"overdue":{}}`, `{"noActivityFor":{"seconds":…}}`,
    /// `{"inCategoryLongerThan":{"category":"started","seconds":…}}`, `{"approvalPendingLongerThan":{"seconds":…}}`
    /// — `ReminderTrigger`'s Codable shape, as events record it. Problems go to `body`'s errors.
    private static func trigger(_ value: JSONValue?, _ body: inout JSONBody) -> ReminderTrigger? {
        let kinds = triggerMembers.keys.sorted().joined(separator: ", ")
        guard let value else {
            body.addError("trigger: required (an object with one of \(kinds))")
            return nil
        }
        guard case .object(let outer) = value, outer.count == 1, let only = outer.first, let allowed = triggerMembers[only.key] else {
            body.addError("trigger: expected an object with exactly one of \(kinds)")
            return nil
        }
        let kind = only.key
        let inner = only.value
        guard case .object(let members) = inner else {
            body.addError("trigger.\(kind): expected an object")
            return nil
        }
        var valid = true
        for key in members.keys.sorted() where !allowed.contains(key) {
            body.addError("trigger.\(kind).\(key): unknown member")
            valid = false
        }
        for key in allowed where members[key] == nil {
            body.addError("trigger.\(kind).\(key): required")
            valid = false
        }
        for path in value.numbersOutOfRange(at: "trigger") {
            body.addError("\(path): a number between -10^15 and 10^15")
            valid = false
        }
        guard valid else { return nil }
        do {
            return try JSONDecoder().decode(ReminderTrigger.self, from: Data(value.encoded()))
        } catch {
            let expected =
                kind == "inCategoryLongerThan"
                ? "category (backlog, unstarted, started, completed, canceled) and seconds (an integer)" : "seconds (an integer)"
            body.addError("trigger.\(kind): expected \(expected)")
            return nil
        }
    }
}
