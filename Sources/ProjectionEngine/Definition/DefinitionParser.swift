/// Splits a projection file into its directives and sections (see docs/projections.md, "The file").
/// SQL is not looked at here; `DefinitionCompiler` prepares it.
struct DefinitionParser {
    /// A section's body: the lines after its directive, with the number of the first one.
    struct Body {
        var firstLine: Int
        var lines: [Substring] = []
        var text: String { lines.joined(separator: "\n") }
        var isBlank: Bool { lines.allSatisfy { isBlankOrComment($0) } }
    }

    enum Section {
        /// `afterBuild`: the `-- schema: after build` form, run once a build has caught up.
        case schema(line: Int, afterBuild: Bool, body: Body)
        case on(line: Int, types: [String]?, body: Body)
        /// `-- batch` / `-- batch: after build`: statements run once per transaction, after its events.
        case batch(line: Int, afterBuild: Bool, body: Body)
        case query(QuerySection)
    }

    /// A `-- query:` section: its directives, its SELECT, and the optional `-- total:` statement after it.
    struct QuerySection {
        let line: Int
        let signature: QuerySignature
        var description: String?
        var cursor: [String] = []
        var body: Body
        /// The `-- total:` statement's body, once that directive has been read.
        var total: Body?
    }

    struct QuerySignature {
        let name: String
        let parameters: [QueryParameter]
    }

    private(set) var name: String?
    private(set) var description: String?
    private(set) var versionLabel: String?
    /// `-- snapshots: every N`: this projection's snapshot spacing, overriding the engine's.
    private(set) var snapshotEveryEvents: UInt64?
    private(set) var sections: [Section] = []
    let file: String

    private static let keywords: Set<Substring> = [
        "projection", "description", "version", "snapshots", "schema", "batch", "on", "query", "cursor", "total",
    ]

    init(file: String, text: String) throws(DefinitionError) {
        self.file = file
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = line.last == "\r" ? line.dropLast() : line
            if let (keyword, value) = try directive(in: line, lineNumber) {
                try apply(keyword, value, lineNumber)
            } else {
                try appendBody(line, lineNumber)
            }
        }
        guard name != nil else { throw DefinitionError(file: file, line: 1, message: "missing '-- projection: NAME' directive") }
    }

    /// `(keyword, value)` when the line is a directive. A comment that reads `-- word: …` with an unknown
    /// word is refused rather than ignored, so that a misspelt directive cannot silently drop a section.
    private func directive(in line: Substring, _ lineNumber: Int) throws(DefinitionError) -> (Substring, Substring)? {
        let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
        guard trimmed.hasPrefix("-- ") else { return nil }
        let rest = trimmed.dropFirst(3).drop(while: { $0 == " " })
        let keyword = rest.prefix(while: { $0.isASCII && $0.isLetter && $0.isLowercase })
        let after = rest.dropFirst(keyword.count)
        // `-- schema` and `-- batch` need no colon when they have no qualifier.
        let bare = keyword == "schema" || keyword == "batch"
        if bare, after.allSatisfy({ $0 == " " || $0 == "\t" || $0 == ":" }) { return (keyword, "") }
        if bare, after.first == ":" { return (keyword, trim(after.dropFirst())) }
        guard !keyword.isEmpty, after.first == ":" else { return nil }
        guard Self.keywords.contains(keyword) else {
            throw DefinitionError(file: file, line: lineNumber, message: "unknown directive '-- \(keyword):'")
        }
        return (keyword, trim(after.dropFirst()))
    }

    private mutating func apply(_ keyword: Substring, _ value: Substring, _ line: Int) throws(DefinitionError) {
        switch keyword {
        case "projection":
            guard name == nil, sections.isEmpty else { throw error(line, "'-- projection:' must be the first directive, once") }
            guard isProjectionName(value) else { throw error(line, "bad projection name '\(value)': use [a-z][a-z0-9_]*") }
            name = String(value)
        case "version":
            guard sections.isEmpty else { throw error(line, "'-- version:' belongs before the first section") }
            versionLabel = String(value)
        case "snapshots":
            guard sections.isEmpty, snapshotEveryEvents == nil else { throw error(line, "'-- snapshots:' belongs before the first section, once") }
            let words = value.split(separator: " ")
            guard words.count == 2, words[0] == "every", let events = UInt64(words[1]), events <= 1_000_000_000 else {
                throw error(line, "bad '-- snapshots: \(value)': use '-- snapshots: every N' (N events, 0 for none)")
            }
            snapshotEveryEvents = events
        case "description":
            try applyDescription(value, line)
        case "schema":
            try requireHeader(line)
            guard value.isEmpty || value == "after build" else {
                throw error(line, "unknown schema section '-- schema: \(value)' (use '-- schema' or '-- schema: after build')")
            }
            sections.append(.schema(line: line, afterBuild: !value.isEmpty, body: Body(firstLine: line + 1)))
        case "batch":
            try requireHeader(line)
            guard value.isEmpty || value == "after build" else {
                throw error(line, "unknown batch section '-- batch: \(value)' (use '-- batch' or '-- batch: after build')")
            }
            sections.append(.batch(line: line, afterBuild: !value.isEmpty, body: Body(firstLine: line + 1)))
        case "on":
            try requireHeader(line)
            sections.append(.on(line: line, types: try eventTypes(value, line), body: Body(firstLine: line + 1)))
        case "query":
            try requireHeader(line)
            let signature = try QuerySignatureParser.parse(value, file: file, line: line)
            for case .query(let other) in sections where other.signature.name == signature.name {
                throw error(line, "duplicate query '\(signature.name)'")
            }
            sections.append(.query(QuerySection(line: line, signature: signature, body: Body(firstLine: line + 1))))
        case "total":
            guard case .query(var query)? = sections.last, !query.body.isBlank, query.total == nil else {
                throw error(line, "'-- total:' must follow a query's SELECT, once")
            }
            guard value.isEmpty else { throw error(line, "'-- total:' takes nothing after the colon; its SELECT follows on the next lines") }
            query.total = Body(firstLine: line + 1)
            sections[sections.count - 1] = .query(query)
        default:  // "cursor"
            guard case .query(var query)? = sections.last, query.body.isBlank, query.total == nil, query.cursor.isEmpty else {
                throw error(line, "'-- cursor:' must follow a '-- query:' directive, before its SQL, once")
            }
            let columns = value.split(separator: ",").map { String(trim($0)) }
            guard !columns.isEmpty, columns.allSatisfy(isIdentifier) else { throw error(line, "bad cursor column list '\(value)'") }
            query.cursor = columns
            query.body = Body(firstLine: line + 1)
            sections[sections.count - 1] = .query(query)
        }
    }

    private mutating func applyDescription(_ value: Substring, _ line: Int) throws(DefinitionError) {
        if sections.isEmpty {
            guard name != nil else { throw error(line, "'-- projection:' must be the first directive, once") }
            description = String(value)
            return
        }
        guard case .query(var query)? = sections.last, query.description == nil, query.body.isBlank, query.total == nil else {
            throw error(line, "'-- description:' belongs in the header or right after a '-- query:' directive")
        }
        query.description = String(value)
        query.body = Body(firstLine: line + 1)
        sections[sections.count - 1] = .query(query)
    }

    private func requireHeader(_ line: Int) throws(DefinitionError) {
        guard name != nil else { throw error(line, "'-- projection:' must be the first directive, once") }
    }

    private mutating func appendBody(_ line: Substring, _ lineNumber: Int) throws(DefinitionError) {
        guard let last = sections.indices.last else {
            guard isBlankOrComment(line) else { throw error(lineNumber, "statement outside a section") }
            return
        }
        switch sections[last] {
        case .schema(let line0, let afterBuild, var body):
            body.lines.append(line)
            sections[last] = .schema(line: line0, afterBuild: afterBuild, body: body)
        case .on(let line0, let types, var body):
            body.lines.append(line)
            sections[last] = .on(line: line0, types: types, body: body)
        case .batch(let line0, let afterBuild, var body):
            body.lines.append(line)
            sections[last] = .batch(line: line0, afterBuild: afterBuild, body: body)
        case .query(var query):
            if query.total != nil { query.total!.lines.append(line) } else { query.body.lines.append(line) }
            sections[last] = .query(query)
        }
    }

    private func eventTypes(_ value: Substring, _ line: Int) throws(DefinitionError) -> [String]? {
        if trim(value) == "*" { return nil }
        let types = value.split(separator: ",").map { String(trim($0)) }
        guard !types.isEmpty, types.allSatisfy({ !$0.isEmpty && !$0.contains(" ") && $0 != "*" }) else {
            throw error(line, "bad event type list '\(value)': use 'Type1, Type2' or '*'")
        }
        return types
    }

    private func error(_ line: Int, _ message: String) -> DefinitionError { DefinitionError(file: file, line: line, message: message) }
}

func trim(_ text: Substring) -> Substring {
    var result = text
    while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
    while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
    return result
}

func isBlankOrComment(_ line: Substring) -> Bool {
    let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
    return trimmed.isEmpty || trimmed.hasPrefix("--")
}

func isProjectionName(_ text: some StringProtocol) -> Bool {
    guard let first = text.utf8.first, first >= UInt8(ascii: "a"), first <= UInt8(ascii: "z") else { return false }
    return text.utf8.allSatisfy {
        ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "_")
    }
}

func isIdentifier(_ text: some StringProtocol) -> Bool {
    guard let first = text.utf8.first, !(first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) else { return false }
    return text.utf8.allSatisfy { byte in
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
    }
}
