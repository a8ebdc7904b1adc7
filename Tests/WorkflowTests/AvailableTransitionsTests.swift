import Testing

@testable import Workflow

@Suite struct AvailableTransitionsTests {
    @Test func listsEachReachableStateWithWhatIsMissing() throws {
        var world = Fixture.world()
        try world.task("t1", .create(NewTask(title: "x", assignees: ["dev"])), by: "dev")
        try world.task("t1", .move(to: "todo"), by: "dev")
        let options = try world.options("t1", for: "dev")
        // Enforced: from todo, `start` (doing), `fasttrack` (done) and `cancel` (canceled) are listed.
        #expect(options.map(\.to) == ["doing", "done", "canceled"])
        #expect(options[0].missing == [.requiredFieldsMissing([.estimate])])
        #expect(options[1].isAllowed)
        #expect(options[1].requiresApproval)
        #expect(options[2].missing == [.notAllowed(.roleNotAllowed)])

        let viewer = try world.options("t1", for: "viewer")
        #expect(viewer[0].missing.first == .missingPermission(.taskTransition))
        let pm = try world.options("t1", for: "pm")
        #expect(pm[2].isAllowed)
    }

    @Test func reportsWIPAndPendingApprovals() throws {
        var world = Fixture.world(wip: .hard)
        try Fixture.task("a", in: &world, path: ["todo", "doing"])
        try Fixture.task("b", in: &world, path: ["todo", "doing"])
        try Fixture.task("c", in: &world, path: ["todo"])
        #expect(try world.options("c", for: "dev")[0].missing == [.wipLimitReached(limit: 2, count: 2)])
        try world.task("c", .move(to: "done"), by: "dev")
        #expect(try world.options("c", for: "dev").allSatisfy { $0.missing.contains(.approvalPending("c.a1")) })
    }

    /// The query and `decide` share their checks: an option is allowed exactly when the move succeeds.
    @Test func agreesWithDecideForEveryMemberAndTask() throws {
        var world = Fixture.world(wip: .hard)
        try Fixture.task("a", in: &world, path: ["todo", "doing"])
        try Fixture.task("b", in: &world, author: "dev2", assignees: ["viewer"], path: ["todo"])
        try world.task("c", .create(NewTask(title: "bare")), by: "pm")
        try Fixture.task("d", in: &world, path: ["todo", "doing", "review"])
        for member in Fixture.members {
            for task in ["a", "b", "c", "d"] as [TaskID] {
                for option in try world.options(task, for: member) {
                    var copy = world
                    let code = refusal { try copy.task(task, .move(to: option.to), by: member) }
                    #expect((code == nil) == option.isAllowed, "\(member) moving \(task) to \(option.to): \(code ?? "ok")")
                }
            }
        }
    }
}
