/// A projection as loaded from `Projections/<name>.sql`: its schema, the statements to run per event type,
/// and its named queries. Every statement was prepared against the schema at load time.
public struct ProjectionDefinition: Sendable {
    /// `[a-z][a-z0-9_]*`, equal to the file name without `.sql`.
    public let name: String
    public let description: String?
    /// The informative `-- version:` directive, if any.
    public let versionLabel: String?
    /// The definition's identity: the first 16 hex digits of the SHA-256 of the file's bytes.
    public let version: String
    /// The file's text, kept in each database so that an older version can still be served (and replayed
    /// for "as of" queries) while a newer one is built.
    public let source: String
    /// The file's path, for messages.
    public let file: String
    /// The `-- snapshots: every N` directive: this projection's snapshot spacing in events (0: none),
    /// overriding `ProjectionEngineOptions.snapshotEveryEvents`; nil when the file does not say.
    public let snapshotEveryEvents: UInt64?
    let schema: [SQLText]
    /// Positions in `schema` of indexes a build creates after its first catch-up (see `DeferredIndexes`).
    let deferredIndexes: Set<Int>
    /// The `-- schema: after build` statements: run, in order, once a build has caught up (after the
    /// deferred indexes, before it is served). A database made any other way (an empty base for "as of",
    /// a snapshot taken during a build) runs them before its first event is applied.
    let afterBuild: [SQLText]
    let handlers: [EventHandler]
    /// The `-- batch` statements: run once per transaction, after its events' statements and before its
    /// checkpoint, with `:first_position` and `:last_position` of the events it applied.
    let batch: [SQLText]
    /// The `-- batch: after build` statements: as `batch`, but only on a database whose `after build`
    /// schema exists (served, or replayed from such a base); a build skips them, and its `after build`
    /// schema covers the events it applied.
    let afterBuildBatch: [SQLText]
    /// The queries by name.
    public let queries: [String: QueryDefinition]

    /// Creates the whole schema, `after build` part included, in an empty database that will apply
    /// events from the start with everything maintained per event, as a served database does.
    func createSchema(in database: SQLiteDatabase) throws(SQLiteError) {
        for statement in schema { try database.execute(statement.sql) }
        for statement in afterBuild { try database.execute(statement.sql) }
    }

    /// Names of the queries, sorted.
    public var queryNames: [String] { queries.keys.sorted() }
}

/// One SQL statement of a definition, with its parameters renamed so that SQLite accepts dotted names
/// (`:data.taskID` is not a SQLite parameter name): the `n`-th distinct parameter occurrence became `:pN`,
/// and `parameters[N]` is the name the file used.
struct SQLText: Sendable {
    let sql: String
    let line: Int
    /// `:pN` → the name written in the file, without the colon.
    let parameters: [String]
}

/// An `-- on:` section: its statements run for each event of `types` (nil: every event, after the
/// type-specific sections).
struct EventHandler: Sendable {
    let types: [String]?
    let statements: [SQLText]
}

/// A named, parameterised query of a projection.
public struct QueryDefinition: Sendable {
    public let name: String
    public let description: String?
    public let parameters: [QueryParameter]
    /// Columns whose last values make the `next` cursor (`-- cursor:`); empty when the query does not page.
    public let cursor: [String]
    let statement: SQLText
    /// The `-- total:` statement: the number of rows over every page, or NULL to have them counted
    /// (`countSQL`). A definition gives one where it can count faster than the query runs.
    let total: SQLText?

    /// The query's rows counted over every page (`total`): its SELECT as a subquery, with the same
    /// parameters in the same order, run with no cursor and no limit. On its own line, so a trailing
    /// comment in the query cannot swallow the closing parenthesis.
    var countSQL: String {
        var select = Substring(statement.sql)
        while let last = select.last, last == ";" || last.isWhitespace { select = select.dropLast() }
        return "SELECT count(*) FROM (\n" + select + "\n)"
    }
}

/// A declared query parameter, what it takes, and its default (nil: the caller must give it).
public struct QueryParameter: Sendable, Equatable {
    /// What a parameter takes (`-- query: name(from: date = NULL)`); a value given that is not one is a
    /// `invalid-parameter` error naming it, before any SQL runs. NULL is always accepted.
    public enum Kind: String, Sendable, CaseIterable {
        /// Anything (the default when no type is written).
        case text
        /// A whole number.
        case integer
        /// A calendar day, `YYYY-MM-DD`.
        case date
        /// A day (`YYYY-MM-DD`, kept as it is) or an RFC 3339 time, bound as UTC in the events' own
        /// format (`2026-11-27T10:03:43.000000Z`), so that it compares as text with the `:at` and
        /// `:time` a projection stores.
        case time
    }

    public let name: String
    public let kind: Kind
    public let defaultValue: QueryValue?

    public init(name: String, kind: Kind = .text, defaultValue: QueryValue?) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
    }
}
