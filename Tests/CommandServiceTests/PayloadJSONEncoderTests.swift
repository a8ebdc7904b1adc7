import EventLog
import Foundation
import TestSupport
import Testing
import Workflow

@testable import CommandService

@Suite("Payload JSON encoder: the same bytes as Foundation's sorted-keys encoder")
struct PayloadJSONEncoderTests {
    /// What the service encoded with Foundation's `JSONEncoder` before it had its own.
    private func foundation(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    private struct Tricky: Encodable {
        var text: String
        var optional: String?
        var explicitNil: String?
        var numbers: [Double]
        var integers: [Int64]
        var flags: [Bool]
        var nested: [String: [Int]]
        var unicode = "é ✓ 𝄞 \u{7F}"

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(text, forKey: .text)
            try container.encodeIfPresent(optional, forKey: .optional)
            try container.encodeNil(forKey: .explicitNil)
            try container.encode(numbers, forKey: .numbers)
            try container.encode(integers, forKey: .integers)
            try container.encode(flags, forKey: .flags)
            try container.encode(nested, forKey: .nested)
            try container.encode(unicode, forKey: .unicode)
        }

        enum CodingKeys: String, CodingKey { case text, optional, explicitNil, numbers, integers, flags, nested, unicode, zeta, alpha }
    }

    @Test("escapes, control characters, unicode, slashes, numbers, nil and nesting")
    func tricky() throws {
        var control = ""
        for scalar in 0..<0x20 { control.unicodeScalars.append(Unicode.Scalar(UInt8(scalar))) }
        let values = [
            Tricky(
                text: "quote \" backslash \\ slash / tab \t" + control, optional: "present", numbers: [0, 1, -1, 3.5, 1e-7, 123456789.25, 2.0],
                integers: [0, -42, Int64.max, Int64.min], flags: [true, false], nested: ["b": [2, 1], "a": [], "ä": [3]]),
            Tricky(text: "", optional: nil, numbers: [], integers: [], flags: [], nested: [:]),
        ]
        for value in values {
            #expect(try PayloadJSONEncoder().encode(value) == foundation(value))
        }
    }

    @Test("a non-finite number is refused, as Foundation refuses it")
    func nonFinite() {
        #expect(throws: EncodingError.self) { try PayloadJSONEncoder().encode([Double.nan]) }
        #expect(throws: EncodingError.self) { try PayloadJSONEncoder().encode([Double.infinity]) }
    }

    @Test("every event of a realistic workspace encodes to the same bytes")
    func everyEvent() async throws {
        let harness = try await Harness.make()
        let service = harness.service
        try await harness.task("t1", path: ["todo", "doing"])
        try await harness.task("t2", path: ["todo"])
        try await service.execute(TaskCommand(task: "t1", .addComment("c1", body: "Looks \"good\" / ok\n")), metadata: metadata("qa"))
        try await service.execute(TaskCommand(task: "t1", .editComment("c1", body: "Looks great ✓")), metadata: metadata("qa"))
        try await service.execute(TaskCommand(task: "t1", .setPriority(.high)), metadata: metadata("dev"))
        try await service.execute(
            TaskCommand(task: "t1", .edit(title: .set("Renamed"), description: .set("Line 1\nLine 2"))), metadata: metadata("dev"))
        try await service.execute(TaskCommand(task: "t1", .move(to: "review")), metadata: metadata("dev"))
        try await service.execute(TaskCommand(task: "t1", .move(to: "done")), metadata: metadata("dev"))
        let approval = try #require(try await service.task("t1")?.pendingApproval?.id)
        try await service.execute(TaskCommand(task: "t1", .decideApproval(approval, .approve, comment: "ship it")), metadata: metadata("qa"))
        var checked = 0
        for recorded in try harness.log.read(from: 1, maxCount: 10_000) {
            let event = try EventEnvelopeMapping.domainEvent(recorded)
            let payload = PayloadBody(body: event.body)
            #expect(try PayloadJSONEncoder().encode(payload) == foundation(payload), "\(recorded.type)")
            checked += 1
        }
        #expect(checked > 20)
        await harness.log.close()
    }
}

/// An event's payload at the top level, as the envelope's `data` holds it.
private struct PayloadBody: Encodable {
    let body: EventBody
    func encode(to encoder: any Encoder) throws { try body.encodePayload(to: encoder) }
}
