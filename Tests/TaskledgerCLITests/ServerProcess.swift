import Foundation
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// `taskledger serve` as a child process on a free loopback port, driven with curl.
final class ServerProcess: @unchecked Sendable {
    let process = Process()
    let port: Int
    let scheme: String
    let curl: String

    init(data: String, extra: [String] = [], scheme: String = "http") throws {
        guard let curl = which("curl") else { throw Missing(what: "curl") }
        self.curl = curl
        port = try freePort()
        self.scheme = scheme
        process.executableURL = URL(fileURLWithPath: try taskledgerBinary())
        // The repository's built-in read models, wherever the tests run from.
        process.arguments =
            ["serve", "--data", data, "--port", String(port), "--log-level", "warning", "--projections", builtInProjectionsDirectory] + extra
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        try waitUntilHealthy()
    }

    var base: String { "\(scheme)://127.0.0.1:\(port)" }

    private func waitUntilHealthy() throws {
        for _ in 0..<100 {
            if let result = try? request("GET", "/healthz"), result.status == 200 { return }
            usleep(100_000)
        }
        throw Missing(what: "a healthy server on port \(port)")
    }

    /// One request with curl: status, headers and body.
    func request(_ method: String, _ path: String, token: String? = nil, body: String? = nil, headers: [String] = [])
        throws -> (status: Int, headers: String, body: String)
    {
        var arguments = ["-s", "-k", "-X", method, "-D", "-", "--max-time", "10", base + path]
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        if let body { arguments += ["-H", "Content-Type: application/json", "--data-binary", body] }
        for header in headers { arguments += ["-H", header] }
        let result = try run(curl, arguments)
        let text = String(decoding: result.stdout, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { return (0, "", text) }
        let head = String(text[..<split.lowerBound])
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        return (status, head, String(text[split.upperBound...]))
    }

    func terminate(signal number: Int32 = SIGTERM) -> Int32 {
        kill(process.processIdentifier, number)
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}

struct Missing: Error, CustomStringConvertible {
    var what: String
    var description: String { "missing \(what)" }
}

/// A loopback port nobody is listening on (the kernel picks it; closed again before use).
func freePort() throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
    guard bound == 0 else { throw Missing(what: "a free port") }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}
