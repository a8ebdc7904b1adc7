import CommandService
import EventLog
import TestSupport
import Testing
import Workflow

@Suite("The scheduler: reminders, overdue tasks, expired approvals")
struct ScheduleTests {
    @Test("past the due date: the task becomes overdue and the rule fires, once; a second run appends nothing")
    func overdueAndReminders() async throws {
        let harness = try await Harness.make()
        let service = harness.service
        let due = CalendarDate(year: 2026, month: 9, day: 30)!  // the harness clock starts on 2026-09-21
        try await service.execute(
            TaskCommand(task: "t1", .create(NewTask(title: "Renew the certificate", assignees: ["dev"], dueDate: due))), project: "p1",
            metadata: metadata("dev"))
        try await service.execute(
            ReminderCommand(rule: "late", .create(ReminderRuleDefinition(name: "Overdue work", trigger: .overdue))), metadata: metadata("admin"))

        var run = try await service.runSchedules()
        #expect(run == CommandService.ScheduleRun(remindersFired: 0, tasksOverdue: 0, approvalsExpired: 0, tasksEvaluated: 1))

        harness.clock.advance(seconds: 12 * 86_400)
        run = try await service.runSchedules()
        #expect(run.tasksOverdue == 1 && run.remindersFired == 1, "\(run)")
        let overdue = try harness.log.readStream("task-t1").last
        #expect(overdue?.type == "TaskBecameOverdue")
        #expect(EventEnvelopeMapping.actor(of: overdue!)?.member == "scheduler")
        #expect(overdue?.extensions["origin"] == .string("scheduler"))
        let fired = try harness.log.readStream("reminder-late").last
        #expect(fired?.type == "ReminderFired")

        let head = harness.log.head.position
        run = try await service.runSchedules()
        #expect(run.tasksOverdue == 0 && run.remindersFired == 0)
        #expect(harness.log.head.position == head, "idempotent: nothing appended twice")
        await harness.log.close()
    }
}
