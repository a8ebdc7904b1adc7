import Foundation
import Testing

@testable import Workflow

/// Decodes a payload as the command service will: the envelope's type and schema version come through
/// `userInfo`, the payload is the JSON value itself.
private struct PayloadBox: Decodable {
    static let typeKey = CodingUserInfoKey(rawValue: "type")!
    static let schemaKey = CodingUserInfoKey(rawValue: "schema")!
    let body: EventBody

    init(from decoder: any Decoder) throws {
        let type = decoder.userInfo[Self.typeKey] as! String
        let schema = decoder.userInfo[Self.schemaKey] as! Int
        body = try EventBody.decode(type: type, schemaVersion: schema, from: decoder)
    }
}

private func roundTrip(_ body: EventBody, schema: Int? = nil) throws -> EventBody {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    let data = try encoder.encode(EncodableBody(body: body))
    let decoder = JSONDecoder()
    decoder.userInfo[PayloadBox.typeKey] = body.type
    decoder.userInfo[PayloadBox.schemaKey] = schema ?? body.schemaVersion
    return try decoder.decode(PayloadBox.self, from: data).body
}

private struct EncodableBody: Encodable {
    let body: EventBody
    func encode(to encoder: any Encoder) throws { try body.encodePayload(to: encoder) }
}

@Suite struct EventCodingTests {
    /// A scenario that produces every event type of the catalogue.
    static func everyEvent() throws -> [DomainEvent] {
        var world = Fixture.world()
        try world.workspace(.changeSettings(timeZone: .set("UTC")), by: "admin")
        try world.workspace(.addMember(NewMember(id: "temp", displayName: "Temp", email: "temp@acme.test")), by: "admin")
        try world.workspace(.changeMemberRole("temp", to: .guest), by: "admin")
        try world.project("p1", .addMember("temp", role: .viewer), by: "pm")
        try world.project("p1", .changeMemberRole("temp", to: .member), by: "pm")
        try world.project("p1", .removeMember("temp"), by: "pm")
        try world.workspace(.removeMember("temp"), by: "admin")
        try world.project("p1", .update(ProjectChanges(description: .set("Keeps the lights on"))), by: "pm")
        try world.project("p1", .archive, by: "pm")
        try world.project("p1", .restore, by: "pm")
        var next = Fixture.definition
        next.states[0].name = "Icebox"
        try world.workflow("wf", .publish(next), by: "admin")
        try world.project("p1", .pinWorkflow(WorkflowPin(workflow: "wf", version: 2)), by: "pm")

        try Fixture.task("t1", in: &world, path: ["todo", "doing"])
        try world.task("t1", .edit(title: .set("Renamed")), by: "dev")
        try world.task("t1", .assign("dev2"), by: "dev")
        try world.task("t1", .unassign("dev2"), by: "dev")
        try world.task("t1", .setPriority(.high), by: "dev")
        try world.task("t1", .setDates(start: nil, due: CalendarDate(year: 2027, month: 1, day: 31)), by: "dev")
        try world.task("t1", .setEstimate(nil), by: "dev")
        try world.project("p1", .updateLabel(name: "ops", description: .set("Operational work")), by: "pm")
        try world.task("t1", .setLabels(["ops"]), by: "dev")
        try world.task("t1", .reorder(rank: "a1"), by: "dev")
        try world.task("t1", .addComment("c1", body: "first"), by: "dev")
        try world.task("t1", .editComment("c1", body: "second"), by: "dev")
        try world.task("t1", .deleteComment("c1"), by: "dev")
        try world.task("t1", .restoreComment("c1"), by: "dev")
        try world.task("t1", .move(to: "review"), by: "dev")
        try world.task("t1", .move(to: "done", reason: "please"), by: "dev")
        try world.task("t1", .decideApproval("t1.a1", .reject, comment: "not yet"), by: "qa")
        try world.task("t1", .move(to: "review"), by: "dev")
        try world.task("t1", .move(to: "done"), by: "dev")
        try world.task("t1", .cancelApproval("t1.a2"), by: "dev")
        try world.task("t1", .move(to: "done"), by: "dev")
        world.advance(seconds: 86_400)
        try world.task("t1", .expireApproval("t1.a3"), by: "qa")
        try world.task("t1", .move(to: "done"), by: "dev")
        try world.task("t1", .decideApproval("t1.a4", .approve), by: "qa")
        try world.task("t1", .move(to: "todo"), by: "pm")
        try world.task("t1", .move(to: "canceled"), by: "pm")
        try world.task("t1", .delete, by: "pm")
        try world.task("t1", .restore, by: "pm")
        let rule = ReminderRuleDefinition(name: "Stale work", trigger: .noActivityFor(seconds: 3_600))
        try world.reminder("r1", .create(rule), by: "admin")
        let canceledTooLong = ReminderRuleDefinition(name: "Canceled for long", trigger: .inCategoryLongerThan(category: .canceled, seconds: 7_200))
        try world.reminder("r1", .change(canceledTooLong), by: "admin")
        try world.reminder("r1", .disable, by: "admin")
        try world.reminder("r1", .enable, by: "admin")
        world.advance(seconds: 7_200)
        world.evaluateReminders()
        try everyCatalogueAddition(&world)
        // In stream order, so that "the first example of a type" is the same on every run.
        return world.streams.sorted { $0.key < $1.key }.flatMap(\.value)
    }

    /// The events added with milestones, documents, tokens, labels, the task structure, the security
    /// audit and workflow migration.
    static func everyCatalogueAddition(_ world: inout World) throws {
        try world.project("p1", .createLabel(name: "legacy", color: "#AABBCC", description: "Old"), by: "pm")
        try world.project("p1", .deleteLabel(name: "legacy"), by: "pm")

        try Fixture.task("t2", in: &world)
        try world.task("t2", .setParent("t1"), by: "dev")
        try world.milestone("s1", .create(NewMilestone(kind: .sprint, name: "Sprint 1")), by: "pm")
        try world.milestone("s1", .update(MilestoneChanges(dueDate: .set(CalendarDate(year: 2026, month: 10, day: 2)))), by: "pm")
        try world.milestone("s2", .create(NewMilestone(kind: .sprint, name: "Sprint 2")), by: "pm")
        try world.task("t2", .addToMilestone("s1"), by: "dev")
        try world.milestone("s1", .start, by: "pm")
        try world.milestone("s1", .close(carryOverTo: "s2"), by: "pm")
        try world.task("t2", .removeFromMilestone, by: "dev")
        try world.task("t2", .setDates(start: nil, due: CalendarDate(year: 2026, month: 9, day: 1)), by: "dev")
        world.evaluateOverdue()
        try world.task("t2", .archive, by: "pm")
        try world.task("t2", .unarchive, by: "pm")

        let file = DocumentFile(fileName: "spec.pdf", contentType: "application/pdf", sizeBytes: 52_431, sha256: String(repeating: "ab", count: 32))
        try world.document("d1", .add(NewDocument(attachedTo: .task("t2"), title: "Specification", file: file)), by: "dev")
        var second = file
        second.sizeBytes = 53_002
        second.sha256 = String(repeating: "cd", count: 32)
        try world.document("d1", .addVersion(second), by: "dev")
        try world.document("d1", .share(.member("outsider")), by: "dev")
        try world.document("d1", .unshare(.member("outsider")), by: "dev")
        try world.document("d1", .remove, by: "dev")

        try world.token("tk1", .issue(NewToken(member: "dev", name: "CI deploys", secretHash: String(repeating: "0f", count: 32))), by: "admin")
        try world.token("tk1", .revoke(reason: "rotated"), by: "dev")
        do {
            try world.project("p1", .archive, by: "dev")
        } catch {
            let denied = AccessDenied.record(
                error, member: "dev", token: "tk2", stream: .project("p1"), command: "ProjectCommand.archive", at: world.now)
            world.apply(denied.map { [$0] } ?? [])
        }

        var next = Fixture.definition
        next.states[1].name = "Ready"
        try world.workflow("wf", .publish(next), by: "admin")
        var mapping: [StateID: StateID] = [:]
        for state in next.states { mapping[state.id] = state.id }
        let from = WorkflowPin(workflow: "wf", version: 2)
        try world.project("p1", .migrateTasks(from: from, to: WorkflowPin(workflow: "wf", version: 3), mapping: mapping), by: "pm")
    }

    @Test func theScenarioCoversTheCatalogue() throws {
        let produced = Set(try Self.everyEvent().map(\.type))
        let catalogue = Set(EventBody.catalogue.map { $0.type })
        #expect(catalogue.count == EventBody.catalogue.count, "type names are unique")
        #expect(catalogue.subtracting(produced).isEmpty, "not produced: \(catalogue.subtracting(produced).sorted())")
    }

    @Test func everyPayloadRoundTripsThroughJSON() throws {
        for event in try Self.everyEvent() {
            #expect(try roundTrip(event.body) == event.body, "\(event.type)")
        }
    }

    @Test func unknownTypesAndNewerSchemasAreRefused() throws {
        let body = EventBody.taskDeleted(TaskDeleted(taskID: "t1"))
        #expect(throws: EventDecodingError.unsupportedSchema(type: "TaskDeleted", version: 2, known: 1)) {
            try roundTrip(body, schema: 2)
        }
        let decoder = JSONDecoder()
        decoder.userInfo[PayloadBox.typeKey] = "TaskTeleported"
        decoder.userInfo[PayloadBox.schemaKey] = 1
        #expect(throws: EventDecodingError.unknownType("TaskTeleported")) {
            try decoder.decode(PayloadBox.self, from: Data("{}".utf8))
        }
    }

    @Test func fieldChangesHaveTheDocumentedShape() throws {
        let change = FieldChange(field: "assignee", from: nil, to: .text("m-7"), toDisplay: "Ada")
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(change), as: UTF8.self)
        #expect(json == #"{"field":"assignee","to":"m-7","toDisplay":"Ada"}"#)
        let list = FieldChange(field: "labels", from: .list(["a"]), to: .list([]))
        #expect(try JSONDecoder().decode(FieldChange.self, from: encoder.encode(list)) == list)
    }

    @Test func approvalPoliciesEncodeTheirModeAsText() throws {
        let policy = ApprovalPolicy(approverMembers: ["a", "b"], mode: .quorum(2))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(policy), as: UTF8.self)
        #expect(json.contains(#""mode":"quorum","quorum":2"#))
        #expect(try JSONDecoder().decode(ApprovalPolicy.self, from: Data(json.utf8)) == policy)
    }

    @Test func streamNamesAndKinds() {
        #expect(StreamName.task("t1").rawValue == "task-t1")
        #expect(StreamName.task("t1").kind == .task)
        #expect(StreamName.project("p").kind == .project)
        #expect(StreamName.workflow("w").kind == .workflow)
        #expect(StreamName.workspace.kind == .workspace)
        #expect(StreamName.milestone("m").rawValue == "milestone-m")
        #expect(StreamName.milestone("m").kind == .milestone)
        #expect(StreamName.document("d").kind == .document)
        #expect(StreamName.token("k").kind == .token)
        #expect(StreamName.security.kind == .security)
        #expect(StreamName(rawValue: "elsewhere").kind == nil)
    }
}

@Suite struct ValueTests {
    @Test func instantsAreRFC3339InUTC() throws {
        let instant = Instant(unixMicros: 1_795_773_823_123_456)
        #expect(instant.description == "2026-11-27T10:03:43.123456Z")
        #expect(Instant(rfc3339: instant.description) == instant)
        #expect(Instant(rfc3339: "2026-11-27T10:03:43Z") == Instant(unixMicros: 1_795_773_823_000_000))
        #expect(Instant(rfc3339: "2026-11-27T10:03:43.5Z") == Instant(unixMicros: 1_795_773_823_500_000))
        #expect(Instant(rfc3339: "1969-12-31T23:59:59.000000Z") == Instant(unixMicros: -1_000_000))
        #expect(Instant(unixMicros: -1).description == "1969-12-31T23:59:59.999999Z")
        #expect(Instant(rfc3339: "2026-11-27 10:03:43Z") == nil)
        #expect(Instant(rfc3339: "2026-11-27T10:03:43+01:00") == nil)
        #expect(Instant(rfc3339: "2026-02-30T10:03:43Z") == nil)
        #expect(Instant(unixMicros: .max).adding(seconds: 1) == Instant(unixMicros: .max))
    }

    @Test func calendarDates() {
        #expect(CalendarDate(iso: "2028-02-29")?.description == "2028-02-29")
        #expect(CalendarDate(iso: "2027-02-29") == nil)
        #expect(CalendarDate(iso: "2100-02-29") == nil)
        #expect(CalendarDate(iso: "2000-02-29") != nil)
        #expect(CalendarDate(iso: "2026-13-01") == nil)
        #expect(CalendarDate(iso: "26-01-01") == nil)
        #expect(CalendarDate(year: 2026, month: 1, day: 2)! < CalendarDate(year: 2026, month: 2, day: 1)!)
        for days: Int64 in [-800_000, -1, 0, 59, 60, 365, 11_016, 2_932_896] {
            #expect(CalendarDate(daysSinceEpoch: days).daysSinceEpoch == days)
        }
    }

    @Test func estimatesAndIdentifiers() {
        #expect(Estimate("5pt") == Estimate(amount: 5, unit: .points))
        #expect(Estimate("8h")?.description == "8h")
        #expect(Estimate("8 days") == nil)
        #expect(Estimate("-1h") == nil)
        #expect(refusal { try TaskID("ok-1_2.3").validated(limits: .standard) } == nil)
        #expect(refusal { try TaskID("").validated(limits: .standard) } == "validation-failed")
        #expect(refusal { try TaskID("a/b").validated(limits: .standard) } == "validation-failed")
        // A URL cannot address these two (a path normalises them away); the others with dots are fine.
        #expect(refusal { try TaskID(".").validated(limits: .standard) } == "validation-failed")
        #expect(refusal { try TaskID("..").validated(limits: .standard) } == "validation-failed")
        #expect(refusal { try TaskID("...").validated(limits: .standard) } == nil)
        #expect(refusal { try TaskID(".a").validated(limits: .standard) } == nil)
        #expect(refusal { try TaskID(String(repeating: "a", count: 65)).validated(limits: .standard) } == "limit-exceeded")
    }

    @Test func everyErrorHasAStableKebabCaseCode() {
        let samples: [DomainError] = [
            .validationFailed(field: "f", reason: "r"), .limitExceeded(field: "f", limit: 1, actual: 2), .notFound(kind: "k", id: "i"),
            .alreadyExists(kind: "k", id: "i"), .versionConflict(expected: 1, actual: 2), .missingPermission(.taskCreate),
            .lastAdmin("a"), .projectArchived("p"), .taskDeleted("t"), .commentDeleted("c"), .stateReadOnly("s"),
            .transitionNotAllowed(from: "a", to: "b", reason: .noSuchTransition), .requiredFieldMissing([.estimate]),
            .wipLimitExceeded(state: "s", limit: 1, count: 1), .approvalPending("a"), .approvalNotPending("a"),
            .notAnApprover("m"), .selfApprovalNotAllowed("m"), .alreadyDecided("m"), .approvalExpired("a"),
            .taskArchived("t"), .documentRemoved("d"), .parentCycle("t"), .milestoneClosed("m"), .sprintAlreadyActive("m"),
            .sprintNotActive("m"), .documentTooLarge(limit: 1, actual: 2), .stateNotMapped("s"), .migrationTooLarge(limit: 1, count: 2),
        ]
        let codes = samples.map(\.code)
        #expect(Set(codes).count == codes.count)
        for code in codes {
            #expect(code.allSatisfy { $0.isLowercase || $0 == "-" })
        }
        for code in [
            "transition-not-allowed", "approval-pending", "wip-limit-exceeded", "required-field-missing", "missing-permission",
            "version-conflict", "not-found", "validation-failed",
        ] {
            #expect(codes.contains(code))
        }
        #expect(samples.allSatisfy { !$0.description.isEmpty })
    }
}
