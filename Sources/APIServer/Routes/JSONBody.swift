import Crypto
import Hummingbird
import Workflow

/// A request's JSON object body, read strictly: the content type must be JSON (415), the size within
/// the limit (413), the bytes one JSON object (400 naming the byte), every member of the expected type
/// (400 naming the member), and no member the route does not know (400 naming it) — a misspelt
/// optional field must never be silently ignored.
///
/// Accessors record the members they read; `finish()` refuses whatever was left.
struct JSONBody {
    private let members: [String: JSONValue]
    private var read: Set<String> = []
    private var errors: [String] = []
    /// SHA-256 of the raw bytes (what `Idempotency-Key` compares); empty for a nested object.
    private(set) var digest: [UInt8] = []

    init(members: [String: JSONValue], digest: [UInt8] = []) {
        self.members = members
        self.digest = digest
    }

    /// Reads and parses the body of `request`.
    static func read(_ request: Request, limit: Int) async throws -> JSONBody {
        guard let type = request.headers[.contentType]?.lowercased(),
            type.hasPrefix("application/json") || type.hasPrefix("application/merge-patch+json")
        else {
            throw Problem(
                .unsupportedMediaType, code: "unsupported-media-type", detail: "send the body as Content-Type: application/json")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch {
            throw Problem(.contentTooLarge, code: "body-too-large", detail: "the body is larger than \(limit) bytes")
        }
        let value: JSONValue
        do {
            value = try JSONValue(parsing: Array(buffer.readableBytesView))
        } catch {
            throw Problem.badRequest(error.description, code: "malformed-json")
        }
        guard case .object(let members) = value else { throw Problem.badRequest("the body must be a JSON object", code: "malformed-json") }
        return JSONBody(members: members, digest: Array(SHA256.hash(data: Array(buffer.readableBytesView))))
    }

    // MARK: Members

    /// A required string.
    mutating func string(_ key: String) -> String {
        optionalString(key)
            ?? {
                if members[key] == nil { errors.append("\(key): required") }
                return ""
            }()
    }

    mutating func optionalString(_ key: String) -> String? {
        guard let value = take(key) else { return nil }
        guard case .string(let text) = value else { return mismatch(key, "a string") }
        return text
    }

    /// A member that may be absent (keep), null (clear) or a string (set).
    mutating func nullableString(_ key: String) -> (present: Bool, value: String?) {
        guard let value = take(key) else { return (false, nil) }
        if value.isNull { return (true, nil) }
        guard case .string(let text) = value else { return (true, mismatch(key, "a string or null")) }
        return (true, text)
    }

    /// A `YYYY-MM-DD` date that may be absent, or null (clear), or a date (set).
    mutating func nullableDate(_ key: String) -> (present: Bool, value: CalendarDate?) {
        let text = nullableString(key)
        guard let value = text.value else { return (text.present, nil) }
        guard let date = CalendarDate(iso: value) else {
            errors.append("\(key): expected YYYY-MM-DD")
            return (true, nil)
        }
        return (true, date)
    }

    mutating func optionalDate(_ key: String) -> CalendarDate? { nullableDate(key).value }

    /// An estimate such as `"3pt"` or `"5h"` that may be absent, or null (clear), or set.
    mutating func nullableEstimate(_ key: String) -> (present: Bool, value: Estimate?) {
        let text = nullableString(key)
        guard let value = text.value else { return (text.present, nil) }
        guard let estimate = Estimate(value) else {
            errors.append("\(key): expected e.g. \"3pt\" or \"5h\"")
            return (true, nil)
        }
        return (true, estimate)
    }

    mutating func optionalInteger(_ key: String) -> Int? {
        guard let value = take(key) else { return nil }
        guard case .number(let number) = value, number.rounded() == number, abs(number) < 1e15 else { return mismatch(key, "an integer") }
        return Int(number)
    }

    mutating func optionalNumber(_ key: String) -> Double? {
        guard let value = take(key) else { return nil }
        guard case .number(let number) = value else { return mismatch(key, "a number") }
        return number
    }

    mutating func optionalBool(_ key: String) -> Bool? {
        guard let value = take(key) else { return nil }
        guard case .bool(let flag) = value else { return mismatch(key, "true or false") }
        return flag
    }

    mutating func optionalStrings(_ key: String) -> [String]? {
        guard let value = take(key) else { return nil }
        guard case .array(let values) = value else { return mismatch(key, "an array of strings") }
        var strings: [String] = []
        for element in values {
            guard case .string(let text) = element else { return mismatch(key, "an array of strings") }
            strings.append(text)
        }
        return strings
    }

    /// A nested object, read with the same strictness (its errors are prefixed with `key.`).
    mutating func optionalObject(_ key: String) -> JSONBody? {
        guard let value = take(key) else { return nil }
        guard case .object(let nested) = value else { return mismatch(key, "an object") }
        return JSONBody(members: nested)
    }

    /// Any JSON value (for members decoded elsewhere, such as workflow definitions).
    mutating func optionalValue(_ key: String) -> JSONValue? { take(key) }

    /// Folds a nested body's problems into this one's.
    mutating func merge(_ nested: JSONBody, as key: String) {
        var nested = nested
        do {
            try nested.finish()
        } catch let problem as Problem {
            for error in problem.extensions["errors"]?.arrayValue ?? [] {
                if let text = error.stringValue { errors.append("\(key).\(text)") }
            }
        } catch {}
    }

    mutating func addError(_ message: String) { errors.append(message) }

    /// Throws a 400 listing every wrong, missing or unknown member.
    mutating func finish() throws {
        for key in members.keys.sorted() where !read.contains(key) { errors.append("\(key): unknown member") }
        guard errors.isEmpty else {
            throw Problem.badRequest(
                "the body has \(errors.count) problem\(errors.count == 1 ? "" : "s"): \(errors.joined(separator: "; "))", errors: errors)
        }
    }

    private mutating func take(_ key: String) -> JSONValue? {
        read.insert(key)
        return members[key]
    }

    private mutating func mismatch<T>(_ key: String, _ expected: String) -> T? {
        errors.append("\(key): expected \(expected)")
        return nil
    }
}
