import Testing

@testable import ProjectionEngine

@Suite("event type numbers")
struct EventTypeTableTests {
    @Test("a type keeps its number across batches; distinct types get distinct numbers")
    func stableAndDistinct() {
        let first = EventTypeTable.numbers(of: ["TestTypeA", "TestTypeB", "TestTypeA"])
        #expect(first[0] == first[2])
        #expect(first[0] != first[1])
        let second = EventTypeTable.numbers(of: ["TestTypeB", "TestTypeC", "TestTypeA"])
        #expect(second[0] == first[1] && second[2] == first[0])
        #expect(Set(second).count == 3)
    }
}
