import ArgumentParser
import ProjectionEngine

/// `taskledger projections list`: the definitions and their queries.
struct ProjectionsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the projection definitions, their versions and queries.",
        discussion: "Needs no workspace. A file that does not load is reported on stderr (file:line: what is wrong) and the exit status is 5."
    )

    @OptionGroup var projections: ProjectionsOptions

    func run() async throws {
        let loaded = try projections.load()
        let output = StandardOutput()
        for definition in loaded.definitions {
            output.write("\(definition.name)  version \(definition.version)")
            if let label = definition.versionLabel { output.write(" (\(label))") }
            output.write("\n")
            if let description = definition.description { output.write("  \(description)\n") }
            for name in definition.queryNames {
                let query = definition.queries[name]!
                let parameters = query.parameters.map { parameter in
                    parameter.defaultValue.map { "\(parameter.name) = \(literal($0))" } ?? parameter.name
                }
                output.write("  query \(name)(\(parameters.joined(separator: ", ")))")
                if !query.cursor.isEmpty { output.write("  cursor: \(query.cursor.joined(separator: ", "))") }
                output.write("\n")
            }
        }
        output.flush()
        if !loaded.errors.isEmpty {
            throw fail("\(loaded.errors.count) definition(s) did not load", status: ExitStatus.invalidDefinition)
        }
    }

    private func literal(_ value: QueryValue) -> String {
        switch value {
        case .null: "NULL"
        case .integer(let number): String(number)
        case .real(let number): String(number)
        case .text(let text), .json(let text): "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
        }
    }
}
