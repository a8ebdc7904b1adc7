import ArgumentParser

/// `taskledger log …`: the workspace log itself, for operators and auditors.
struct LogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Append to, read, verify and inspect a workspace's event log.",
        subcommands: [LogAppend.self, LogRead.self, LogVerify.self, LogDump.self, LogStats.self]
    )
}
