import ArgumentParser

/// The one executable: `taskledger <command>`: `serve`, `init`, `token`, `projections`, `verify`, `backup`,
/// `restore`, `export`, `redact`, `checkpoint`, `log`, `demo`.
@main
struct Taskledger: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "taskledger",
        abstract: "An event-sourced project-workflow server with a compressed, tamper-evident log.",
        version: "0.1.0",
        subcommands: [
            Serve.self, Init.self, TokenCommands.self, ProjectionsCommand.self, Verify.self, Backup.self, Restore.self, Export.self, Redact.self,
            CheckpointCommands.self, LogCommand.self, DemoCommand.self,
        ]
    )
}
