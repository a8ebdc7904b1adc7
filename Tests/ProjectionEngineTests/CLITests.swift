import EventLog
import Foundation
import TestSupport
import Testing

/// `taskledger projections …` as a user runs it: output, errors on one line, exit statuses.
@Suite("projections CLI")
struct CLITests {
    let directory = TestDirectory()

    private func taskledger(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let result = try run(try taskledgerBinary(), arguments)
        return (result.status, String(decoding: result.stdout, as: UTF8.self), String(decoding: result.stderr, as: UTF8.self))
    }

    private func workspace(_ events: Int) async throws -> [String] {
        let log = try EventLog.open(dataDirectory: directory.path, workspace: "acme", options: testOptions { $0.durability = .unsafeNoSync })
        _ = try await log.append(AppendRequest(events: sampleEvents(events)))
        await log.close()
        return ["--data", directory.path, "--workspace", "acme", "--projections", DefinitionFiles.directory]
    }

    @Test("list, status, query, rebuild and catch-up on a small workspace")
    func commands() async throws {
        let options = try await workspace(100)
        let list = try taskledger(["projections", "list", "--projections", DefinitionFiles.directory])
        #expect(list.status == 0)
        #expect(list.stdout.contains("items  version "))
        #expect(list.stdout.contains("  query by_type(type, limit = 50)  cursor: position\n"))
        let missing = try taskledger(["projections", "status"] + options)
        #expect(missing.stdout.contains("items           missing"))
        let query = try taskledger(["projections", "query", "items", "by_type", "--param", "type=Closed", "--limit", "2"] + options)
        #expect(query.status == 0, "\(query.stderr)")
        #expect(query.stdout.hasPrefix(#"{"rows":[{"position":3,"stream":"s-2","n":2},{"position":6,"stream":"s-5","n":5}],"next":""#))
        #expect(query.stdout.hasSuffix(#","position":100}"# + "\n"))
        let past = try taskledger(["projections", "query", "items", "by_type", "--param", "type=Closed", "--at", "5"] + options)
        #expect(past.stdout == #"{"rows":[{"position":3,"stream":"s-2","n":2}],"next":null,"position":5}"# + "\n")
        let counted = try taskledger(["projections", "query", "items", "by_type", "--param", "type=Closed", "--at", "5", "--total"] + options)
        #expect(counted.stdout == #"{"rows":[{"position":3,"stream":"s-2","n":2}],"next":null,"position":5,"total":1}"# + "\n")
        let live = try taskledger(["projections", "status", "--json"] + options)
        #expect(live.stdout.contains(#""name":"items","state":"live""#))
        let rebuild = try taskledger(["projections", "rebuild", "items"] + options)
        #expect(rebuild.status == 0)
        #expect(rebuild.stderr.hasPrefix("rebuilt items (version "), "no terminal: no progress bar")
        let catchUp = try taskledger(["projections", "catch-up"] + options)
        #expect(catchUp.stdout.contains("items: live at 100 (version "))
    }

    @Test("errors are one line on stderr with their code and exit status")
    func errors() async throws {
        let options = try await workspace(10)
        let cases: [([String], Int32, String)] = [
            (["query", "items", "by_type"], 2, "taskledger: missing-parameter: missing parameter 'type' (it has no default)\n"),
            (
                ["query", "items", "by_type", "--param", "type=X", "--param", "nope=1"], 2,
                "taskledger: invalid-parameter: parameter 'nope': query 'by_type' has no such parameter\n"
            ),
            (
                ["query", "items", "by_type", "--param", "type=X", "--at", "11"], 2,
                "taskledger: position-beyond-head: position 11 is beyond the log's head (10)\n"
            ),
            (
                ["query", "items", "by_type", "--param", "type=X", "--cursor", "zzz"], 2,
                "taskledger: invalid-cursor: the cursor is not one this query returned\n"
            ),
            (["query", "nope", "all"], 2, "taskledger: unknown-projection: no projection named 'nope'\n"),
            (["query", "items", "nope"], 2, "taskledger: unknown-query: projection 'items' has no query named 'nope'\n"),
            (["query", "items", "items", "--at", "yesterday"], 2, "taskledger: --at must be a position or an RFC 3339 time, got 'yesterday'\n"),
        ]
        for (arguments, status, stderr) in cases {
            let result = try taskledger(["projections"] + arguments + options)
            #expect(result.status == status, "\(arguments)")
            #expect(result.stderr == stderr, "\(arguments)")
        }
    }

    @Test("a definition that does not load: file:line on stderr, exit 5; the others still work")
    func invalidDefinition() async throws {
        let options = try await workspace(10)
        let definitions = directory.path + "/defs"
        try FileManager.default.createDirectory(atPath: definitions, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: DefinitionFiles.directory + "/counter.sql", toPath: definitions + "/counter.sql")
        try Data("-- projection: broken\n-- schema\nCREATE TABLE t (a);\n-- onn: X\n".utf8).write(
            to: URL(fileURLWithPath: definitions + "/broken.sql"))
        let list = try taskledger(["projections", "list", "--projections", definitions])
        #expect(list.status == 5)
        #expect(list.stderr.contains("taskledger: warning: invalid-definition: \(definitions)/broken.sql:4: unknown directive '-- onn:'\n"))
        #expect(list.stdout.hasPrefix("counter  version "))
        let query = try taskledger(["projections", "query", "broken", "all"] + options.dropLast(2) + ["--projections", definitions])
        #expect(query.status == 5)
        #expect(query.stderr == "taskledger: invalid-definition: \(definitions)/broken.sql:4: unknown directive '-- onn:'\n")
        let counter = try taskledger(["projections", "query", "counter", "all"] + options.dropLast(2) + ["--projections", definitions])
        #expect(counter.status == 0)
        #expect(counter.stdout.contains(#""position":10"#))
    }

    @Test("a query past --query-seconds-max stops with query-timeout, exit 1; a bad limit is a usage error")
    func queryTimeLimit() async throws {
        let options = try await workspace(10)
        let definitions = directory.path + "/slow"
        try FileManager.default.createDirectory(atPath: definitions, withIntermediateDirectories: true)
        try Data(
            """
            -- projection: numbers
            -- schema
            CREATE TABLE seen (position INTEGER PRIMARY KEY);
            -- on: *
            INSERT INTO seen (position) VALUES (:position);
            -- query: upto(n = 1000000000)
            WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < :n) SELECT count(*) AS n FROM c

            """.utf8
        ).write(to: URL(fileURLWithPath: definitions + "/numbers.sql"))
        let data = options.dropLast(2) + ["--projections", definitions]
        let stopped = try taskledger(["projections", "query", "numbers", "upto", "--query-seconds-max", "0.2"] + data)
        #expect(stopped.status == 1)
        #expect(
            stopped.stderr
                == "taskledger: query-timeout: query 'upto' ran longer than 0.2 s and was stopped; narrow it with its parameters, or leave out total\n"
        )
        let quick = try taskledger(["projections", "query", "numbers", "upto", "--param", "n=7", "--query-seconds-max", "0.2"] + data)
        #expect(quick.status == 0 && quick.stdout.hasPrefix(#"{"rows":[{"n":7}]"#), "\(quick.stderr)")
        let refused = try taskledger(["projections", "query", "numbers", "upto", "--query-seconds-max", "0"] + data)
        #expect(refused.status == 64 && refused.stderr.contains("--query-seconds-max must be above 0"), "\(refused.stderr)")
    }
}
