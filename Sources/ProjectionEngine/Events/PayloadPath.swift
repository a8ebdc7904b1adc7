import EventLog

extension JSONTape {
    /// The node at a dotted path (`["changes", "0", "field"]`), or nil when missing.
    func lookup(_ path: [PathComponent], in bytes: UnsafeRawBufferPointer) -> Node? {
        guard !nodes.isEmpty else { return nil }
        var current = 0
        for component in path {
            let node = nodes[current]
            var child = current + 1
            switch node.kind {
            case .object:
                var found = false
                while child < Int(node.next) {
                    let key = nodes[child]
                    let value = child + 1
                    if keyEquals(key, component, bytes) {
                        current = value
                        found = true
                        break
                    }
                    child = Int(nodes[value].next)
                }
                if !found { return nil }
            case .array:
                guard var remaining = component.index else { return nil }
                while child < Int(node.next), remaining > 0 {
                    child = Int(nodes[child].next)
                    remaining -= 1
                }
                guard child < Int(node.next) else { return nil }
                current = child
            default:
                return nil
            }
        }
        return nodes[current]
    }

    private func keyEquals(_ key: Node, _ component: PathComponent, _ bytes: UnsafeRawBufferPointer) -> Bool {
        if key.hasEscape {
            let decoded = key.string(in: bytes)
            return decoded.map { Array($0.utf8) == component.key } ?? false
        }
        guard Int(key.end - key.start) == component.key.count else { return false }
        var offset = Int(key.start)
        for byte in component.key {
            if bytes[offset] != byte { return false }
            offset += 1
        }
        return true
    }
}

/// One step of a `:data.PATH`: an object key, which also indexes an array when it is a number.
struct PathComponent: Sendable, Hashable {
    let key: [UInt8]
    let index: Int?

    init(_ text: Substring) {
        key = Array(text.utf8)
        index = Int(text).flatMap { $0 >= 0 ? $0 : nil }
    }
}
