/// A comment on a task (kept in the task's stream: comments are allowed wherever the task is, and a
/// task's history reads in one stream).
public struct CommentState: Hashable, Sendable {
    public var id: CommentID
    public var author: MemberID
    public var body: String
    /// Earlier bodies, oldest first: an edit keeps what was there before.
    public var previousBodies: [String]
    public var isDeleted: Bool
    public var createdAt: Instant
    public var editedAt: Instant?
}
