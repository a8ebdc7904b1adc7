import Testing

@testable import EventLog

@Suite("JSON string literals")
struct JSONTextTests {
    private func decode(_ bytes: [UInt8]) -> String? {
        bytes.withUnsafeBytes { JSONText.decodeString($0, 0..<bytes.count) }
    }

    private func decode(_ literal: String) -> String? { decode(Array(literal.utf8)) }

    @Test("ASCII, UTF-8 and escapes decode; invalid UTF-8 and bad escapes do not")
    func literals() {
        #expect(decode(#""TaskMoved""#) == "TaskMoved")
        #expect(decode(#""""#) == "")
        #expect(decode(#""Zoë — 東京 🚀""#) == "Zoë — 東京 🚀")
        #expect(decode(#""a\"b\\c\/d\n\u00e9\ud83d\ude80""#) == "a\"b\\c/d\né🚀")
        // A lone continuation byte, an overlong encoding and a truncated sequence, with and without escapes.
        #expect(decode([0x22, 0x61, 0x80, 0x22]) == nil)
        #expect(decode([0x22, 0xC0, 0xAF, 0x22]) == nil)
        #expect(decode([0x22, 0xE6, 0x9D, 0x22]) == nil)
        #expect(decode([0x22, 0x5C, 0x6E, 0xFF, 0x22]) == nil)
        #expect(decode(#""\x""#) == nil)
        #expect(decode(#""\ud83d""#) == nil)
        #expect(decode(#"""#) == nil)
    }
}
