/// The open logs of many workspaces, with a bound on how many are open at once.
///
/// A server may host thousands of workspaces; each open log holds file descriptors (its lock, active
/// segment, up to `EventLogOptions.readHandlesMax` segment readers, and SQLite's three files) and memory.
/// The store opens a log on first use and, when `openLogsMax` are open, closes the least recently used
/// one that nobody holds. So at most `openLogsMax × (readHandlesMax + 5)` descriptors are used.
///
/// ```swift
/// let store = LogStore(dataDirectory: "./taskledger-data", openLogsMax: 64)
/// let result = try await store.withLog("acme") { log in try await log.append(request) }
/// ```
public actor LogStore {
    public nonisolated let dataDirectory: String
    public nonisolated let options: EventLogOptions
    public nonisolated let openLogsMax: Int

    private struct Entry {
        let log: EventLog
        var leases: Int
        var lastUse: UInt64
    }

    private var entries: [String: Entry] = [:]
    private var tick: UInt64 = 0
    private var closing = false

    public init(dataDirectory: String, options: EventLogOptions = EventLogOptions(), openLogsMax: Int = 64) {
        precondition(openLogsMax > 0, "openLogsMax must be positive")
        self.dataDirectory = dataDirectory
        self.options = options
        self.openLogsMax = openLogsMax
    }

    /// How many logs are open now.
    public var openCount: Int { entries.count }

    /// Runs `body` with the log of `workspace`, which stays open (and is not evicted) until `body` returns.
    public func withLog<R: Sendable>(
        _ workspace: String, create: Bool = true, _ body: (EventLog) async throws -> R
    ) async throws -> R {
        let log = try await acquire(workspace, create: create)
        defer { release(workspace) }
        return try await body(log)
    }

    /// Opens (or finds) the log of `workspace` and holds it until a matching `release`.
    public func acquire(_ workspace: String, create: Bool = true) async throws(EventLogError) -> EventLog {
        guard !closing else { throw .closed }
        tick += 1
        if var entry = entries[workspace] {
            entry.leases += 1
            entry.lastUse = tick
            entries[workspace] = entry
            return entry.log
        }
        while entries.count >= openLogsMax {
            guard let idle = entries.filter({ $0.value.leases == 0 }).min(by: { $0.value.lastUse < $1.value.lastUse }) else {
                throw .tooManyOpenLogs(limit: openLogsMax)
            }
            entries[idle.key] = nil
            await idle.value.log.close()
            // Another task may have opened this workspace while this one waited for the close.
            if let entry = entries[workspace] {
                entries[workspace]?.leases = entry.leases + 1
                return entry.log
            }
        }
        var logOptions = options
        logOptions.createIfMissing = create
        let log = try EventLog.open(dataDirectory: dataDirectory, workspace: workspace, options: logOptions)
        entries[workspace] = Entry(log: log, leases: 1, lastUse: tick)
        return log
    }

    /// Gives back a log taken with `acquire`; it stays open until evicted or the store closes.
    public func release(_ workspace: String) {
        guard var entry = entries[workspace] else { return }
        entry.leases = max(0, entry.leases - 1)
        entries[workspace] = entry
    }

    /// Closes every open log; later `acquire`s fail with `.closed`.
    public func close() async {
        closing = true
        let logs = entries.values.map(\.log)
        entries = [:]
        for log in logs { await log.close() }
    }
}
