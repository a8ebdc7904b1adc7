import EventLog
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The real binary on a loopback port, driven by curl (and curl as the SSE client).
@Suite("taskledger serve, end to end", .serialized)
struct ServerEndToEndTests {
    /// `taskledger init`, returning the admin token it prints.
    private func initWorkspace(_ directory: TestDirectory, _ name: String = "acme") throws -> String {
        let result = try taskledger(["init", "--data", directory.path, "--workspace", name])
        #expect(result.status == 0, "\(result.stderr)")
        guard let token = result.stdout.split(separator: " ").last(where: { $0.hasPrefix("tl_") }) else { throw Missing(what: "a token") }
        return token.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private let workflow =
        #"{"id":"wf","name":"Board","definition":{"mode":"enforced","states":[{"id":"todo","name":"To do","category":"unstarted","position":0,"isInitial":true},{"id":"review","name":"Review","category":"started","position":1},{"id":"done","name":"Done","category":"completed","position":2}],"transitions":[{"id":"submit","from":"*","to":"review"},{"id":"accept","from":"review","to":"done","approval":{"approverRoles":["project_manager"],"approverMembers":[],"mode":"any","selfApprovalAllowed":false}}]}}"#

    @Test("init, a workflow with an approval step, tasks, moves, an approval by another member, SSE with resume, tokens over HTTP, SIGTERM")
    func tour() async throws {
        let directory = TestDirectory()
        let admin = try initWorkspace(directory)
        let server = try ServerProcess(data: directory.path)
        let ws = "/v1/workspaces/acme"
        var response = try server.request("POST", ws + "/workflows", token: admin, body: workflow)
        #expect(response.status == 201, "\(response.body)")
        response = try server.request("POST", ws + "/members", token: admin, body: #"{"id":"lin","displayName":"Lin","email":"lin@acme.test"}"#)
        #expect(response.status == 201, "\(response.body)")
        response = try server.request("POST", ws + "/tokens", token: admin, body: #"{"member":"lin","name":"laptop"}"#)
        #expect(response.status == 201)
        let lin = try #require((try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any])?["token"] as? String)
        response = try server.request(
            "POST", ws + "/projects", token: admin, body: #"{"id":"p1","key":"OPS","name":"Ops","workflow":{"id":"wf","version":1}}"#)
        #expect(response.status == 201)
        response = try server.request("POST", ws + "/projects/p1/members", token: admin, body: #"{"member":"lin","role":"member"}"#)
        #expect(response.status == 200)
        response = try server.request("POST", ws + "/projects/p1/tasks", token: lin, body: #"{"id":"t1","title":"Renew the certificate"}"#)
        #expect(response.status == 201)
        response = try server.request("POST", ws + "/tasks/t1/moves", token: lin, body: #"{"to":"review"}"#)
        #expect(response.status == 200)
        response = try server.request("POST", ws + "/tasks/t1/moves", token: lin, body: #"{"to":"done"}"#)
        #expect(response.status == 200 && response.body.contains("ApprovalRequested"), "\(response.body)")
        // The requester cannot approve; the project manager (the admin, who created the project) can.
        let approval = try #require(
            (try JSONSerialization.jsonObject(with: Data(try server.request("GET", ws + "/events?type=ApprovalRequested", token: admin).body.utf8))
                as? [String: Any]).flatMap { ($0["data"] as? [String: Any])?["approvalID"] as? String })
        response = try server.request("POST", ws + "/tasks/t1/approvals/\(approval)/decisions", token: lin, body: #"{"verdict":"approve"}"#)
        #expect(response.status == 403 || response.status == 409, "\(response.body)")
        response = try server.request("POST", ws + "/tasks/t1/approvals/\(approval)/decisions", token: admin, body: #"{"verdict":"approve"}"#)
        #expect(response.status == 200 && response.body.contains("TaskMoved"), "\(response.body)")

        // Read your writes: the approval's position as minPosition; the board shows the card done.
        let grantedAt = try #require((try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any])?["position"] as? Int)
        response = try server.request("GET", ws + "/projects/p1/board?minPosition=\(grantedAt)", token: lin)
        #expect(response.status == 200)
        let columns = (try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any])?["rows"] as? [[String: Any]] ?? []
        #expect(columns.first { $0["state"] as? String == "done" }?["count"] as? Int == 1, "\(response.body)")
        // As it was before the approval: in review.
        response = try server.request("GET", ws + "/projects/p1/board?at=\(grantedAt - 4)", token: lin)
        let before = (try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any])?["rows"] as? [[String: Any]] ?? []
        #expect(before.first { $0["state"] as? String == "review" }?["count"] as? Int == 1, "\(response.body)")
        // The audit trail, exported as CSV by the admin.
        response = try server.request("GET", ws + "/audit/export?format=csv&minPosition=\(grantedAt)", token: admin)
        #expect(response.status == 200 && response.body.contains("Requested approval to move OPS-1"), "\(response.body.prefix(300))")

        // SSE with curl: the catch-up ends with the approval; resume after it.
        let sse = try run(
            server.curl,
            ["-s", "-N", "--max-time", "1", "-H", "Authorization: Bearer \(admin)", "-H", "Accept: text/event-stream", server.base + ws + "/events"])
        let ids = String(decoding: sse.stdout, as: UTF8.self).split(separator: "\n").filter { $0.hasPrefix("id: ") }.compactMap {
            Int($0.dropFirst(4))
        }
        #expect(ids == Array(1...ids.count) && ids.count >= 15, "\(ids)")
        let resumed = try run(
            server.curl,
            [
                "-s", "-N", "--max-time", "1", "-H", "Authorization: Bearer \(admin)", "-H", "Accept: text/event-stream", "-H", "Last-Event-ID: 10",
                server.base + ws + "/events",
            ])
        let resumedIDs = String(decoding: resumed.stdout, as: UTF8.self).split(separator: "\n").filter { $0.hasPrefix("id: ") }.compactMap {
            Int($0.dropFirst(4))
        }
        #expect(resumedIDs == Array(11...ids.count))
        // An HTTP/1.0 request: still answered with chunks (NIO's encoder chunks a response of unknown
        // length), which the stream frames itself from its outlet; curl de-chunks them.
        let old = try run(
            server.curl,
            [
                "-s", "--http1.0", "-N", "--max-time", "1", "-H", "Authorization: Bearer \(admin)", "-H", "Accept: text/event-stream",
                server.base + ws + "/events",
            ])
        let oldIDs = String(decoding: old.stdout, as: UTF8.self).split(separator: "\n").filter { $0.hasPrefix("id: ") }.compactMap {
            Int($0.dropFirst(4))
        }
        #expect(oldIDs == ids, "\(oldIDs)")

        // Revoking Lin's token locks Lin out at once.
        let linID = String(lin.split(separator: ".")[1])
        #expect(try server.request("DELETE", ws + "/tokens/\(linID)", token: admin).status == 200)
        #expect(try server.request("POST", ws + "/tasks/t1/comments", token: lin, body: #"{"body":"still here?"}"#).status == 401)

        // Graceful shutdown with a subscriber connected: exit 0, and the log verifies.
        let subscriber = Process()
        subscriber.executableURL = URL(fileURLWithPath: server.curl)
        subscriber.arguments = ["-s", "-N", "-H", "Authorization: Bearer \(admin)", "-H", "Accept: text/event-stream", server.base + ws + "/events"]
        subscriber.standardOutput = FileHandle.nullDevice
        try subscriber.run()
        usleep(300_000)
        #expect(server.terminate(signal: SIGTERM) == 0)
        subscriber.waitUntilExit()
        let verify = try taskledger(["log", "verify", "--data", directory.path, "--workspace", "acme"])
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
    }

    @Test("kill -9 under an HTTP write load: every write answered 2xx is in the log after a restart")
    func crash() async throws {
        let directory = TestDirectory()
        let admin = try initWorkspace(directory)
        var server = try ServerProcess(data: directory.path)
        let loaded = server
        let ws = "/v1/workspaces/acme"
        _ = try server.request("POST", ws + "/workflows", token: admin, body: workflow)
        _ = try server.request(
            "POST", ws + "/projects", token: admin, body: #"{"id":"p1","key":"OPS","name":"Ops","workflow":{"id":"wf","version":1}}"#)
        // Eight concurrent writers; kill the server while they run.
        let answered = Answered()
        let writers = (0..<8).map { writer in
            Thread {
                for n in 0..<400 {
                    guard
                        let result = try? loaded.request(
                            "POST", ws + "/projects/p1/tasks", token: admin, body: #"{"id":"w\#(writer)-\#(n)","title":"Load \#(n)"}"#)
                    else { return }
                    if result.status == 201,
                        let position = (try? JSONSerialization.jsonObject(with: Data(result.body.utf8)) as? [String: Any])?["position"] as? Int
                    {
                        answered.add("w\(writer)-\(n)", position)
                    }
                    if result.status == 0 { return }
                }
            }
        }
        writers.forEach { $0.start() }
        try await Task.sleep(for: .milliseconds(1_500))
        _ = server.terminate(signal: SIGKILL)
        try await Task.sleep(for: .milliseconds(300))
        let acknowledged = answered.all
        #expect(acknowledged.count > 20, "the load ran before the kill")
        server = try ServerProcess(data: directory.path)
        // Every event after the restart, by position, read through the API in pages.
        var stored: [Int: String] = [:]
        var next = 1
        while true {
            let page = try server.request("GET", ws + "/events?from=\(next)&limit=1000", token: admin)
            let events = page.body.split(separator: "\n").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
            guard !events.isEmpty else { break }
            for event in events {
                if let position = event["position"] as? Int, let subject = event["subject"] as? String { stored[position] = subject }
            }
            next = (events.last?["position"] as? Int ?? next) + 1
        }
        for (task, position) in acknowledged {
            #expect(stored[position] == "task-\(task)", "write \(task) answered at \(position) is missing")
        }
        #expect(server.terminate() == 0)
    }

    /// Workflow `wf`, project `p1` and task `late`, due 2020-01-01: overdue as soon as the scheduler looks.
    private func addLateTask(_ server: ServerProcess, ws: String, token: String) throws {
        _ = try server.request("POST", ws + "/workflows", token: token, body: workflow)
        _ = try server.request(
            "POST", ws + "/projects", token: token, body: #"{"id":"p1","key":"OPS","name":"Ops","workflow":{"id":"wf","version":1}}"#)
        let created = try server.request(
            "POST", ws + "/projects/p1/tasks", token: token, body: #"{"id":"late","title":"Late","dueDate":"2020-01-01"}"#)
        #expect(created.status == 201, "\(created.body)")
    }

    @Test("the scheduler runs inside the server: a task past its due date becomes overdue, once")
    func scheduler() async throws {
        let directory = TestDirectory()
        let admin = try initWorkspace(directory)
        let server = try ServerProcess(data: directory.path, extra: ["--schedule-interval", "0.3"])
        let ws = "/v1/workspaces/acme"
        try addLateTask(server, ws: ws, token: admin)
        var overdue: [Substring] = []
        for _ in 0..<50 where overdue.isEmpty {
            try await Task.sleep(for: .milliseconds(100))
            overdue = try server.request("GET", ws + "/events?type=TaskBecameOverdue", token: admin).body.split(separator: "\n")
        }
        #expect(overdue.count == 1 && overdue[0].contains(#""actor":"scheduler""#), "\(overdue)")
        try await Task.sleep(for: .milliseconds(800))
        #expect(try server.request("GET", ws + "/events?type=TaskBecameOverdue", token: admin).body.split(separator: "\n").count == 1, "once")
        #expect(server.terminate() == 0)
    }

    @Test("after a restart every workspace is opened at start: ready counts them, and the scheduler runs in one nobody asked for")
    func openAtStart() async throws {
        let directory = TestDirectory()
        let admin = try initWorkspace(directory, "acme")
        _ = try initWorkspace(directory, "beta")
        let ws = "/v1/workspaces/acme"
        // A task past its due date, made with the scheduler off.
        let first = try ServerProcess(data: directory.path, extra: ["--schedule-interval", "0"])
        try addLateTask(first, ws: ws, token: admin)
        #expect(first.terminate() == 0)

        // Restarted with the scheduler on: no request reaches acme until the scheduler has had its runs.
        let server = try ServerProcess(data: directory.path, extra: ["--schedule-interval", "0.2"])
        var ready = try server.request("GET", "/readyz")
        for _ in 0..<100 where ready.status != 200 {
            #expect(ready.status == 503 && (ready.body.contains(#""code":"opening""#) || ready.body.contains("projections-")), "\(ready.body)")
            try await Task.sleep(for: .milliseconds(50))
            ready = try server.request("GET", "/readyz")
        }
        #expect(ready.body.contains(#""openWorkspaces":2"#), "\(ready.body)")
        try await Task.sleep(for: .milliseconds(1_000))
        let overdue = try server.request("GET", ws + "/events?type=TaskBecameOverdue", token: admin).body.split(separator: "\n")
        #expect(overdue.count == 1, "the scheduler ran in acme before any request opened it: \(overdue)")
        #expect(server.terminate() == 0)

        // Opening on first use instead: nothing is open until asked for.
        let lazy = try ServerProcess(data: directory.path, extra: ["--no-open-at-start"])
        let lazyReady = try lazy.request("GET", "/readyz")
        #expect(lazyReady.status == 200 && lazyReady.body.contains(#""openWorkspaces":0"#), "\(lazyReady.body)")
        #expect(lazy.terminate() == 0)

        // With --ready-lag-max 0 the server is ready once every read model has caught up to the head exactly.
        let strict = try ServerProcess(data: directory.path, extra: ["--ready-lag-max", "0"])
        var strictReady = try strict.request("GET", "/readyz")
        for _ in 0..<100 where strictReady.status != 200 {
            try await Task.sleep(for: .milliseconds(50))
            strictReady = try strict.request("GET", "/readyz")
        }
        #expect(strictReady.status == 200, "caught up, lag 0: \(strictReady.body)")
        #expect(strict.terminate() == 0)
    }

    @Test("TLS with --tls-cert/--tls-key: HTTPS answers with HSTS")
    func tls() throws {
        guard let openssl = which("openssl") else { throw Missing(what: "openssl") }
        let directory = TestDirectory()
        let certificate = directory.path + "/cert.pem"
        let key = directory.path + "/key.pem"
        let made = try run(
            openssl, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "1", "-subj", "/CN=127.0.0.1"])
        #expect(made.status == 0)
        let token = try initWorkspace(directory)
        let server = try ServerProcess(data: directory.path, extra: ["--tls-cert", certificate, "--tls-key", key], scheme: "https")
        let health = try server.request("GET", "/healthz")
        #expect(health.status == 200)
        #expect(health.headers.lowercased().contains("strict-transport-security: max-age=31536000"))
        // A read asked twice: the router computes it, then the front answers it ahead of the HTTP decoder,
        // behind TLS, with the same body and HSTS too.
        let computed = try server.request("GET", "/v1/workspaces/acme/audit?limit=5&minPosition=1", token: token)
        let ready = try server.request("GET", "/v1/workspaces/acme/audit?limit=5&minPosition=1", token: token)
        #expect(computed.status == 200 && ready.status == 200, "\(computed.body)")
        #expect(ready.body == computed.body)
        #expect(ready.headers.lowercased().contains("strict-transport-security: max-age=31536000"))
        // An event stream behind TLS: its chunks, written ahead of the HTTP encoder (`StreamOutlet`), pass
        // through TLS too; curl decrypts and de-chunks them (a second of it: catch-up, then live).
        let sse = try run(
            server.curl,
            [
                "-s", "-k", "-N", "--max-time", "1", "-H", "Authorization: Bearer \(token)", "-H", "Accept: text/event-stream",
                server.base + "/v1/workspaces/acme/events",
            ])
        let ids = String(decoding: sse.stdout, as: UTF8.self).split(separator: "\n").filter { $0.hasPrefix("id: ") }.compactMap {
            Int($0.dropFirst(4))
        }
        #expect(ids.count >= 3 && ids == Array(1...ids.count), "\(ids)")
        let metrics = try server.request("GET", "/metrics").body
        #expect(metrics.contains("taskledger_http_ready_reads_total 1\n"), "\(metrics.split(separator: "\n").filter { $0.contains("ready_reads") })")
        #expect(server.terminate() == 0)
    }
}

/// Writes the load threads saw answered 2xx: task id → position.
private final class Answered: @unchecked Sendable {
    private let lock = NSLock()
    private var table: [String: Int] = [:]
    func add(_ task: String, _ position: Int) { lock.withLock { table[task] = position } }
    var all: [String: Int] { lock.withLock { table } }
}
