import CommandService
import Foundation
import ProjectionEngine
import Testing
import Workflow

/// Checks of the read models against what the domain itself says, computed independently of the SQL:
/// the command service's states rebuilt from the same replayed log.
@Suite("Built-in projections: hand-checked", .serialized)
struct HandCheckedTests {
    static let projects: [ProjectID] = ["ops", "web", "data"]

    /// Every task of the fixture with its state as the domain folds it.
    private static func domainTasks(_ world: ReplayedWorld) async throws -> [TaskState] {
        let service = try CommandService(log: world.log)
        var tasks: [TaskState] = []
        for payload in world.payloads(of: "TaskCreated") {
            let id = TaskID(payload["taskID"] as! String)
            tasks.append(try #require(try await service.task(id)))
        }
        return tasks
    }

    @Test func boardColumnsHoldTheLiveTasksOfEachState() async throws {
        let world = try await ReplayedWorld.make()
        let service = try CommandService(log: world.log)
        let tasks = try await Self.domainTasks(world)
        for project in Self.projects {
            let counts = try await service.columnCounts(of: project)
            let columns = try await world.rows("board", "columns", ["project": .text(project.rawValue)])
            #expect(!columns.isEmpty)
            var shown = 0
            for column in columns {
                let state = StateID(column["state"] as! String)
                let live = tasks.filter { $0.project == project && !$0.isDeleted && $0.state == state }
                #expect(column["count"] as? Int == counts[state, default: 0], "\(project) \(state) count")
                #expect(column["count"] as? Int == live.count, "\(project) \(state) count")
                let points = live.compactMap(\.estimate).filter { $0.unit == .points }.map(\.amount).reduce(0, +)
                #expect(column["estimate_points"] as? Int == points, "\(project) \(state) points")
                if let limit = column["wip_limit"] as? Int {
                    #expect(column["wip_exceeded"] as? Bool == (live.count > limit))
                }
                // The column's cards: exactly those tasks, by rank (unranked last), then number.
                let cards = try await world.rows(
                    "board", "column", ["project": .text(project.rawValue), "state": .text(state.rawValue), "limit": .integer(500)])
                let expected = live.sorted { ($0.rank ?? "~", $0.number) < ($1.rank ?? "~", $1.number) }.map(\.id.rawValue)
                #expect(cards.map { $0["task"] as! String } == expected, "\(project) \(state) cards")
                for card in cards {
                    let task = try #require(live.first { $0.id.rawValue == card["task"] as? String })
                    #expect((card["pending_approval"] is NSNull) == (task.pendingApproval == nil))
                    #expect((card["assignees"] as? [[String: Any]])?.map { $0["id"] as! String } == task.assignees.map(\.rawValue))
                }
                shown += live.count
            }
            // No live task of the project is missing from the board (all sit in states of the pinned version).
            #expect(shown == tasks.filter { $0.project == project && !$0.isDeleted }.count, "\(project) cards on the board")
            let header = try #require(try await world.rows("board", "project", ["project": .text(project.rawValue)]).first)
            #expect(header["cards"] as? Int == shown)
            #expect(header["estimate_points"] as? Int == columns.map { $0["estimate_points"] as! Int }.reduce(0, +))
            #expect(header["overdue"] as? Int == columns.map { $0["overdue"] as! Int }.reduce(0, +))
        }
        await world.close()
    }

    @Test func taskViewEqualsTheDomainState() async throws {
        let world = try await ReplayedWorld.make()
        for task in try await Self.domainTasks(world) {
            let rows = try await world.rows("task", "task", ["task": .text(task.id.rawValue)])
            let row = try #require(rows.first)
            #expect(row["key"] as? String == task.key)
            #expect(row["title"] as? String == task.title)
            #expect(row["state"] as? String == task.state.rawValue)
            #expect(row["category"] as? String == task.category.rawValue)
            #expect(row["priority"] as? String == task.priority.rawValue)
            #expect((row["assignees"] as? [[String: Any]])?.map { $0["id"] as! String } == task.assignees.map(\.rawValue))
            #expect(row["labels"] as? [String] == task.labels)
            #expect(row["estimate"] as? String == task.estimate?.description)
            #expect(row["due_date"] as? String == task.dueDate?.description)
            #expect(row["comments"] as? Int == task.comments.values.filter { !$0.isDeleted }.count)
            #expect((row["pending_approval"] as? [String: Any])?["approval"] as? String == task.pendingApproval?.id.rawValue)
            #expect(row["created_at"] as? String == task.createdAt.description)
            #expect(row["updated_at"] as? String == task.updatedAt.description)
            #expect(row["completed_at"] as? String == task.completedAt?.description)
            #expect(row["deleted_at"] as? String == task.deletedAt?.description)
            #expect(row["version"] as? Int == Int(task.version))
        }
        await world.close()
    }

    @Test func progressAddsUp() async throws {
        let world = try await ReplayedWorld.make()
        let tasks = try await Self.domainTasks(world)
        for project in Self.projects {
            let live = tasks.filter { $0.project == project && !$0.isDeleted }
            let summary = try #require(try await world.rows("progress", "summary", ["project": .text(project.rawValue)]).first)
            #expect(summary["tasks"] as? Int == live.count)
            for category in StateCategory.allCases {
                #expect(summary[category.rawValue] as? Int == live.filter { $0.category == category }.count, "\(project) \(category)")
            }
            let scope = live.filter { $0.category != .canceled }.count
            let done = live.filter { $0.category == .completed }.count

            // The burndown's last day ends where the summary is; every day follows from its counters.
            let burndown = try await world.rows("progress", "burndown", ["project": .text(project.rawValue)])
            let last = try #require(burndown.last)
            #expect(last["scope"] as? Int == scope, "\(project) scope")
            #expect(last["done"] as? Int == done, "\(project) done")
            #expect(last["remaining"] as? Int == scope - done)
            #expect((last["ideal"] as? NSNumber)?.doubleValue == 0)
            var previous: [String: Any]?
            for day in burndown {
                let scopeToday = day["scope"] as! Int
                #expect(day["remaining"] as? Int == scopeToday - (day["done"] as! Int))
                if let previous {
                    let scopeBefore = previous["scope"] as! Int
                    #expect(scopeToday - scopeBefore == (day["added"] as! Int) - (day["removed"] as! Int), "\(project) \(day["day"]!)")
                    #expect((day["done"] as! Int) - (previous["done"] as! Int) <= day["completed"] as! Int)
                }
                previous = day
            }
            // Every creation is an addition on its day (no task of the fixture is born canceled).
            let added = burndown.map { $0["added"] as! Int }.reduce(0, +)
            let created = world.payloads(of: "TaskCreated").filter { $0["projectID"] as? String == project.rawValue }.count
            #expect(added >= created)

            let byAssignee = try await world.rows("progress", "by_assignee", ["project": .text(project.rawValue)])
            let assignments = live.map { max(1, $0.assignees.count) }.reduce(0, +)
            #expect(byAssignee.map { $0["tasks"] as! Int }.reduce(0, +) == assignments)

            let cycle = try await world.rows("progress", "cycle_time", ["project": .text(project.rawValue)])
            #expect(cycle.count == done)
            for row in cycle { #expect((row["cycle_days"] as! NSNumber).doubleValue >= 0) }
        }
        await world.close()
    }

    @Test func historyHasOneRowPerChange() async throws {
        let world = try await ReplayedWorld.make()
        var expected: [String: Int] = [:]
        for event in world.events where (event["subject"] as? String)?.hasPrefix("task-") == true {
            let task = String((event["subject"] as! String).dropFirst("task-".count))
            let changes = ((event["data"] as? [String: Any])?["changes"] as? [Any])?.count ?? 1
            expected[task, default: 0] += max(1, changes)
        }
        for (task, count) in expected {
            let newest = try await world.rows("task_history", "history", ["task": .text(task), "limit": .integer(500)])
            let oldest = try await world.rows("task_history", "history", ["task": .text(task), "order": .text("oldest"), "limit": .integer(500)])
            #expect(newest.count == count, "\(task)")
            #expect(jsonEqual(Array(newest.reversed()), oldest), "\(task)")
            #expect(oldest.first?["type"] as? String == "TaskCreated")
        }
        await world.close()
    }

    @Test func auditAndActivityRecordEveryEvent() async throws {
        let world = try await ReplayedWorld.make()
        let trail = try await world.allRows("audit", "events", ["limit": .integer(200)]).0
        #expect(trail.map { $0["position"] as! Int } == Array((1...world.events.count).reversed()))
        for row in trail {
            let summary = row["summary"] as! String
            #expect(!summary.hasSuffix(" on " + (row["stream"] as! String)), "no summary for \(row["type"]!)")
        }
        let activity = try await world.rows("activity", "activity", [:])
        let acted = world.events.filter { $0["actor"] is String }.count
        #expect(activity.map { $0["events"] as! Int }.reduce(0, +) == acted)
        await world.close()
    }
}
