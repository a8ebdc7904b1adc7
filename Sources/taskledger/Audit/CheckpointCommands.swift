import ArgumentParser
import EventLog
import Foundation

/// `taskledger checkpoint`: signed checkpoints of a workspace's chain head.
struct CheckpointCommands: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Sign the chain head with the server's Ed25519 key, list signed checkpoints, show the public key.",
        subcommands: [CheckpointSign.self, CheckpointList.self, CheckpointKeyCommand.self]
    )
}

/// Options of the checkpoint commands: where the key is.
struct CheckpointKeyOptions: ParsableArguments {
    @Option(help: "The Ed25519 key file (default: <data>/keys/checkpoint-ed25519.key; created, mode 0600, when missing).")
    var key: String?

    func load(dataDirectory: String) throws -> CheckpointKey {
        do {
            return try CheckpointKey.loadOrCreate(at: key ?? CheckpointKey.defaultPath(dataDirectory: dataDirectory))
        } catch {
            throw fail(error, context: "checkpoint key")
        }
    }
}

struct CheckpointSign: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign the workspace's current chain head, store the checkpoint (checkpoints.ndjson) and print it as JSON.",
        discussion: "Reads the segment files (no lock): runs beside a live server. Save the printed JSON somewhere the server cannot write."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var keyOptions: CheckpointKeyOptions

    func run() async throws {
        let key = try keyOptions.load(dataDirectory: global.dataDirectory)
        do {
            let report = try LogVerifier(dataDirectory: global.dataDirectory, workspace: global.workspace).inspect { _ in }
            if let problem = report.problem { throw fail("checkpoint: the log is damaged at \(problem); not signing", status: ExitStatus.corrupt) }
            let checkpoint = key.sign(workspace: global.workspace, head: report.head)
            try CheckpointStore(dataDirectory: global.dataDirectory, workspace: global.workspace).append(checkpoint)
            writeAll(1, checkpoint.encoded() + [UInt8(ascii: "\n")])
        } catch let error as EventLogError {
            throw fail(error, context: "checkpoint")
        }
    }
}

struct CheckpointList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Print the workspace's stored checkpoints as NDJSON, oldest first.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let checkpoints: [SignedCheckpoint]
        do {
            checkpoints = try CheckpointStore(dataDirectory: global.dataDirectory, workspace: global.workspace).all()
        } catch {
            throw fail(error, context: "checkpoint")
        }
        let output = StandardOutput()
        for checkpoint in checkpoints {
            output.write(checkpoint.encoded())
            output.write("\n")
        }
        output.flush()
    }
}

struct CheckpointKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key", abstract: "Print the public key (hex) and its key id: what an auditor pins (verify --public-key).")

    @Option(name: .customLong("data"), help: "The data directory.")
    var dataDirectory = "./taskledger-data"
    @OptionGroup var keyOptions: CheckpointKeyOptions

    func run() async throws {
        let key = try keyOptions.load(dataDirectory: dataDirectory)
        writeAll(1, Array("public key \(key.publicKeyHex)\nkey id \(key.keyID)\n".utf8))
    }
}
