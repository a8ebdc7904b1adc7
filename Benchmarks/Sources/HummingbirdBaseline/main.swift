import BenchmarkSupport
import Foundation
import Hummingbird

/// The floor under Taskledger's HTTP figures: Hummingbird 2 (the server Taskledger is built on, same
/// version, same HTTP/1.1 server and shared event-loop group) doing no work of its own.
///
/// - `GET /board`: the bytes of `--body FILE` (the board answer Taskledger gave), as `application/json`.
/// - `POST` to any path: the request body is read in full and dropped; the answer is `--answer`'s JSON
///   with status 201, as a move's answer would be.
///
/// No authentication, no routing beyond these two, no logging, no metrics, no I/O. `make bench` runs wrk
/// against it beside Taskledger and nginx, so RESULTS.md can say how much of the gap to nginx is the
/// framework's and how much is Taskledger's own per-request work.
///
/// `HummingbirdBaseline --port P --body FILE [--answer JSON]`
struct Arguments {
    var port = 0
    var body = ""
    var answer = #"{"positions":[1],"version":2}"#

    init() {
        let options = BenchmarkOptions(usage: "HummingbirdBaseline --port P --body FILE [--answer JSON]")
        for (name, value) in options {
            switch name {
            case "--port": port = options.number(value, for: name)
            case "--body": body = value
            case "--answer": answer = value
            default: options.unknown(name)
            }
        }
        guard port > 0, !body.isEmpty else { options.fail("--port P and --body FILE are required") }
    }
}

let arguments = Arguments()
guard let bytes = FileManager.default.contents(atPath: arguments.body) else {
    FileHandle.standardError.write(Data("HummingbirdBaseline: cannot read \(arguments.body)\n".utf8))
    exit(1)
}
let board = ByteBuffer(bytes: bytes)
let answer = ByteBuffer(string: arguments.answer)

let router = Router()
router.get("board") { _, _ in
    Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: board))
}
router.post("**") { request, _ in
    _ = try await request.body.collect(upTo: 1 << 16)
    return Response(status: .created, headers: [.contentType: "application/json"], body: .init(byteBuffer: answer))
}
let application = Application(
    router: router,
    configuration: .init(address: .hostname("127.0.0.1", port: arguments.port), serverName: "hummingbird-baseline"))
try await application.runService()
