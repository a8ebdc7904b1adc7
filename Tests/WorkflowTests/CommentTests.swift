import Testing

@testable import Workflow

@Suite struct CommentTests {
    func world() throws -> World {
        var world = Fixture.world()
        try Fixture.task("t1", in: &world)
        return world
    }

    @Test func addingNeedsCommentCreate() throws {
        var world = try world()
        #expect(refusal { try world.task("t1", .addComment("c1", body: "hello"), by: "viewer") } == nil)
        #expect(refusal { try world.task("t1", .addComment("c2", body: "hello"), by: "outsider") } == "missing-permission")
        #expect(refusal { try world.task("t1", .addComment("c3", body: "hello"), by: "auditor") } == "missing-permission")
        #expect(refusal { try world.task("t1", .addComment("c1", body: "again"), by: "dev") } == "already-exists")
        #expect(world.tasks["t1"]?.comments["c1"]?.author == "viewer")
    }

    @Test func bodiesAreValidatedAndLimited() throws {
        var world = try world()
        #expect(refusal { try world.task("t1", .addComment("c1", body: "  \n "), by: "dev") } == "validation-failed")
        #expect(refusal { try world.task("t1", .addComment("c1", body: "bell \u{7}"), by: "dev") } == "validation-failed")
        let long = String(repeating: "x", count: world.limits.commentBytesMax + 1)
        #expect(refusal { try world.task("t1", .addComment("c1", body: long), by: "dev") } == "limit-exceeded")
        #expect(refusal { try world.task("t1", .addComment("c1", body: "line one\nline two"), by: "dev") } == nil)
        world.limits.commentsPerTaskMax = 1
        #expect(refusal { try world.task("t1", .addComment("c2", body: "x"), by: "dev") } == "limit-exceeded")
    }

    @Test func editKeepsThePreviousBodyAndOnlyTheAuthorEdits() throws {
        var world = try world()
        try world.task("t1", .addComment("c1", body: "first"), by: "dev")
        #expect(refusal { try world.task("t1", .editComment("c1", body: "hijack"), by: "pm") } == "missing-permission")
        let events = try world.task("t1", .editComment("c1", body: "second"), by: "dev")
        guard case .commentEdited(let edited) = events.first?.body else {
            Issue.record("expected CommentEdited")
            return
        }
        #expect(edited.previousBody == "first")
        try world.task("t1", .editComment("c1", body: "third"), by: "dev")
        let comment = try #require(world.tasks["t1"]?.comments["c1"])
        #expect(comment.body == "third")
        #expect(comment.previousBodies == ["first", "second"])
        #expect(refusal { try world.task("t1", .editComment("c9", body: "x"), by: "dev") } == "not-found")
    }

    @Test func deleteIsSoftAndRestorable() throws {
        var world = try world()
        try world.task("t1", .addComment("c1", body: "mine"), by: "dev")
        try world.task("t1", .addComment("c2", body: "also mine"), by: "dev")
        #expect(refusal { try world.task("t1", .deleteComment("c1"), by: "dev2") } == "missing-permission")
        #expect(refusal { try world.task("t1", .deleteComment("c1"), by: "dev") } == nil)  // own comment
        #expect(refusal { try world.task("t1", .deleteComment("c2"), by: "pm") } == nil)  // comment.delete.any
        #expect(world.tasks["t1"]?.comments["c1"]?.isDeleted == true)
        #expect(world.tasks["t1"]?.comments["c1"]?.body == "mine")
        #expect(refusal { try world.task("t1", .editComment("c1", body: "x"), by: "dev") } == "comment-deleted")
        #expect(try world.task("t1", .deleteComment("c1"), by: "dev").isEmpty)
        #expect(refusal { try world.task("t1", .restoreComment("c1"), by: "dev2") } == "missing-permission")
        try world.task("t1", .restoreComment("c1"), by: "dev")
        #expect(world.tasks["t1"]?.comments["c1"]?.isDeleted == false)
    }

    @Test func commentsAreAllowedInReadOnlyStatesButNotOnDeletedTasks() throws {
        var world = Fixture.world()
        try Fixture.task("t1", in: &world, path: ["todo", "doing", "review"])
        #expect(refusal { try world.task("t1", .addComment("c1", body: "reviewing"), by: "qa") } == nil)
        try world.task("t1", .move(to: "canceled"), by: "pm")
        try world.task("t1", .delete, by: "pm")
        #expect(refusal { try world.task("t1", .addComment("c2", body: "x"), by: "qa") } == "task-deleted")
    }
}
