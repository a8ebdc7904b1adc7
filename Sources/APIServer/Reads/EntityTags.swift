import Foundation

/// `If-None-Match` as RFC 9110 §13.1.2 reads it: `*`, or a comma-separated list of entity tags, each
/// compared weakly with the current one (`W/"p5"` matches `"p5"`). A cache that kept several answers
/// sends all their tags; one that went through a compressing proxy sends a weak one.
enum EntityTags {
    /// Whether `ifNoneMatch` (the field's value, lines joined with `,`) names `current` (a quoted tag).
    static func noneMatchHolds(_ ifNoneMatch: String?, current: String) -> Bool {
        guard let ifNoneMatch else { return false }
        let wanted = opaque(current[...])
        return ifNoneMatch.split(separator: ",").contains { candidate in
            let tag = Substring(candidate.trimmingCharacters(in: .whitespaces))
            return tag == "*" || opaque(tag) == wanted
        }
    }

    /// The tag without its weakness marker: weak comparison ignores it (RFC 9110 §8.8.3.2).
    private static func opaque(_ tag: Substring) -> Substring {
        tag.hasPrefix("W/") ? tag.dropFirst(2) : tag
    }
}
