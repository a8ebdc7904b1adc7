/// Checks and normalises text that people type. One place, so every command that takes a title,
/// a name or a body applies the same rules.
enum Text {
    /// A one-line value (title, name): surrounding white space trimmed, not empty, no control characters
    /// (a line break in a title breaks every list that shows it), at most `bytesMax` UTF-8 bytes.
    static func singleLine(_ text: String, field: String, bytesMax: Int) throws(DomainError) -> String {
        let trimmed = trimmingWhitespace(text)
        guard !trimmed.isEmpty else { throw .validationFailed(field: field, reason: "must not be empty") }
        for scalar in trimmed.unicodeScalars where isControl(scalar) {
            throw .validationFailed(field: field, reason: "must be one line without control characters")
        }
        try checkSize(trimmed, field: field, bytesMax: bytesMax)
        return trimmed
    }

    /// A multi-line value (description, comment): may contain line breaks and tabs but no other control
    /// characters, at most `bytesMax` UTF-8 bytes. Empty is allowed unless `allowEmpty` is false.
    static func multiLine(_ text: String, field: String, bytesMax: Int, allowEmpty: Bool = true) throws(DomainError) -> String {
        try checkSize(text, field: field, bytesMax: bytesMax)
        for scalar in text.unicodeScalars where isControl(scalar) {
            guard scalar == "\n" || scalar == "\r" || scalar == "\t" else {
                throw .validationFailed(field: field, reason: "must not contain control characters other than line breaks and tabs")
            }
        }
        if !allowEmpty, trimmingWhitespace(text).isEmpty {
            throw .validationFailed(field: field, reason: "must not be empty")
        }
        return text
    }

    static func checkSize(_ text: String, field: String, bytesMax: Int) throws(DomainError) {
        let bytes = text.utf8.count
        guard bytes <= bytesMax else { throw .limitExceeded(field: field, limit: bytesMax, actual: bytes) }
    }

    static func trimmingWhitespace(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}

/// Whether `scalar` is in Unicode's Control category (Cc), which is exactly U+0000–U+001F and
/// U+007F–U+009F. Why not `properties.generalCategory`: it looks up Unicode tables for every scalar of
/// every title and comment, and showed as ~6 % of a command's CPU in a profile.
@inline(__always)
func isControl(_ scalar: Unicode.Scalar) -> Bool {
    scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
}
