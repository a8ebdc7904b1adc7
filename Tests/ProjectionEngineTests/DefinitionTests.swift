import EventLog
import Foundation
import TestSupport
import Testing

@testable import ProjectionEngine

@Suite("definition loading")
struct DefinitionTests {
    private func compile(_ text: String, name: String = "p") throws(DefinitionError) -> ProjectionDefinition {
        try DefinitionCompiler.compile(file: "Projections/\(name).sql", bytes: Array(text.utf8))
    }

    /// Compiles `text` and returns the error, which must exist.
    private func failure(_ text: String, name: String = "p") -> DefinitionError? {
        do {
            _ = try compile(text, name: name)
            Issue.record("expected an error for:\n\(text)")
            return nil
        } catch {
            return error
        }
    }

    @Test("the test definitions load; sections, queries and version are read")
    func loads() throws {
        let definition = try DefinitionCompiler.compile(
            file: DefinitionFiles.directory + "/items.sql", bytes: Array(try DefinitionFiles.text("items").utf8))
        #expect(definition.name == "items")
        #expect(definition.versionLabel == "1")
        #expect(definition.version.count == 16)
        #expect(definition.queryNames == ["by_type", "items"])
        #expect(definition.queries["by_type"]?.cursor == ["position"])
        #expect(
            definition.queries["by_type"]?.parameters == [
                QueryParameter(name: "type", defaultValue: nil), QueryParameter(name: "limit", defaultValue: .integer(50)),
            ])
        #expect(definition.handlers.count == 3)
        #expect(definition.handlers[1].types == ["Moved", "Closed"])
        #expect(definition.handlers[2].types == nil)
        #expect(definition.schema.map(\.line) == [6, 7, 8])
    }

    @Test("a parameter's type follows a colon: text when none is written")
    func parameterTypes() throws {
        let text =
            "-- projection: p\n-- schema\nCREATE TABLE t (a);\n-- query: q(a, b: date, c : time = NULL, d: integer = 5, e: text)\n"
            + "SELECT :a, :b, :c, :d, :e;\n"
        #expect(
            try compile(text).queries["q"]?.parameters == [
                QueryParameter(name: "a", defaultValue: nil), QueryParameter(name: "b", kind: .date, defaultValue: nil),
                QueryParameter(name: "c", kind: .time, defaultValue: .null), QueryParameter(name: "d", kind: .integer, defaultValue: .integer(5)),
                QueryParameter(name: "e", kind: .text, defaultValue: nil),
            ])
    }

    @Test("the version is the SHA-256 of the bytes: a one-byte change makes another version")
    func version() throws {
        let text = "-- projection: p\n-- schema\nCREATE TABLE t (a);\n"
        #expect(try compile(text).version == (try compile(text).version))
        #expect(try compile(text).version != (try compile(text + " ")).version)
    }

    @Test(
        "malformed files: the error names the file and the line, and says what is wrong",
        arguments: [
            ("-- projection: p\n-- schema\nCREATE TABLE t (a);\n-- onn: X\n", 4, "unknown directive '-- onn:'"),
            ("CREATE TABLE t (a);\n-- projection: p\n", 1, "statement outside a section"),
            ("-- projection: p\n\nINSERT INTO t VALUES (1);\n", 3, "statement outside a section"),
            (
                "-- projection: p\n-- schema\nCREATE TABLE t (a);\n-- query: q()\nSELECT a FROM t;\n-- query: q()\nSELECT a FROM t;\n", 6,
                "duplicate query 'q'"
            ),
            ("-- projection: p\n-- schema\nCREATE TABLE t (a);\n-- query: q(a, = 3)\nSELECT 1;\n", 4, "bad parameter list"),
            ("-- projection: p\n-- schema\nCREATE TABLE t (a);\n-- query: q(a b)\nSELECT 1;\n", 4, "bad parameter list"),
            ("-- projection: p\n-- schema\nCREATE TABLE t (a);\n-- query: q(a = 'x)\nSELECT 1;\n", 4, "bad parameter list"),
            ("-- projection: p\n-- schema\nCREATE TABLE t (a);\n-- query: q\nSELECT 1;\n", 4, "bad parameter list"),
            (
                "-- projection: p\n-- schema\nCREATE TABLE t (a);\n-- query: q(a: day = NULL)\nSELECT 1;\n", 4,
                "type of 'a' is 'day'; use one of text, integer, date, time"
            ),
            (
                "-- projection: p\n-- schema\nCREATE TABLE t (a);\n\n-- on: X\nINSERT INTO t VALUES (1);\nINSERT INTO nope VALUES (:position);\n", 7,
                "no such table: nope"
            ),
            ("-- projection: p\n-- schema\nCREATE TABLE t (a);\nCREATE TABLEX u (b);\n", 4, "syntax error"),
            ("-- projection: p\n-- schema\nCREATE TABLE t (a);\n-- on: X\nINSERT INTO t VALUES (:nope);\n", 5, "unknown parameter ':nope'"),
            ("-- projection: p\n-- schema\nCREATE TABLE t (a);\n-- query: q()\nSELECT a FROM t WHERE a = :b;\n", 5, "does not declare"),
            ("-- projection: p\n-- schema\nCREATE TABLE t (a);\n-- query: q()\nSELECT a FROM t;\nSELECT a FROM t;\n", 4, "exactly one SELECT"),
            ("-- projection: p\n-- schema\nCREATE TABLE t (a);\n-- query: q()\nDELETE FROM t;\n", 5, "must be one SELECT"),
            ("-- projection: p\n-- schema\nCREATE TABLE t (a);\n-- query: q()\n-- cursor: b\nSELECT a FROM t;\n", 6, "cursor column 'b'"),
            ("-- projection: q\n-- schema\nCREATE TABLE t (a);\n", 1, "must be in a file named 'q.sql'"),
            ("-- schema\nCREATE TABLE t (a);\n", 1, "'-- projection:' must be the first directive"),
            ("-- projection: p\n-- schema\nCREATE TABLE _projection_x (a);\n", 2, "names starting with '_projection' are the engine's"),
            ("-- projection: p\n-- schema\nCREATE TABLE t (a);\n-- on: X\nINSERT INTO t VALUES (@a);\n", 5, "parameters are written ':name'"),
            ("-- projection: p\n-- schema: later\nCREATE TABLE t (a);\n", 2, "unknown schema section '-- schema: later'"),
            (
                "-- projection: p\n-- schema\nCREATE TABLE t (a);\n-- schema: after build\nCREATE TABLE u (b);\n-- on: X\nINSERT INTO u VALUES (1);\n",
                7, "no such table: u"
            ),
            ("-- projection: p\n-- schema\nCREATE TABLE t (a);\n-- batch: often\nDELETE FROM t;\n", 4, "unknown batch section '-- batch: often'"),
            ("-- projection: p\n-- schema\nCREATE TABLE t (a);\n-- batch\nDELETE FROM t WHERE a = :position;\n", 5, "unknown parameter ':position'"),
            (
                "-- projection: p\n-- schema\nCREATE TABLE t (a);\n-- schema: after build\nCREATE TABLE u (b);\n-- batch\nDELETE FROM u;\n", 7,
                "no such table: u"
            ),
            ("-- projection: p\n-- snapshots: 10\n-- schema\nCREATE TABLE t (a);\n", 2, "use '-- snapshots: every N'"),
            ("-- projection: p\n-- schema\nCREATE TABLE t (a);\n-- snapshots: every 10\n", 4, "belongs before the first section"),
            (
                "-- projection: p\n-- schema\nCREATE TABLE t (a);\n-- query: q()\n-- total:\nSELECT count(*) FROM t;\n", 5,
                "must follow a query's SELECT"
            ),
            ("-- projection: p\n-- schema\nCREATE TABLE t (a);\n-- total:\nSELECT count(*) FROM t;\n", 4, "must follow a query's SELECT"),
            (
                "-- projection: p\n-- schema\nCREATE TABLE t (a);\n-- query: q()\nSELECT a FROM t;\n-- total:\nSELECT 1;\n-- total:\nSELECT 2;\n", 8,
                "must follow a query's SELECT, once"
            ),
            ("-- projection: p\n-- schema\nCREATE TABLE t (a);\n-- query: q()\nSELECT a FROM t;\n-- total: 3\n", 6, "takes nothing after the colon"),
            (
                "-- projection: p\n-- schema\nCREATE TABLE t (a);\n-- query: q()\nSELECT a FROM t;\n-- total:\nSELECT count(*) FROM t;\nSELECT 1;\n",
                6,
                "must be exactly one SELECT, has 2"
            ),
            (
                "-- projection: p\n-- schema\nCREATE TABLE t (a);\n-- query: q(limit = 5)\n-- cursor: a\nSELECT a FROM t WHERE a > :cursor_a LIMIT :limit;\n-- total:\nSELECT count(*) FROM t WHERE a > :cursor_a;\n",
                8, "may use the query's parameters but for :limit, and no cursor"
            ),
            (
                "-- projection: p\n-- schema\nCREATE TABLE t (a);\n-- query: q(limit = 5)\nSELECT a FROM t LIMIT :limit;\n-- total:\nSELECT :limit;\n",
                7,
                "may use the query's parameters but for :limit"
            ),
            (
                "-- projection: p\n-- schema\nCREATE TABLE t (a);\n-- query: q()\nSELECT a FROM t;\n-- total:\nSELECT count(*), 1 FROM t;\n", 7,
                "must be one SELECT of one column"
            ),
            (
                "-- projection: p\n-- schema\nCREATE TABLE t (a);\n-- query: q()\nSELECT a FROM t;\n-- total:\nSELECT count(*) FROM nope;\n", 7,
                "no such table: nope"
            ),
        ])
    func malformed(text: String, line: Int, message: String) throws {
        let error = try #require(failure(text))
        #expect(error.file == "Projections/p.sql")
        #expect(error.line == line, "\(error)")
        #expect(error.message.contains(message), "\(error)")
        #expect(error.description.hasPrefix("Projections/p.sql:\(line): "))
    }

    @Test("a build defers only the indexes no event statement uses, and never UNIQUE ones")
    func deferredIndexes() throws {
        let definition = try compile(
            """
            -- projection: p
            -- schema
            CREATE TABLE t (id TEXT PRIMARY KEY, owner TEXT, state TEXT, n INTEGER);
            CREATE INDEX t_by_owner ON t (owner);
            CREATE INDEX t_by_state ON t (state, n);
            CREATE UNIQUE INDEX t_by_n ON t (n);
            -- on: Reassigned
            UPDATE t SET state = :data.state WHERE owner = :data.owner;
            -- on: *
            INSERT OR IGNORE INTO t (id, owner, state, n) VALUES (:stream, :ext.actor, 'new', :position);
            -- query: by_state(state)
            SELECT id FROM t WHERE state = :state ORDER BY n;
            """)
        #expect(definition.deferredIndexes == [2], "t_by_state: only the query uses it")
        let items = try DefinitionCompiler.compile(file: "items.sql", bytes: Array(try DefinitionFiles.text("items").utf8))
        #expect(items.deferredIndexes == [2])
        let triggered = try compile(
            """
            -- projection: p
            -- schema
            CREATE TABLE t (a);
            CREATE INDEX t_a ON t (a);
            CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN DELETE FROM t WHERE a = NEW.a - 1; END;
            -- on: *
            INSERT INTO t VALUES (:position);
            """)
        #expect(triggered.deferredIndexes.isEmpty, "triggers' plans are not visible: defer nothing")
    }

    @Test("'-- schema: after build' statements are kept apart, in order, and may be used by queries; '-- snapshots: every N' is read")
    func afterBuildAndSnapshots() throws {
        let definition = try compile(
            """
            -- projection: p
            -- snapshots: every 20000
            -- schema
            CREATE TABLE t (a TEXT, b INTEGER);
            -- schema: after build
            CREATE INDEX t_b ON t (b);
            CREATE VIRTUAL TABLE t_text USING fts5(a, content = '');
            INSERT INTO t_text (rowid, a) SELECT rowid, a FROM t;
            -- on: *
            INSERT INTO t VALUES (:type, :position);
            -- query: q(word)
            SELECT rowid FROM t_text WHERE t_text MATCH :word;
            """)
        #expect(definition.schema.map(\.line) == [4])
        #expect(definition.afterBuild.map(\.line) == [6, 7, 8])
        #expect(definition.snapshotEveryEvents == 20_000)
        #expect(try compile("-- projection: p\n-- schema\nCREATE TABLE t (a);\n").snapshotEveryEvents == nil)
    }

    @Test("'-- batch' and '-- batch: after build' statements are kept apart, in order; the latter may use the after-build schema")
    func batchSections() throws {
        let definition = try compile(
            """
            -- projection: p
            -- schema
            CREATE TABLE t (a TEXT, b INTEGER);
            CREATE TABLE spans (first INTEGER, last INTEGER);
            -- batch
            INSERT INTO spans VALUES (:first_position, :last_position);
            -- schema: after build
            CREATE VIRTUAL TABLE t_text USING fts5(a, content = '');
            -- batch: after build
            INSERT INTO t_text (rowid, a) SELECT rowid, a FROM t WHERE b BETWEEN :first_position AND :last_position;
            -- on: *
            INSERT INTO t VALUES (:type, :position);
            -- batch
            DELETE FROM spans WHERE last < :first_position - 100;
            """)
        #expect(definition.batch.map(\.line) == [6, 14])
        #expect(definition.batch[0].parameters == ["first_position", "last_position"])
        #expect(definition.afterBuildBatch.map(\.line) == [10])
        #expect(definition.handlers.count == 1)
    }

    @Test("semicolons inside literals and trigger bodies do not split statements")
    func splitting() throws {
        let definition = try compile(
            """
            -- projection: p
            -- schema
            CREATE TABLE t (a TEXT);
            CREATE TABLE u (n INTEGER);
            CREATE TRIGGER t_count AFTER INSERT ON t BEGIN INSERT INTO u VALUES (1); UPDATE u SET n = n + 1; END;
            -- on: X
            INSERT INTO t VALUES ('a;b'); INSERT INTO t VALUES (':not.a.parameter -- nor a comment');
            """)
        #expect(definition.schema.count == 3)
        #expect(definition.handlers[0].statements.count == 2)
        #expect(definition.handlers[0].statements.allSatisfy { $0.parameters.isEmpty })
    }

    @Test("a malformed file fails only itself: the others load and run")
    func isolation() async throws {
        let fixture = try EngineFixture(definitions: [
            "counter": try DefinitionFiles.text("counter"),
            "broken": "-- projection: broken\n-- schema\nCREATE TABLE t (a);\n-- on: X\nINSERT INTO missing VALUES (1);\n",
        ])
        let loaded = try fixture.load()
        #expect(loaded.definitions.map(\.name) == ["counter"])
        #expect(loaded.errors.count == 1)
        #expect(loaded.errors.first?.description.hasSuffix("/Projections/broken.sql:5: no such table: missing") == true)
        try await fixture.append(sampleEvents(10))
        let engine = try await fixture.started()
        let result = try engine.query(projection: "counter", query: "all")
        #expect(result.texts == ["Closed|3", "Created|4", "Moved|3"])
        #expect(result.position == 10)
        await engine.stop()
    }
}
