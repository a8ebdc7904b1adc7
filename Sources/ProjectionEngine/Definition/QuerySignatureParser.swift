/// Parses `NAME(p1, p2 = default, p3: type = default, …)`: parameter names are identifiers, types one of
/// `QueryParameter.Kind` (`text` when none is written), defaults SQL literals (integers, reals, `'text'`
/// with `''` for a quote, `NULL`).
enum QuerySignatureParser {
    static func parse(_ text: Substring, file: String, line: Int) throws(DefinitionError) -> DefinitionParser.QuerySignature {
        var scanner = Scanner(bytes: Array(text.utf8))
        func failure(_ reason: String) -> DefinitionError {
            DefinitionError(file: file, line: line, message: "bad parameter list in '-- query: \(text)': \(reason)")
        }
        let name = scanner.identifier()
        guard !name.isEmpty else { throw failure("expected a query name") }
        scanner.skipBlanks()
        guard scanner.take(UInt8(ascii: "(")) else { throw failure("expected '(' after the name") }
        var parameters: [QueryParameter] = []
        scanner.skipBlanks()
        if !scanner.take(UInt8(ascii: ")")) {
            while true {
                scanner.skipBlanks()
                let parameter = scanner.identifier()
                guard !parameter.isEmpty else { throw failure("expected a parameter name") }
                guard !parameters.contains(where: { $0.name == parameter }) else { throw failure("parameter '\(parameter)' declared twice") }
                guard !parameter.hasPrefix("cursor_") else { throw failure("'cursor_' names are bound by the engine") }
                scanner.skipBlanks()
                var kind = QueryParameter.Kind.text
                if scanner.take(UInt8(ascii: ":")) {
                    scanner.skipBlanks()
                    let written = scanner.identifier()
                    guard let known = QueryParameter.Kind(rawValue: written) else {
                        let kinds = QueryParameter.Kind.allCases.map(\.rawValue).joined(separator: ", ")
                        throw failure("type of '\(parameter)' is '\(written)'; use one of \(kinds)")
                    }
                    kind = known
                    scanner.skipBlanks()
                }
                var value: QueryValue?
                if scanner.take(UInt8(ascii: "=")) {
                    scanner.skipBlanks()
                    guard let literal = scanner.literal() else { throw failure("default of '\(parameter)' is not a SQL literal") }
                    value = literal
                    scanner.skipBlanks()
                }
                parameters.append(QueryParameter(name: parameter, kind: kind, defaultValue: value))
                if scanner.take(UInt8(ascii: ")")) { break }
                guard scanner.take(UInt8(ascii: ",")) else { throw failure("expected ',' or ')' after '\(parameter)'") }
            }
        }
        scanner.skipBlanks()
        guard scanner.atEnd else { throw failure("unexpected text after ')'") }
        return DefinitionParser.QuerySignature(name: name, parameters: parameters)
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        var atEnd: Bool { index == bytes.count }

        mutating func skipBlanks() {
            while index < bytes.count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") { index += 1 }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func identifier() -> String {
            let start = index
            while index < bytes.count, isIdentifier(String(decoding: bytes[start...index], as: UTF8.self)) { index += 1 }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        mutating func literal() -> QueryValue? {
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: "'") {
                var out: [UInt8] = []
                index += 1
                while index < bytes.count {
                    if bytes[index] == UInt8(ascii: "'") {
                        if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "'") {
                            out.append(UInt8(ascii: "'"))
                            index += 2
                            continue
                        }
                        index += 1
                        return .text(String(decoding: out, as: UTF8.self))
                    }
                    out.append(bytes[index])
                    index += 1
                }
                return nil
            }
            let start = index
            while index < bytes.count, ![UInt8(ascii: ","), UInt8(ascii: ")"), UInt8(ascii: " "), UInt8(ascii: "\t")].contains(bytes[index]) {
                index += 1
            }
            let word = String(decoding: bytes[start..<index], as: UTF8.self)
            if word.uppercased() == "NULL" { return .null }
            if let integer = Int64(word) { return .integer(integer) }
            if let real = Double(word), real.isFinite, word.first != "+" || word.count > 1 { return .real(real) }
            return nil
        }
    }
}
