import Foundation

/// The test-only definitions in `Tests/ProjectionEngineTests/Definitions`.
enum DefinitionFiles {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Definitions").path

    static func text(_ name: String) throws -> String {
        try String(contentsOfFile: "\(directory)/\(name).sql", encoding: .utf8)
    }
}
