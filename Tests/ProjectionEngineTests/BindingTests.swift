import EventLog
import Foundation
import TestSupport
import Testing

@testable import ProjectionEngine

@Suite("parameters bound in event statements")
struct BindingTests {
    static let definition = """
        -- projection: seen
        -- schema
        CREATE TABLE seen (
            position, id, type, stream, streamversion, time, at, actor, requestid, missing_ext, data,
            s, i, r, yes, no, nul, missing, nested, first, second_name, obj, arr, escaped, big
        );

        -- on: *
        INSERT INTO seen VALUES (
            :position, :id, :type, :stream, :streamversion, :time, :at, :ext.actor, :ext.requestid, :ext.nope, :data,
            :data.s, :data.i, :data.r, :data.yes, :data.no, :data.nul, :data.missing, :data.a.b.c, :data.list.0, :data.list.1.name,
            :data.a, :data.list, :data.esc, :data.big
        );

        -- query: all()
        SELECT * FROM seen ORDER BY position;

        -- query: types()
        SELECT position, typeof(i) AS ti, typeof(r) AS tr, typeof(yes) AS tyes, typeof(nul) AS tnul, typeof(missing) AS tmissing,
               typeof(big) AS tbig FROM seen ORDER BY position;
        """

    @Test("each envelope field, extension and payload path binds as documented")
    func everyField() async throws {
        let fixture = try EngineFixture(definitions: ["seen": Self.definition])
        let payload =
            #"{"s":"text","i":-42,"r":2.5,"yes":true,"no":false,"nul":null,"a":{"b":{"c":"deep"}},"#
            + #""list":["zero",{"name":"one"}],"esc":"a\"b\\c\u00e9\n","big":123456789012345678901234567890}"#
        let proposed = ProposedEvent(
            stream: "task-T1", type: "Happened", json: payload,
            extensions: [("actor", .string("m-ada")), ("requestid", .string("r-1")), ("decidedat", .string("2026-11-27T10:00:00.000001Z"))])
        try await fixture.append(sampleEvents(2))
        let position = try await fixture.log.append(AppendRequest(events: [proposed])).positions[0]
        let stored = try fixture.log.event(at: position)
        let engine = try await fixture.started()
        defer { Task { await engine.stop() } }
        let row = try #require(try engine.query(projection: "seen", query: "all").rows.last)
        #expect(row["position"] == .integer(3))
        #expect(row["id"] == .text(stored.id.description))
        #expect(row["type"] == .text("Happened"))
        #expect(row["stream"] == .text("task-T1"))
        #expect(row["streamversion"] == .integer(1))
        #expect(row["time"] == .text(stored.time.description))
        #expect(row["at"] == .text("2026-11-27T10:00:00.000001Z"))
        #expect(row["actor"] == .text("m-ada"))
        #expect(row["requestid"] == .text("r-1"))
        #expect(row["missing_ext"] == .null)
        #expect(row["data"] == .text(String(decoding: stored.data, as: UTF8.self)))
        #expect(row["s"] == .text("text"))
        #expect(row["i"] == .integer(-42))
        #expect(row["r"] == .real(2.5))
        #expect(row["yes"] == .integer(1))
        #expect(row["no"] == .integer(0))
        #expect(row["nul"] == .null)
        #expect(row["missing"] == .null)
        #expect(row["nested"] == .text("deep"))
        #expect(row["first"] == .text("zero"))
        #expect(row["second_name"] == .text("one"))
        #expect(row["obj"] == .text(#"{"b":{"c":"deep"}}"#))
        #expect(row["arr"] == .text(#"["zero",{"name":"one"}]"#))
        #expect(row["escaped"] == .text("a\"b\\cé\n"))
        let types = try #require(try engine.query(projection: "seen", query: "types").rows.last)
        #expect(types.values == [.integer(3), .text("integer"), .text("real"), .text("integer"), .text("null"), .text("null"), .text("real")])
        // Without `decidedat`, :at is the commit time.
        let plain = try #require(try engine.query(projection: "seen", query: "all").rows.first)
        #expect(plain["at"] == plain["time"])
        #expect(plain["actor"] == .null)
    }

    @Test("a path through a scalar, past an array's end or with a non-numeric index is NULL")
    func missingPaths() {
        let json = Array(#"{"a":[1,2],"b":"x","c":{"d":[{"e":null}]}}"#.utf8)
        json.withUnsafeBytes { bytes in
            let tape = JSONTape(bytes)
            #expect(tape.isValid)
            func kind(_ path: String) -> JSONTape.Kind? {
                tape.lookup(path.split(separator: ".").map(PathComponent.init), in: bytes)?.kind
            }
            #expect(kind("a.1") == .integer)
            #expect(kind("a.2") == nil)
            #expect(kind("a.x") == nil)
            #expect(kind("b.c") == nil)
            #expect(kind("c.d.0.e") == .null)
            #expect(kind("c.d.0.f") == nil)
        }
    }
}
