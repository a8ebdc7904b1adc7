import ArgumentParser

/// `taskledger projections …`: the read models defined in `Projections/*.sql`.
struct ProjectionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "projections",
        abstract: "List, inspect, rebuild and query a workspace's projections (read models).",
        subcommands: [ProjectionsList.self, ProjectionsStatus.self, ProjectionsRebuild.self, ProjectionsQuery.self, ProjectionsCatchUp.self]
    )
}
