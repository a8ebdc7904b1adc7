import Foundation
import TestSupport
import Testing

@testable import EventLog

@Suite("JSON compactor against Foundation")
struct JSONCompactorTests {
    @Test("valid inputs compact to the same JSON value; invalid ones are refused by both")
    func fuzzAgainstFoundation() throws {
        var random = Xoshiro256(seed: 2026)
        let compactor = JSONCompactor(depthMax: 64)
        var accepted = 0
        var refused = 0
        for _ in 0..<20_000 {
            var text = Self.randomValue(&random, depth: 0)
            // Mutate a third of the inputs: drop, duplicate or replace one byte.
            if random.next() % 3 == 0, !text.isEmpty {
                var bytes = Array(text.utf8)
                let at = Int(random.next() % UInt64(bytes.count))
                switch random.next() % 3 {
                case 0: bytes.remove(at: at)
                case 1: bytes.insert(bytes[at], at: at)
                default:
                    let alphabet = Array(#"{}[],:"0-e. tn\"#.utf8)
                    bytes[at] = alphabet[Int(random.next() % UInt64(alphabet.count))]
                }
                text = String(decoding: bytes, as: UTF8.self)
            }
            let input = Array(text.utf8)
            let foundation: Any?
            do {
                foundation = try JSONSerialization.jsonObject(with: Data(input), options: [.fragmentsAllowed])
            } catch {
                // Valid JSON grammar that Foundation cannot hold in a Swift number (e.g. 1e789): we store
                // the bytes as given, so there is nothing to compare.
                if "\(error)".contains("not representable") { continue }
                foundation = nil
            }
            switch Result(catching: { () throws(JSONCompactor.Failure) in try compactor.compact(input) }) {
            case .success(let compact):
                accepted += 1
                let reparsed = try JSONSerialization.jsonObject(with: Data(compact), options: [.fragmentsAllowed])
                #expect(foundation != nil, "Foundation refuses what we accept: \(text)")
                if let foundation {
                    #expect(NSArray(object: foundation).isEqual(NSArray(object: reparsed)), "\(text)")
                }
                #expect(!compact.contains(0x0A) && !compact.contains(0x20) || String(decoding: compact, as: UTF8.self).contains("\""))
            case .failure(let failure):
                refused += 1
                // Foundation on Linux accepts trailing commas, which RFC 8259 does not allow.
                if foundation != nil, Self.hasTrailingComma(input) { continue }
                #expect(foundation == nil, "we refuse what Foundation accepts: \(text) (\(failure.reason))")
            }
        }
        #expect(accepted > 5_000 && refused > 2_000)
    }

    static func hasTrailingComma(_ bytes: [UInt8]) -> Bool {
        let significant = bytes.filter { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        return zip(significant, significant.dropFirst()).contains { $0 == UInt8(ascii: ",") && ($1 == UInt8(ascii: "]") || $1 == UInt8(ascii: "}")) }
    }

    static func randomValue(_ random: inout Xoshiro256, depth: Int) -> String {
        let space = [" ", "", "\n", "\t", ""][Int(random.next() % 5)]
        switch random.next() % (depth > 4 ? 4 : 6) {
        case 0: return space + ["true", "false", "null"][Int(random.next() % 3)]
        case 1:
            let numbers = ["0", "-1", "12.5", "1e3", "-0.25E-2", "123456789", "3.0"]
            return numbers[Int(random.next() % UInt64(numbers.count))] + space
        case 2, 3:
            let pieces = ["a", "ü", "🚀", "\\n", "\\\"", "\\u00e9", " ", "x y", "\\/", "\\\\"]
            return "\"" + (0..<Int(random.next() % 4)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined() + "\""
        case 4:
            let items = (0..<Int(random.next() % 4)).map { _ in randomValue(&random, depth: depth + 1) }
            return "[" + space + items.joined(separator: "," + space) + "]"
        default:
            let members = (0..<Int(random.next() % 4)).map { n in "\"k\(n)\"" + space + ":" + randomValue(&random, depth: depth + 1) }
            return "{" + members.joined(separator: ",") + space + "}"
        }
    }
}
