import ArgumentParser

/// The one executable: `taskledger <command>`. Later issues add `serve`, `init`, `demo`, … beside `log`.
@main
struct Taskledger: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "taskledger",
        abstract: "An event-sourced project-workflow server with a compressed, tamper-evident log.",
        version: "0.1.0",
        subcommands: [LogCommand.self, ProjectionsCommand.self]
    )
}
