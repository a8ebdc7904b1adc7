/// Finds tasks whose due date has ended while they are open: a pure function of (tasks, now), like
/// `ReminderEvaluation`. The scheduler runs it periodically and appends what it returns to the tasks'
/// streams (each with the task's expected version, so a task changed meanwhile is evaluated again).
///
/// ```swift
/// let overdue = OverdueEvaluation.evaluate(tasks: openTasks, now: now)   // [DomainEvent], TaskBecameOverdue
/// ```
///
/// Idempotent per (task, due date): a task records the due date it was found overdue for
/// (`TaskState.overdueFor`), so running twice, or after a crash mid-way, records nothing twice; moving
/// the due date gives a new date that can become overdue in its turn. Due dates are calendar days, taken
/// to end at 24:00 UTC, as for reminders.
public enum OverdueEvaluation {
    public static func evaluate(tasks: [TaskState], now: Instant) -> [DomainEvent] {
        var events: [DomainEvent] = []
        for task in tasks.sorted(by: { $0.id < $1.id }) {
            guard let due = isOverdue(task, at: now) else { continue }
            events.append(DomainEvent(stream: .task(task.id), at: now, TaskBecameOverdue(taskID: task.id, dueDate: due)))
        }
        return events
    }

    /// The due date `task` has newly become overdue for at `now`, or nil. Deleted and archived tasks are
    /// off the board, and a completed or canceled task is not late.
    public static func isOverdue(_ task: TaskState, at now: Instant) -> CalendarDate? {
        guard !task.isDeleted, !task.isArchived, task.isOpen, let due = task.dueDate, task.overdueFor != due else { return nil }
        let endOfDueDate = ReminderEvaluation.startOfDay(due).adding(seconds: 86_400)
        return now >= endOfDueDate ? due : nil
    }
}
