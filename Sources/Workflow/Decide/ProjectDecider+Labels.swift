extension ProjectDecider {
    // MARK: Labels

    static func createLabel(
        name: String, color: String, description: String, project: ProjectState, context: ProjectContext
    ) throws(DomainError) -> DomainEvent {
        let limits = context.limits
        let name = try Text.singleLine(name, field: "label", bytesMax: limits.labelBytesMax)
        if project.labels[name] != nil { throw .alreadyExists(kind: "label", id: name) }
        guard project.labels.count < limits.labelsPerProjectMax else {
            throw .limitExceeded(field: "labels", limit: limits.labelsPerProjectMax, actual: project.labels.count + 1)
        }
        let color = try validColor(color)
        let description = try Text.multiLine(description, field: "description", bytesMax: limits.reasonBytesMax)
        return DomainEvent(
            stream: .project(project.id), at: context.now, LabelCreated(projectID: project.id, name: name, color: color, description: description))
    }

    static func updateLabel(
        name: String, color: Update<String>, description: Update<String>, project: ProjectState, context: ProjectContext
    ) throws(DomainError) -> [DomainEvent] {
        guard let label = project.labels[name] else { throw .notFound(kind: "label", id: name) }
        let limits = context.limits
        let newColor = try color.validated { (text) throws(DomainError) in try validColor(text) }.applied(to: label.color)
        let newDescription = try description.validated { (text) throws(DomainError) in
            try Text.multiLine(text, field: "description", bytesMax: limits.reasonBytesMax)
        }.applied(to: label.description)
        var changes: [FieldChange] = []
        if newColor != label.color { changes.append(FieldChange(field: "color", from: .text(label.color), to: .text(newColor))) }
        if newDescription != label.description {
            changes.append(FieldChange(field: "description", from: .text(label.description), to: .text(newDescription)))
        }
        guard !changes.isEmpty else { return [] }
        return [
            DomainEvent(
                stream: .project(project.id), at: context.now,
                LabelUpdated(projectID: project.id, name: name, color: newColor, description: newDescription, changes: changes))
        ]
    }

    static func deleteLabel(name: String, project: ProjectState, context: ProjectContext) throws(DomainError) -> [DomainEvent] {
        guard project.labels[name] != nil else { throw .notFound(kind: "label", id: name) }
        return [DomainEvent(stream: .project(project.id), at: context.now, LabelDeleted(projectID: project.id, name: name))]
    }

    /// `#rrggbb`, lower-cased so one color has one spelling.
    private static func validColor(_ text: String) throws(DomainError) -> String {
        let lowered = text.lowercased()
        let bytes = Array(lowered.utf8)
        guard bytes.count == 7, bytes[0] == UInt8(ascii: "#"),
            bytes.dropFirst().allSatisfy({
                ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f"))
            })
        else { throw .validationFailed(field: "color", reason: "use #rrggbb") }
        return lowered
    }
}
