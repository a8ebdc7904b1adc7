public import Workflow

/// A bounded least-recently-used cache of loaded aggregate states, keyed by stream name, each with the
/// stream version it was loaded at, evicted by an approximate byte size.
///
/// Bounded by bytes rather than entries because aggregates vary by orders of magnitude (a task with
/// thousands of comments against a fresh one); a count limit would either waste memory or hold too
/// little. Sizes are estimates (`approximateBytes`): they bound memory within a small factor, which is
/// what a cache limit is for. An entry larger than the whole limit is not cached at all.
///
/// Not thread-safe by itself: the command service owns one and touches it only from its actor.
public struct AggregateCache<Value> {
    /// A cached value and the stream version it reflects (the number of stream events folded into it).
    public struct Entry {
        public var value: Value
        public var version: UInt64
    }

    private struct Node {
        var key: String
        var entry: Entry
        var bytes: Int
        var newer: Int
        var older: Int
    }

    /// The limit on the sum of the entries' approximate sizes.
    public let bytesMax: Int
    /// The sum of the cached entries' approximate sizes; never above `bytesMax`.
    public private(set) var bytes = 0
    /// Entries evicted so far (to make the limit observable in tests and metrics).
    public private(set) var evictions = 0
    // A doubly linked list threaded through an array, so that touching an entry is O(1) without a
    // class per node; freed slots are reused.
    private var nodes: [Node] = []
    private var freeSlots: [Int] = []
    private var slots: [String: Int] = [:]
    private var newest = -1
    private var oldest = -1

    /// A cache holding at most `bytesMax` approximate bytes.
    public init(bytesMax: Int) {
        self.bytesMax = max(0, bytesMax)
    }

    /// Number of cached entries.
    public var count: Int { slots.count }

    /// The entry for `key`, marking it most recently used.
    public mutating func get(_ key: String) -> Entry? {
        guard let slot = slots[key] else { return nil }
        unlink(slot)
        linkAsNewest(slot)
        return nodes[slot].entry
    }

    /// Whether `key` is cached, without touching its recency.
    public func contains(_ key: String) -> Bool { slots[key] != nil }

    /// Stores `value` at `version` for `key` (replacing what was there), then evicts the least recently
    /// used entries until the total fits `bytesMax`. A value larger than `bytesMax` is not kept.
    public mutating func put(_ key: String, _ value: Value, version: UInt64, bytes size: Int) {
        remove(key)
        let size = max(1, size)
        guard size <= bytesMax else { return }
        let node = Node(key: key, entry: Entry(value: value, version: version), bytes: size, newer: -1, older: -1)
        let slot: Int
        if let free = freeSlots.popLast() {
            nodes[free] = node
            slot = free
        } else {
            nodes.append(node)
            slot = nodes.count - 1
        }
        slots[key] = slot
        linkAsNewest(slot)
        bytes += size
        while bytes > bytesMax, oldest != -1 {
            remove(nodes[oldest].key)
            evictions += 1
        }
    }

    /// Forgets `key`.
    public mutating func remove(_ key: String) {
        guard let slot = slots.removeValue(forKey: key) else { return }
        unlink(slot)
        bytes -= nodes[slot].bytes
        nodes[slot].bytes = 0
        freeSlots.append(slot)
    }

    /// Keys from most to least recently used (for tests and diagnostics).
    public var keysByRecency: [String] {
        var keys: [String] = []
        var slot = newest
        while slot != -1 {
            keys.append(nodes[slot].key)
            slot = nodes[slot].older
        }
        return keys
    }

    private mutating func unlink(_ slot: Int) {
        let newer = nodes[slot].newer
        let older = nodes[slot].older
        if newer != -1 { nodes[newer].older = older } else { newest = older }
        if older != -1 { nodes[older].newer = newer } else { oldest = newer }
        nodes[slot].newer = -1
        nodes[slot].older = -1
    }

    private mutating func linkAsNewest(_ slot: Int) {
        nodes[slot].older = newest
        nodes[slot].newer = -1
        if newest != -1 { nodes[newest].newer = slot }
        newest = slot
        if oldest == -1 { oldest = slot }
    }
}

// MARK: Size estimates

// Rough in-memory sizes: a String costs its UTF-8 bytes plus a 16-byte header, a dictionary or array
// element its payload plus some slack. Only the order of magnitude matters (see `AggregateCache`).
private func size(_ text: String) -> Int { 16 + text.utf8.count }
private func size(_ text: String?) -> Int { text.map(size) ?? 8 }

extension WorkspaceState {
    /// An estimate of the state's memory footprint, for `AggregateCache`.
    public var approximateBytes: Int {
        var total = 128 + size(slug) + size(name) + size(timeZone)
        for (id, member) in members {
            total += 64 + size(id.rawValue) + size(member.displayName) + size(member.email)
        }
        return total
    }
}

extension ProjectState {
    /// An estimate of the state's memory footprint, for `AggregateCache`.
    public var approximateBytes: Int {
        var total = 256 + size(id.rawValue) + size(key) + size(name) + size(description) + size(workflow.workflow.rawValue)
        for (member, _) in members { total += 32 + size(member.rawValue) }
        for label in labels.values { total += 48 + size(label.name) + size(label.color) + size(label.description) }
        return total
    }
}

extension WorkflowState {
    /// An estimate of the state's memory footprint, for `AggregateCache`.
    public var approximateBytes: Int {
        var total = 96 + size(id.rawValue) + size(name)
        for definition in versions {
            total += 64
            for state in definition.states { total += 96 + size(state.id.rawValue) + size(state.name) }
            for transition in definition.transitions {
                total += 160 + size(transition.id.rawValue) + 32 * (transition.allowedRoles.count + transition.allowedMembers.count)
                if let policy = transition.approval { total += 128 + 32 * (policy.approverRoles.count + policy.approverMembers.count) }
            }
        }
        return total
    }
}

extension TaskState {
    /// An estimate of the state's memory footprint, for `AggregateCache`.
    public var approximateBytes: Int {
        var total = 384 + size(id.rawValue) + size(project.rawValue) + size(key) + size(title) + size(description)
        total += size(state.rawValue) + size(rank) + size(workflow.workflow.rawValue)
        for member in assignees { total += size(member.rawValue) }
        for label in labels { total += size(label) }
        for comment in comments.values {
            total += 96 + size(comment.id.rawValue) + size(comment.body)
            for body in comment.previousBodies { total += size(body) }
        }
        for approval in approvals {
            total += 256 + size(approval.reason) + 32 * (approval.policy.approverRoles.count + approval.policy.approverMembers.count)
            for decision in approval.decisions { total += 64 + size(decision.comment) }
        }
        return total
    }
}

extension ReminderRuleState {
    /// An estimate of the state's memory footprint, for `AggregateCache`.
    public var approximateBytes: Int {
        let definition = self.definition
        let named = definition.filter.projects.count + definition.filter.priorities.count + definition.filter.labels.count
        return 192 + size(id.rawValue) + size(definition.name) + size(definition.channel) + 32 * named
            + 32 * definition.recipients.members.count + 48 * fired.count
    }
}

extension MilestoneState {
    /// An estimate of the state's memory footprint, for `AggregateCache`.
    public var approximateBytes: Int {
        256 + size(id.rawValue) + size(project.rawValue) + size(name) + 48 * (scope.count + completed.count + carriedOver.count)
    }
}

extension DocumentState {
    /// An estimate of the state's memory footprint, for `AggregateCache`.
    public var approximateBytes: Int {
        var total = 192 + size(id.rawValue) + size(project.rawValue) + size(title) + size(uploader.rawValue) + 48 * shares.count
        for version in versions { total += 160 + size(version.file.fileName) + size(version.file.contentType) }
        return total
    }
}

extension TokenState {
    /// An estimate of the state's memory footprint, for `AggregateCache`.
    public var approximateBytes: Int { 192 + size(id.rawValue) + size(member.rawValue) + size(name) + size(secretHash) }
}
