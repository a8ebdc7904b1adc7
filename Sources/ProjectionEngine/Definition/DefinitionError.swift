/// Why a projection file was refused: the file, the line, and what is wrong there.
public struct DefinitionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file's path as given to the loader.
    public let file: String
    /// 1-based line the problem is on (the statement's first line for SQL errors).
    public let line: Int
    public let message: String

    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// `file:line: message`, the form compilers use, so editors can jump to it.
    public var description: String { "\(file):\(line): \(message)" }
}
