import ArgumentParser
import EventLog
import ProjectionEngine

/// `taskledger projections status`: what is on disk for each projection, against the log's head.
struct ProjectionsStatus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each projection's database: version, checkpoint, head, lag, state.",
        discussion: """
            Reads the databases without applying anything. States: live (at the head), behind (a restart catches \
            up), outdated (the definition changed: the next start rebuilds it), missing (never built), failed \
            (stopped on a failing statement; exit status 6).
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var projections: ProjectionsOptions

    @Flag(help: "Print one JSON object per line.")
    var json = false

    func run() async throws {
        let loaded = try projections.load()
        let log = try global.openLog()
        let head = log.head.position
        await log.close()
        let output = StandardOutput()
        if !json { output.write(pad("NAME", 16) + pad("STATE", 10) + pad("VERSION", 18) + pad("CHECKPOINT", 12) + pad("HEAD", 12) + "LAG\n") }
        var anyFailed = false
        for definition in loaded.definitions {
            let stored = StoredDatabase.list(dataDirectory: global.dataDirectory, workspace: global.workspace, name: definition.name)
                .filter(\.complete)
            let served = stored.first { $0.version == definition.version } ?? stored.first
            let checkpoint = served?.checkpoint ?? 0
            let state: String
            var detail = ""
            if let failure = served?.failure {
                state = "failed"
                detail = "at \(failure.position): \(failure.message)"
                anyFailed = true
            } else if served == nil {
                state = "missing"
            } else if served?.version != definition.version {
                state = "outdated"
            } else {
                state = checkpoint >= head ? "live" : "behind"
            }
            let lag = head > checkpoint ? head - checkpoint : 0
            if json {
                var line: [UInt8] = []
                line.append(contentsOf: #"{"name":"\#(definition.name)","state":"\#(state)","version":"#.utf8)
                line.append(contentsOf: (served.map { "\"\($0.version)\"" } ?? "null").utf8)
                line.append(
                    contentsOf: #","definitionVersion":"\#(definition.version)","checkpoint":\#(checkpoint),"head":\#(head),"lag":\#(lag)"#.utf8)
                if let failure = served?.failure {
                    line.append(contentsOf: #","failedPosition":\#(failure.position),"error":"#.utf8)
                    line.append(contentsOf: QueryValue.text(failure.message).json.utf8)
                }
                line.append(contentsOf: "}\n".utf8)
                output.write(line)
            } else {
                output.write(
                    pad(definition.name, 16) + pad(state, 10) + pad(served?.version ?? "-", 18) + pad(String(checkpoint), 12) + pad(String(head), 12)
                        + String(lag) + (detail.isEmpty ? "" : "  " + detail.replacingNewlines()) + "\n")
            }
        }
        output.flush()
        if anyFailed { throw ExitCode(ExitStatus.projectionFailed) }
        if !loaded.errors.isEmpty { throw ExitCode(ExitStatus.invalidDefinition) }
    }
}

func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
}
