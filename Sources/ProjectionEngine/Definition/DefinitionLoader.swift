import Foundation

/// Loads every `*.sql` file of a directory. A malformed file fails only itself: its error is returned
/// beside the definitions that loaded.
public enum DefinitionLoader {
    /// What a directory held.
    public struct Loaded: Sendable {
        public let definitions: [ProjectionDefinition]
        public let errors: [DefinitionError]
    }

    public static func load(directory: String) throws(ProjectionError) -> Loaded {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".sql") }.sorted()
        } catch {
            throw .io("cannot read the projections directory \(directory): \(error.localizedDescription)")
        }
        var definitions: [ProjectionDefinition] = []
        var errors: [DefinitionError] = []
        for name in names {
            let path = directory + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else {
                errors.append(DefinitionError(file: path, line: 1, message: "cannot read the file"))
                continue
            }
            do {
                definitions.append(try DefinitionCompiler.compile(file: path, bytes: Array(data)))
            } catch {
                errors.append(error)
            }
        }
        return Loaded(definitions: definitions, errors: errors)
    }
}
