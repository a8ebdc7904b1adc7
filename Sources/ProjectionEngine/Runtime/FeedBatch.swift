/// Events handed by a feed to its writers, decoded once for all of them.
struct FeedBatch: Sendable {
    let events: [DecodedEvent]
    /// The last position this batch covers (for an empty batch: the position the feed has reached).
    let throughPosition: UInt64
    /// Whether `throughPosition` was the log's head when the batch was read: a writer that has applied it
    /// has caught up.
    let atHead: Bool
}
