import CommandService
import EventLog
import Foundation
import TestSupport
import Testing
import Workflow

@Suite("Fixture history", .serialized)
struct FixtureHistoryTests {
    /// The builder still produces `Fixtures/projections/history.ndjson` byte for byte
    /// (`TASKLEDGER_WRITE_GOLDEN=1` rewrites it).
    @Test func builderReproducesTheCheckedInHistory() async throws {
        let text = try await FixtureFile.builtHistory()
        if FixtureFile.isWritingGolden {
            try FileManager.default.createDirectory(
                atPath: (FixtureFile.historyPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: FixtureFile.historyPath, atomically: true, encoding: .utf8)
        }
        let stored = try String(contentsOfFile: FixtureFile.historyPath, encoding: .utf8)
        #expect(stored == text, "the fixture builder's history changed; rerun with TASKLEDGER_WRITE_GOLDEN=1 and review the golden files")
    }

    /// The history has every event type of docs/events.md (but TaskNumberReserved, which is going away)
    /// and the corner cases the projections must handle.
    @Test func historyCoversTheCornerCases() throws {
        let text = try String(contentsOfFile: FixtureFile.historyPath, encoding: .utf8)
        var types: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let event = try FixtureFile.proposedEvent(line: String(line))
            types[event.type, default: 0] += 1
        }
        for type in [
            "WorkspaceCreated", "WorkspaceSettingsChanged", "MemberAdded", "MemberRoleChanged", "MemberRemoved", "ProjectCreated",
            "ProjectUpdated", "ProjectArchived", "ProjectRestored", "ProjectMemberAdded", "ProjectMemberRoleChanged",
            "ProjectMemberRemoved", "ProjectWorkflowChanged", "WorkflowCreated", "WorkflowVersionPublished", "TaskCreated",
            "TaskEdited", "TaskAssigned", "TaskUnassigned", "TaskPriorityChanged", "TaskDatesChanged", "TaskEstimateChanged",
            "TaskLabelsChanged", "TaskMoved", "TaskReordered", "TaskCompleted", "TaskReopened", "TaskDeleted", "TaskRestored",
            "CommentAdded", "CommentEdited", "CommentDeleted", "CommentRestored", "ApprovalRequested", "ApprovalDecisionRecorded",
            "ApprovalGranted", "ApprovalRejected", "ApprovalCancelled", "ApprovalExpired", "ReminderRuleCreated",
            "ReminderRuleChanged", "ReminderRuleDisabled", "ReminderRuleEnabled", "ReminderFired",
        ] {
            #expect(types[type, default: 0] > 0, "no \(type) in the fixture history")
        }
        let created = types["TaskCreated", default: 0]
        #expect((40...60).contains(created), "\(created) tasks")
        #expect(text.contains(#""wipLimitExceeded":true"#), "no soft WIP limit ran over")
    }
}
