import ArgumentParser
import EventLog
import ProjectionEngine

/// `taskledger projections query NAME QUERY`: one page of a query as JSON.
struct ProjectionsQuery: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Run a projection's query and print {\"rows\":[…],\"next\":…,\"position\":…} (and \"total\" with --total).",
        discussion: "The projection first catches up with the log (building it if needed). Values of --param are integers, reals, null or text."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var projections: ProjectionsOptions

    @Argument(help: "The projection.")
    var name: String

    @Argument(help: "The query.")
    var query: String

    @Option(name: .customLong("param"), help: "A parameter, as name=value (repeat for several).")
    var parameters: [String] = []

    @Option(help: "Answer as of a log position or an RFC 3339 time (e.g. 2026-11-27T12:00:00Z).")
    var at: String?

    @Option(help: "The `next` cursor of the previous page.")
    var cursor: String?

    @Option(help: "Rows per page (at most 500).")
    var limit: Int?

    @Flag(help: "Also count the query's rows over all pages (\"total\"): the query runs a second time, without cursor or limit.")
    var total = false

    @Option(help: "Seconds the query (and its total) may run before it is stopped with query-timeout (above 0, at most 86400).")
    var querySecondsMax: Double = 10

    func validate() throws {
        guard querySecondsMax > 0, querySecondsMax <= 86_400 else {
            throw ValidationError("--query-seconds-max must be above 0 and at most 86400")
        }
    }

    func run() async throws {
        var values: [String: QueryValue] = [:]
        for parameter in parameters {
            guard let equals = parameter.firstIndex(of: "="), equals != parameter.startIndex else {
                throw fail("--param must be name=value, got '\(parameter)'", status: ExitStatus.badInput)
            }
            values[String(parameter[..<equals])] = QueryValue(parsing: String(parameter[parameter.index(after: equals)...]))
        }
        let asOf = try at.map { text throws -> ProjectionEngine.AsOf in
            if let position = UInt64(text) { return .position(position) }
            if let time = Timestamp(rfc3339: text) { return .time(time) }
            throw fail("--at must be a position or an RFC 3339 time, got '\(text)'", status: ExitStatus.badInput)
        }
        let definition = try projections.definition(name)
        let log = try global.openLog()
        var options = global.engineOptions()
        options.queryTimeSecondsMax = querySecondsMax
        let engine = ProjectionEngine(log: log, dataDirectory: global.dataDirectory, definitions: [definition], options: options)
        var failure: ExitCode?
        do {
            try engine.start()
            _ = await engine.waitUntilCaughtUp(timeout: .seconds(3_600))
            let result = try engine.query(projection: name, query: query, parameters: values, cursor: cursor, limit: limit, asOf: asOf, total: total)
            let output = StandardOutput()
            output.write(result.json + "\n")
            output.flush()
        } catch {
            failure = fail(error)
        }
        await engine.stop()
        await log.close()
        if let failure { throw failure }
    }
}
