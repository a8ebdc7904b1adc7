import EventLog
import Foundation
import TestSupport
import Testing
import Workflow

@testable import CommandService

@Suite("Payload JSON decoder: the same values and the same errors as Foundation's JSONDecoder")
struct PayloadJSONDecoderTests {
    /// Decodes `bytes` both ways; the values must be equal, or both decoders must fail with the same
    /// kind of error at the same coding path.
    private func compare<T: Decodable & Equatable>(_ type: T.Type, _ json: String, sourceLocation: SourceLocation = #_sourceLocation) {
        compare(Array(json.utf8)[...], sourceLocation: sourceLocation) {
            try $0.decode(T.self, from: $1)
        } ours: {
            try PayloadJSONDecoder().decode(T.self, from: $0)
        }
    }

    private func compare<T: Equatable>(
        _ bytes: ArraySlice<UInt8>, sourceLocation: SourceLocation = #_sourceLocation, foundation: (JSONDecoder, Data) throws -> T,
        ours: (ArraySlice<UInt8>) throws -> T
    ) {
        let expected = Result { try foundation(JSONDecoder(), Data(bytes)) }
        let actual = Result { try ours(bytes) }
        switch (expected, actual) {
        case (.success(let expected), .success(let actual)):
            #expect(actual == expected, sourceLocation: sourceLocation)
        case (.failure(let expected), .failure(let actual)):
            #expect(Failure(actual).matches(Failure(expected)), "\(actual) against \(expected)", sourceLocation: sourceLocation)
        case (.success, .failure(let error)):
            Issue.record("Foundation decodes \(String(decoding: bytes, as: UTF8.self)), this decoder throws \(error)", sourceLocation: sourceLocation)
        case (.failure(let error), .success):
            Issue.record(
                "Foundation throws \(error) for \(String(decoding: bytes, as: UTF8.self)), this decoder does not", sourceLocation: sourceLocation)
        }
    }

    /// The kind of a decoding error and where it happened, as Foundation and this decoder both report it.
    private struct Failure: Equatable {
        let kind: String
        let path: [String]

        init(kind: String, path: [String]) {
            (self.kind, self.path) = (kind, path)
        }

        /// The same kind at the same path; for corrupted data, Foundation often reports no path (a number
        /// out of range, a bad escape) where this decoder names the value.
        func matches(_ foundation: Failure) -> Bool {
            kind == foundation.kind && (path == foundation.path || (kind == "dataCorrupted" && path.starts(with: foundation.path)))
        }

        init(_ error: any Error) {
            switch error as? DecodingError {
            case .keyNotFound(let key, let context)?: (kind, path) = ("keyNotFound \(key.stringValue)", context.codingPath.map(\.stringValue))
            case .valueNotFound(_, let context)?: (kind, path) = ("valueNotFound", context.codingPath.map(\.stringValue))
            case .typeMismatch(_, let context)?: (kind, path) = ("typeMismatch", context.codingPath.map(\.stringValue))
            case .dataCorrupted(let context)?: (kind, path) = ("dataCorrupted", context.codingPath.map(\.stringValue))
            case nil: (kind, path) = ("\(error)", [])
            @unknown default: (kind, path) = ("unknown", [])
            }
        }
    }

    private struct Scalars: Codable, Equatable {
        var text: String
        var flag: Bool
        var int: Int
        var int8: Int8
        var int16: Int16
        var int32: Int32
        var int64: Int64
        var uint: UInt
        var uint8: UInt8
        var uint16: UInt16
        var uint32: UInt32
        var uint64: UInt64
        var double: Double
        var float: Float
        var optional: String?
        var optionalNumber: Int?
        var list: [Int]
        var nested: [String: [Double]]
        var byNumber: [Int: String]
        var matrix: [[Bool?]]
    }

    private enum Shape: Codable, Equatable {
        case circle(radius: Double)
        case polygon([Int], label: String?)
        case empty
    }

    /// A class hierarchy's coding: the superclass's part under `super` (or under a key of its own).
    private struct Inheriting: Decodable, Equatable {
        var own: Int
        var base: String
        var named: String

        enum CodingKeys: String, CodingKey { case own, parent }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            own = try container.decode(Int.self, forKey: .own)
            base = try container.superDecoder().singleValueContainer().decode(String.self)
            named = try container.superDecoder(forKey: .parent).singleValueContainer().decode(String.self)
        }
    }

    private static let scalars = #"""
        {"text":"a","flag":true,"int":-9223372036854775808,"int8":-128,"int16":32767,"int32":-2147483648,"int64":9223372036854775807,
         "uint":18446744073709551615,"uint8":255,"uint16":65535,"uint32":4294967295,"uint64":0,"double":-1.5e-7,"float":3.25,
         "optional":null,"list":[1,2,3],"nested":{"b":[2.5],"a":[]},"byNumber":{"1":"one","20":"twenty"},"matrix":[[true,null],[]]}
        """#

    @Test("scalars, integer limits, optionals (null and missing), arrays, dictionaries, enums with associated values")
    func values() throws {
        compare(Scalars.self, Self.scalars)
        compare([Shape].self, #"[{"circle":{"radius":2}},{"polygon":{"_0":[1,2],"label":"tri"}},{"polygon":{"_0":[]}},{"empty":{}}]"#)
        compare(Int.self, "1e3")
        compare(Int.self, "2.0")
        compare(Double.self, "12")
        compare(String?.self, "null")
        compare([String: Int].self, #"{"a":1,"a\u0062":2}"#)
        compare(Inheriting.self, #"{"own":1,"super":"base","parent":"named"}"#)
        let decoded = try PayloadJSONDecoder().decode(Scalars.self, from: Array(Self.scalars.utf8)[...])
        #expect(decoded.int == Int.min && decoded.uint == UInt.max && decoded.optional == nil && decoded.optionalNumber == nil)
    }

    @Test("strings: escapes, \\u escapes with surrogate pairs, unicode as UTF-8, whitespace between tokens")
    func strings() {
        compare([String].self, #"["quote \" backslash \\ slash \/ \b\f\n\r\t", "\u00e9\u2713\ud834\udd1e", "é ✓ 𝄞", ""]"#)
        compare([String: String].self, " {\n \"key\" : \"value\" ,\t\"k\\u00e9y\":\"v\"\r\n} ")
        compare(String.self, #""\ud834""#)
        compare(String.self, #""\x""#)
    }

    @Test("errors: missing keys, nulls, wrong types, numbers out of range, fractions, ends of arrays, bad JSON")
    func errors() {
        compare(Scalars.self, Self.scalars.replacingOccurrences(of: #""flag":true,"#, with: ""))
        compare(Scalars.self, Self.scalars.replacingOccurrences(of: #""flag":true"#, with: #""flag":"yes""#))
        compare(Scalars.self, Self.scalars.replacingOccurrences(of: #""uint8":255"#, with: #""uint8":256"#))
        compare(Scalars.self, Self.scalars.replacingOccurrences(of: #""int8":-128"#, with: #""int8":-129"#))
        compare(Scalars.self, Self.scalars.replacingOccurrences(of: #""uint":18446744073709551615"#, with: #""uint":-1"#))
        compare(Scalars.self, Self.scalars.replacingOccurrences(of: #""int":-9223372036854775808"#, with: #""int":1.5"#))
        compare(Scalars.self, Self.scalars.replacingOccurrences(of: #""list":[1,2,3]"#, with: #""list":[1,"2"]"#))
        compare(Scalars.self, Self.scalars.replacingOccurrences(of: #""matrix":[[true,null],[]]"#, with: #""matrix":[[true,1]]"#))
        compare(Scalars.self, Self.scalars.replacingOccurrences(of: #""nested":{"b":[2.5],"a":[]}"#, with: #""nested":[]"#))
        compare(Scalars.self, Self.scalars.replacingOccurrences(of: #""float":3.25"#, with: #""float":1e300"#))
        compare(Double.self, "1e400")
        compare([Shape].self, #"[{"circle":{}}]"#)
        compare([Shape].self, #"[{"polygon":{"_0":[true]}}]"#)
        compare(Scalars.self, String(Self.scalars.dropLast()))
        compare([Int].self, "[1] 2")
        compare([Int].self, "")
        compare(Int.self, "\"1\"")
        compare(String.self, "1")
    }

    @Test("where Foundation's decoder is lenient or inconsistent, this one follows JSON and its own rule")
    func departures() {
        func failure<T: Decodable>(_ type: T.Type, _ json: String) -> Failure? {
            do {
                _ = try PayloadJSONDecoder().decode(T.self, from: Array(json.utf8)[...])
                return nil
            } catch {
                return Failure(error)
            }
        }
        // Foundation reports a null Bool as a type mismatch, and every other null as a value not found.
        let null = Self.scalars.replacingOccurrences(of: #""flag":true"#, with: #""flag":null"#)
        #expect(failure(Scalars.self, null) == Failure(kind: "valueNotFound", path: ["flag"]))
        // Foundation accepts a trailing comma; JSON does not, and the log never stores one.
        #expect(failure([Int].self, "[1,2,]")?.kind == "dataCorrupted")
        #expect(failure([String: Int].self, #"{"a":1,}"#)?.kind == "dataCorrupted")
        // A missing `super`: Foundation hands out a decoder of null; the protocol documents keyNotFound.
        #expect(failure(Inheriting.self, #"{"own":1,"parent":"named"}"#) == Failure(kind: "keyNotFound super", path: []))
    }

    @Test("every event of the fixture history (45 types) decodes to the value Foundation's decoder gives")
    func fixtureHistory() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("Fixtures/projections/history.ndjson"), encoding: .utf8)
        var types = Set<String>()
        for line in text.split(separator: "\n") {
            let bytes = Array(line.utf8)
            let (type, data) = try bytes.withUnsafeBytes { bytes in
                let tape = JSONTape(bytes)
                func member(_ name: String) throws -> JSONTape.Node {
                    var child = 1
                    while child < tape.nodes.count {
                        if tape.nodes[child].string(in: bytes) == name { return tape.nodes[child + 1] }
                        child = Int(tape.nodes[child + 1].next)
                    }
                    throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "no \(name) in \(line)"))
                }
                let data = try member("data")
                return (try #require(try member("type").string(in: bytes)), bytes[Int(data.start)..<Int(data.end)])
            }
            types.insert(type)
            compare(Array(data)[...]) { decoder, data in
                decoder.userInfo[FoundationPayload.typeKey] = type
                return try decoder.decode(FoundationPayload.self, from: data).body
            } ours: { data in
                try PayloadJSONDecoder().decode(from: data) { try EventBody.decode(type: type, schemaVersion: 1, from: $0) }
            }
        }
        #expect(types.count >= 45)
    }

    @Test("a payload that does not match its type's schema is an invalid-event-payload error naming the problem")
    func invalidPayload() async throws {
        let directory = TestDirectory()
        let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: testOptions())
        _ = try await log.append(AppendRequest(events: [ProposedEvent(stream: "task-t1", type: "TaskDeleted", json: #"{"taskID":7}"#)]))
        let recorded = try #require(try log.read(from: 1, maxCount: 1).first)
        #expect {
            try EventEnvelopeMapping.domainEvent(recorded)
        } throws: { error in
            guard let error = error as? EventMappingError, case .invalidPayload(let type, let reason) = error else { return false }
            return type == "TaskDeleted" && reason.contains("taskID") && error.code == "invalid-event-payload"
        }
        await log.close()
    }
}

/// How the service read payloads with Foundation's decoder, for comparison.
private struct FoundationPayload: Decodable {
    static let typeKey = CodingUserInfoKey(rawValue: "type")!
    let body: EventBody

    init(from decoder: any Decoder) throws {
        body = try EventBody.decode(type: decoder.userInfo[Self.typeKey] as! String, schemaVersion: 1, from: decoder)
    }
}
