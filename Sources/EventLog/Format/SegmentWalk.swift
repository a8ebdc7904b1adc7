/// What a visitor of `SegmentCursor.walk` decides after each batch.
enum BatchVisit {
    /// Go on to the next batch.
    case next
    /// End the walk here: the visitor has what it wanted.
    case stop
    /// The batch is intact but wrong (a failed check): the walk ends, and reports damage at this batch.
    case reject(reason: String)
}

/// Bytes of a segment that are not a valid batch, or a batch a visitor rejected.
struct SegmentDamage {
    let offset: Int64
    let reason: String
    /// Set when the batch's header was intact.
    let header: BatchHeader?
}

/// How `SegmentCursor.walk` ended.
enum SegmentWalkEnd {
    /// Every batch was visited; the segment's data ends at `dataEnd` (the file's end, or its filler).
    case complete(dataEnd: Int64)
    /// The visitor stopped the walk.
    case stopped
    /// An unfinished final write of the last segment (never acknowledged; recovery may cut it off).
    case tornTail(SegmentDamage)
    /// Damage: corruption in the middle of the log, or a rejected batch.
    case damaged(SegmentDamage)
}

extension SegmentCursor {
    /// Visits the segment's batches in order until the data ends, the visitor stops, or bytes that are
    /// not a valid batch are found — which it tells apart as a torn tail or damage (`isTornTail`). The one
    /// loop behind recovery, verification, offline reads, backups and redaction, so that each classifies
    /// the end of a segment the same way.
    mutating func walk(
        inLastSegment: Bool, limits: EventLogLimits = EventLogLimits(),
        _ visit: (_ header: BatchHeader, _ offset: Int64, _ frame: UnsafeRawBufferPointer) throws(EventLogError) -> BatchVisit
    ) throws(EventLogError) -> SegmentWalkEnd {
        enum Step {
            case visited, stopped
            case ended(Int64)
            case found(SegmentDamage)
        }
        while true {
            let step = try next { (item) throws(EventLogError) -> Step in
                switch item {
                case .end(let offset), .filler(let offset):
                    return .ended(offset)
                case .damaged(let offset, let reason, let header):
                    return .found(SegmentDamage(offset: offset, reason: reason, header: header))
                case .batch(let header, let offset, let frame):
                    switch try visit(header, offset, frame) {
                    case .next: return .visited
                    case .stop: return .stopped
                    case .reject(let reason): return .found(SegmentDamage(offset: offset, reason: reason, header: header))
                    }
                }
            }
            switch step {
            case .visited: continue
            case .stopped: return .stopped
            case .ended(let end): return .complete(dataEnd: end)
            case .found(let damage):
                let torn = try isTornTail(
                    at: damage.offset, header: damage.header, inLastSegment: inLastSegment, writeBytesMax: Self.writeBytesMax(limits))
                return torn ? .tornTail(damage) : .damaged(damage)
            }
        }
    }
}
