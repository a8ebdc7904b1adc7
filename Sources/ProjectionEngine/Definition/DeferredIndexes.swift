/// Which `CREATE INDEX` statements of a schema a build may run after its first catch-up instead of before.
/// Maintaining a secondary index during a bulk load costs ~4× more than building it once at the end
/// (BUILD-NOTES.md: +6.5 s vs +1.6 s per 1M events), but an index that an event statement looks rows up
/// with must exist during the load. So an index is deferred only when it is not UNIQUE (it enforces
/// nothing), no event statement's query plan uses it, and the schema has no triggers (whose plans
/// `EXPLAIN QUERY PLAN` does not show).
enum DeferredIndexes {
    /// Positions in `schema` of the deferrable statements. `database` holds nothing yet; it is used as scratch.
    static func find(schema: [SQLText], statements: [SQLText], database: SQLiteDatabase) -> Set<Int> {
        var created: [Int: String] = [:]
        do {
            var known: Set<String> = []
            for (offset, statement) in schema.enumerated() {
                try database.execute(statement.sql)
                let indexes = try names(database, type: "index")
                let new = indexes.subtracting(known)
                known = indexes
                if new.count == 1, isPlainCreateIndex(statement.sql) { created[offset] = new.first! }
            }
            guard try names(database, type: "trigger").isEmpty, !created.isEmpty else { return [] }
            var used: Set<String> = []
            for statement in statements {
                let plan = try database.prepare("EXPLAIN QUERY PLAN " + statement.sql)
                while try plan.step() {
                    let detail = plan.string(3)
                    for name in created.values where mentions(detail, index: name) { used.insert(name) }
                }
            }
            return Set(created.filter { !used.contains($0.value) }.keys)
        } catch {
            // Deferring is an optimisation: when in doubt, build every index up front.
            return []
        }
    }

    private static func names(_ database: SQLiteDatabase, type: String) throws(SQLiteError) -> Set<String> {
        let statement = try database.prepare("SELECT name FROM sqlite_master WHERE type = ?1")
        statement.bind(1, type)
        var names: Set<String> = []
        while try statement.step() { names.insert(statement.string(0)) }
        return names
    }

    private static func isPlainCreateIndex(_ sql: String) -> Bool {
        let words = sql.uppercased().split(whereSeparator: { $0.isWhitespace }).prefix(2)
        return words == ["CREATE", "INDEX"]
    }

    private static func mentions(_ detail: String, index name: String) -> Bool {
        detail.split(whereSeparator: { $0 == " " || $0 == "(" || $0 == ")" }).contains { $0 == name }
    }
}
