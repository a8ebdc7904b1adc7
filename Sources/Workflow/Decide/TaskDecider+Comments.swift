extension TaskDecider {
    // MARK: Comments

    /// Comments are allowed in read-only states (rule 2): review columns are where discussion happens.
    static func addComment(
        _ id: CommentID, body: String, task: TaskState, actor: Actor, context: TaskContext
    ) throws(DomainError) -> [DomainEvent] {
        try actor.require(.commentCreate)
        try requireLive(task, context)
        let limits = context.limits
        try id.validated(limits: limits)
        if task.comments[id] != nil { throw .alreadyExists(kind: "comment", id: id.rawValue) }
        guard task.comments.count < limits.commentsPerTaskMax else {
            throw .limitExceeded(field: "comments", limit: limits.commentsPerTaskMax, actual: task.comments.count + 1)
        }
        let body = try Text.multiLine(body, field: "body", bytesMax: limits.commentBytesMax, allowEmpty: false)
        return [Emitter(task: task.id, now: context.now)(CommentAdded(taskID: task.id, commentID: id, author: actor.member, body: body))]
    }

    /// Only the author edits a comment: nobody may put words in someone else's mouth. The previous body
    /// is kept.
    static func editComment(
        _ id: CommentID, body: String, task: TaskState, actor: Actor, context: TaskContext
    ) throws(DomainError) -> [DomainEvent] {
        guard let comment = task.comments[id] else { throw .notFound(kind: "comment", id: id.rawValue) }
        guard comment.author == actor.member, actor.has(.commentUpdateOwn) else { throw .missingPermission(.commentUpdateOwn) }
        try requireLive(task, context)
        if comment.isDeleted { throw .commentDeleted(id) }
        let limits = context.limits
        let body = try Text.multiLine(body, field: "body", bytesMax: limits.commentBytesMax, allowEmpty: false)
        guard body != comment.body else { return [] }
        guard comment.previousBodies.count < limits.commentEditsMax else {
            throw .limitExceeded(field: "comment edits", limit: limits.commentEditsMax, actual: comment.previousBodies.count + 1)
        }
        return [
            Emitter(task: task.id, now: context.now)(
                CommentEdited(taskID: task.id, commentID: id, previousBody: comment.body, body: body))
        ]
    }

    /// Soft delete (or restore): the author with `comment.update.own`, or a moderator with
    /// `comment.delete.any`. Deleting or restoring twice changes nothing and succeeds.
    static func deleteComment(
        _ id: CommentID, restore: Bool, task: TaskState, actor: Actor, context: TaskContext
    ) throws(DomainError) -> [DomainEvent] {
        guard let comment = task.comments[id] else { throw .notFound(kind: "comment", id: id.rawValue) }
        let mayAsAuthor = comment.author == actor.member && actor.has(.commentUpdateOwn)
        guard mayAsAuthor || actor.has(.commentDeleteAny) else { throw .missingPermission(.commentDeleteAny) }
        try requireLive(task, context)
        guard comment.isDeleted == restore else { return [] }
        let emit = Emitter(task: task.id, now: context.now)
        return [restore ? emit(CommentRestored(taskID: task.id, commentID: id)) : emit(CommentDeleted(taskID: task.id, commentID: id))]
    }
}
