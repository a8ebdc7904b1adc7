/// A project defined a label that its tasks may carry.
///
/// A label is identified by its name, because that is what tasks carry (`TaskLabelsChanged.labels`) in
/// their own streams: renaming would have to rewrite every task or leave them pointing at a name that no
/// longer exists, so a label keeps its name and `LabelUpdated` changes only its color and description.
public struct LabelCreated: EventPayload {
    public static let type = "LabelCreated"
    public static let schemaVersion = 1
    public var projectID: ProjectID
    public var name: String
    /// `#rrggbb`.
    public var color: String
    public var description: String
}

/// A label's color or description changed. Carries both after the change.
public struct LabelUpdated: EventPayload {
    public static let type = "LabelUpdated"
    public static let schemaVersion = 1
    public var projectID: ProjectID
    public var name: String
    public var color: String
    public var description: String
    public var changes: [FieldChange]
}

/// A label was deleted: tasks can no longer be given it. Tasks that carry it keep it (their history
/// says they had it) until their labels are next changed.
public struct LabelDeleted: EventPayload {
    public static let type = "LabelDeleted"
    public static let schemaVersion = 1
    public var projectID: ProjectID
    public var name: String
}

extension LabelCreated {
    public var eventBody: EventBody { .labelCreated(self) }
}

extension LabelUpdated {
    public var eventBody: EventBody { .labelUpdated(self) }
}

extension LabelDeleted {
    public var eventBody: EventBody { .labelDeleted(self) }
}
