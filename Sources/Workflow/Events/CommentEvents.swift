/// A comment was added to a task.
public struct CommentAdded: EventPayload {
    public static let type = "CommentAdded"
    public static let schemaVersion = 1
    public var taskID: TaskID
    public var commentID: CommentID
    public var author: MemberID
    public var body: String
}

/// A comment's body was edited. The previous body is kept, in the event and in the comment's revisions.
public struct CommentEdited: EventPayload {
    public static let type = "CommentEdited"
    public static let schemaVersion = 1
    public var taskID: TaskID
    public var commentID: CommentID
    public var previousBody: String
    public var body: String
}

/// A comment was soft-deleted: hidden, restorable.
public struct CommentDeleted: EventPayload {
    public static let type = "CommentDeleted"
    public static let schemaVersion = 1
    public var taskID: TaskID
    public var commentID: CommentID
}

/// A soft-deleted comment was restored.
public struct CommentRestored: EventPayload {
    public static let type = "CommentRestored"
    public static let schemaVersion = 1
    public var taskID: TaskID
    public var commentID: CommentID
}
