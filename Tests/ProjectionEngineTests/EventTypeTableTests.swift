import TestSupport
import Testing

@testable import ProjectionEngine

@Suite("event type numbers")
struct EventTypeTableTests {
    @Test("a type keeps its number across batches; distinct types get distinct numbers")
    func stableAndDistinct() {
        let first = EventTypeTable.shared.numbers(of: ["TestTypeA", "TestTypeB", "TestTypeA"])
        #expect(first[0] == first[2])
        #expect(first[0] != first[1])
        let second = EventTypeTable.shared.numbers(of: ["TestTypeB", "TestTypeC", "TestTypeA"])
        #expect(second[0] == first[1] && second[2] == first[0])
        #expect(Set(second).count == 3)
    }

    @Test("past typesMax a new type is unnumbered; numbered ones keep their numbers")
    func bounded() {
        let table = EventTypeTable(typesMax: 2)
        #expect(table.numbers(of: ["A", "B", "C", "A", "D", "B"]) == [0, 1, EventTypeTable.unnumbered, 0, EventTypeTable.unnumbered, 1])
    }

    @Test("an unnumbered type's statements are found by its name")
    func unnumberedTypesStillApply() async throws {
        let fixture = try EngineFixture(definitions: [:])
        let definition = try DefinitionCompiler.compile(
            file: "seen.sql",
            bytes: Array(
                """
                -- projection: seen
                -- schema
                CREATE TABLE seen (position INTEGER PRIMARY KEY, type TEXT NOT NULL);
                -- on: Seen
                INSERT INTO seen (position, type) VALUES (:position, :type);
                """.utf8))
        let last = try await fixture.append([event("s-1", "Seen", "{}"), event("s-2", "Other", "{}"), event("s-3", "Seen", "{}")])
        let recorded = try fixture.log.read(from: 1, maxCount: Int(last))
        let events = recorded.map { DecodedEvent($0, typeNumber: EventTypeTable.unnumbered, needs: .all) }
        let database = try SQLiteDatabase.inMemory()
        try database.execute(DatabaseMeta.createSQL)
        try definition.createSchema(in: database)
        let applier = try ProjectionApplier(definition: definition, database: database, afterBuild: true)
        #expect(try applier.apply(events[...], after: 0) == last)
        #expect(try database.scalar("SELECT count(*) FROM seen WHERE type = 'Seen'") == 2)
        #expect(try database.scalar("SELECT count(*) FROM seen") == 2)
    }
}
