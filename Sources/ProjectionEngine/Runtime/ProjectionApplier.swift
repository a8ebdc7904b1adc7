import GRDBSQLite

/// Applies events to one projection database with the definition's statements, prepared once on that
/// connection. Each call is one transaction that also advances the checkpoint, so a batch's effect and
/// its checkpoint are committed together or not at all (exactly once across crashes).
final class ProjectionApplier {
    /// A statement and, for each of its parameters, where the value comes from (resolved at load time).
    private struct BoundStatement {
        let statement: SQLiteStatement
        let bindings: [(index: Int32, field: EventField)]
        let line: Int
    }

    let definition: ProjectionDefinition
    let database: SQLiteDatabase
    private var byType: [String: [BoundStatement]] = [:]
    /// `byType` by `EventTypeTable` number, filled as types are first met: nil for a type not met yet.
    private var byTypeNumber: [[BoundStatement]?] = []
    private var wildcard: [BoundStatement] = []
    /// A batch statement and, for each of its parameters, which of the transaction's positions it takes.
    private struct BatchStatement {
        let statement: SQLiteStatement
        let bindings: [(index: Int32, field: BatchField)]
        let line: Int
    }

    /// The `batch` statements (and `batch: after build` ones when the database has that schema).
    private var batch: [BatchStatement] = []
    private let setCheckpoint: SQLiteStatement
    private let begin: SQLiteStatement
    private let commit: SQLiteStatement
    /// Which per-event values the statements bind.
    let needs: DecodedEvent.Needs

    /// `afterBuild`: whether `database` has its definition's `after build` schema, so that the `batch:
    /// after build` statements run too (a build's database does not, until it is promoted).
    init(definition: ProjectionDefinition, database: SQLiteDatabase, afterBuild: Bool) throws(SQLiteError) {
        self.definition = definition
        self.database = database
        var needs: DecodedEvent.Needs = []
        for handler in definition.handlers {
            for text in handler.statements {
                let statement = try database.prepare(text.sql)
                let bindings = text.parameters.enumerated().map { offset, name in
                    // The compiler checked every name, so this cannot fail.
                    (index: Int32(offset + 1), field: EventField(parameter: name)!)
                }
                for binding in bindings { needs.formUnion(binding.field.needs) }
                let bound = BoundStatement(statement: statement, bindings: bindings, line: text.line)
                if let types = handler.types {
                    for type in types { byType[type, default: []].append(bound) }
                } else {
                    wildcard.append(bound)
                }
            }
        }
        self.needs = needs
        for text in definition.batch + (afterBuild ? definition.afterBuildBatch : []) {
            // The compiler checked every name, so this cannot fail.
            let bindings = text.parameters.enumerated().map { offset, name in (index: Int32(offset + 1), field: BatchField(parameter: name)!) }
            batch.append(BatchStatement(statement: try database.prepare(text.sql), bindings: bindings, line: text.line))
        }
        setCheckpoint = try database.prepare("UPDATE _projection_checkpoint SET position = ?1 WHERE id = 1")
        begin = try database.prepare("BEGIN IMMEDIATE")
        commit = try database.prepare("COMMIT")
    }

    /// The committed checkpoint.
    func checkpoint() throws(SQLiteError) -> UInt64 {
        UInt64(try database.scalar("SELECT position FROM _projection_checkpoint WHERE id = 1") ?? 0)
    }

    /// Applies the events after `checkpoint` in one transaction and returns the new checkpoint. When a
    /// statement fails, the transaction is rolled back, the events before the failing one are applied
    /// and committed again (so the checkpoint ends right before it), and the failure is thrown. When a
    /// batch statement fails, the events are applied again one per transaction, so that the failure
    /// names the event whose transaction fails.
    func apply(_ events: ArraySlice<DecodedEvent>, after checkpoint: UInt64) throws(ApplyFailure) -> UInt64 {
        let pending = events.drop(while: { $0.position <= checkpoint })
        guard let last = pending.last else { return checkpoint }
        do {
            try transaction(pending, checkpoint: last.position)
            return last.position
        } catch let failure where failure.inBatchStatement && pending.count > 1 {
            var applied = checkpoint
            for index in pending.indices {
                do {
                    try transaction(pending[index...index], checkpoint: pending[index].position)
                } catch {
                    throw ApplyFailure(position: error.position, message: error.message, checkpoint: applied)
                }
                applied = pending[index].position
            }
            return applied
        } catch let failure {
            let prefix = pending.prefix(while: { $0.position < failure.position })
            if let end = prefix.last {
                do { try transaction(prefix, checkpoint: end.position) } catch {
                    throw ApplyFailure(position: failure.position, message: failure.message, checkpoint: checkpoint)
                }
            }
            throw ApplyFailure(position: failure.position, message: failure.message, checkpoint: prefix.last?.position ?? checkpoint)
        }
    }

    private func transaction(_ events: ArraySlice<DecodedEvent>, checkpoint: UInt64) throws(ApplyFailure) {
        let first = events.first?.position ?? checkpoint
        do {
            try run(begin)
        } catch {
            throw ApplyFailure(position: first, message: error.message, checkpoint: 0)
        }
        for event in events {
            do {
                try applyOne(event)
            } catch {
                rollback()
                throw ApplyFailure(position: event.position, message: error.message, checkpoint: 0)
            }
        }
        if let last = events.last {
            do {
                try runBatch(first: first, last: last.position)
            } catch {
                rollback()
                throw ApplyFailure(position: first, message: error.message, checkpoint: 0, inBatchStatement: true)
            }
        }
        do {
            setCheckpoint.bind(1, Int64(checkpoint))
            try run(setCheckpoint)
            try run(commit)
        } catch {
            rollback()
            throw ApplyFailure(position: first, message: error.message, checkpoint: 0)
        }
    }

    private func applyOne(_ event: DecodedEvent) throws(SQLiteError) {
        for statement in statements(for: event) { try execute(statement, event) }
        for statement in wildcard { try execute(statement, event) }
    }

    private func statements(for event: DecodedEvent) -> [BoundStatement] {
        let number = event.typeNumber
        guard number >= 0 else { return byType[event.type] ?? [] }
        if number < byTypeNumber.count, let statements = byTypeNumber[number] { return statements }
        if number >= byTypeNumber.count { byTypeNumber.append(contentsOf: repeatElement(nil, count: number + 1 - byTypeNumber.count)) }
        let statements = byType[event.type] ?? []
        byTypeNumber[number] = statements
        return statements
    }

    private func execute(_ bound: BoundStatement, _ event: DecodedEvent) throws(SQLiteError) {
        let statement = bound.statement
        let result: Result<Void, SQLiteError> = event.event.data.withUnsafeBytes { data in
            // Every parameter is bound before each step, so the last event's bindings need no clearing (the
            // payload bytes they point to are gone by then, but nothing reads them before they are rebound).
            for binding in bound.bindings { EventBinder.bind(statement, binding.index, binding.field, event, data) }
            defer { statement.resetKeepingBindings() }
            do throws(SQLiteError) {
                while try statement.step() {}
                return .success(())
            } catch {
                return .failure(SQLiteError(message: "\(error.message) (statement at line \(bound.line), event type \(event.type))"))
            }
        }
        try result.get()
    }

    private func runBatch(first: UInt64, last: UInt64) throws(SQLiteError) {
        for bound in batch {
            for (index, field) in bound.bindings {
                switch field {
                case .firstPosition: bound.statement.bind(index, Int64(first))
                case .lastPosition: bound.statement.bind(index, Int64(last))
                }
            }
            do {
                try run(bound.statement)
            } catch {
                throw SQLiteError(message: "\(error.message) (batch statement at line \(bound.line), events \(first)-\(last))")
            }
        }
    }

    private func run(_ statement: SQLiteStatement) throws(SQLiteError) {
        defer { statement.reset() }
        while try statement.step() {}
    }

    private func rollback() {
        if sqlite3_get_autocommit(database.handle) == 0 { try? database.execute("ROLLBACK") }
    }
}

/// A statement failed on the event at `position`; the database's checkpoint is now `checkpoint`.
struct ApplyFailure: Error {
    let position: UInt64
    let message: String
    let checkpoint: UInt64
    /// Whether a batch statement failed (for the whole transaction's events, not one of them).
    var inBatchStatement = false
}
