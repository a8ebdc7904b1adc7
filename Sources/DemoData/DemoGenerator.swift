public import CommandService
public import EventLog
import Foundation
import Synchronization
public import Workflow

/// What to generate.
///
/// ```swift
/// let configuration = DemoConfiguration(seed: 42, events: 20_000)
/// let report = try await DemoGenerator.generate(dataDirectory: "./taskledger-data", configuration: configuration)
/// print(report.workspaces.map(\.events))
/// ```
public struct DemoConfiguration: Sendable, Equatable {
    /// The seed of everything: the same seed (and other settings) gives the same log bytes.
    public var seed: UInt64
    /// Events to write in all, split evenly over the workspaces (each stops at its share, give or take
    /// the last command's events).
    public var events: Int
    /// How many workspaces: `name` alone for one, `name-1` … `name-W` for more. They are generated
    /// concurrently (one log each, so concurrency cannot change any workspace's bytes).
    public var workspaces: Int
    /// Calendar days of simulated history, from Monday 2026-06-01 (working hours only).
    public var days: Int
    /// The workspace name (or prefix, with more than one).
    public var name: String
    /// How the logs acknowledge appends. `unsafeNoSync` by default: a bulk load that is synced to disk
    /// once at the end (a crash mid-way leaves a log to delete, not a damaged one: it is cut at its
    /// last whole batch on open).
    public var durability: EventLogOptions.Durability
    /// The most commands whose appends share one batch of the log (`CommandService.BulkLoad`). The
    /// commands are decided one at a time as always; only their appends are grouped, which is what makes
    /// a large history take seconds. 1 gives every command a batch of its own (the layout before bulk
    /// loading, about 6× slower and 2.5× larger on disk: LZ4 has little to work with in one command).
    public var commandsPerBatch: Int
    /// A batch also ends where simulated time crosses a multiple of this many seconds, and is committed
    /// at its last command's time: an event's `time` (its batch's commit) stays within this window
    /// after its `decidedat`, as a server's group commit keeps them milliseconds apart.
    public var batchWindowSeconds: Int

    public init(
        seed: UInt64 = 42, events: Int = 20_000, workspaces: Int = 1, days: Int = 90, name: String = "demo",
        durability: EventLogOptions.Durability = .unsafeNoSync, commandsPerBatch: Int = 256, batchWindowSeconds: Int = 300
    ) {
        self.seed = seed
        self.events = events
        self.workspaces = workspaces
        self.days = days
        self.name = name
        self.durability = durability
        self.commandsPerBatch = commandsPerBatch
        self.batchWindowSeconds = batchWindowSeconds
    }

    /// The workspaces' names, in order.
    public var workspaceNames: [String] {
        workspaces == 1 ? [name] : (1...max(1, workspaces)).map { "\(name)-\($0)" }
    }

    /// Largest values accepted: a guard against a typo that would fill the disk.
    public static let eventsMax = 100_000_000
    public static let workspacesMax = 64
    public static let daysMax = 3_650
    public static let commandsPerBatchMax = 4_096
}

/// What one workspace's generation did.
public struct DemoWorkspaceReport: Sendable, Equatable {
    public var name: String
    /// Events in the log (its head position).
    public var events: UInt64
    /// Commands issued (including the refused ones).
    public var commands: Int
    /// Commands the domain refused (WIP limits, missing permissions, …): real refusals, nothing appended.
    public var refused: Int
    /// The refusals by their stable code (`wip-limit-exceeded`, `missing-permission`, …).
    public var refusals: [String: Int]
    /// `AccessDenied` events recorded for refused permissions.
    public var accessDenied: Int
    /// Tasks created.
    public var tasks: Int
    /// Scheduler runs (one per simulated working day).
    public var scheduleRuns: Int
}

/// What a whole generation did.
public struct DemoReport: Sendable, Equatable {
    public var workspaces: [DemoWorkspaceReport]
    /// Events in all workspaces.
    public var events: UInt64 { workspaces.reduce(0) { $0 + $1.events } }
}

/// One of the projects every generated workspace has, for tools that query what was generated (the
/// benchmarks query its board).
public struct DemoProject: Sendable, Equatable {
    public var id: ProjectID
    public var key: String
    /// The states of the project's workflow (its board's columns), left to right.
    public var states: [StateID]
}

/// Why a generation stopped.
public enum DemoError: Error, CustomStringConvertible, Sendable {
    /// The target workspace already has a log: generating into it would mix two histories.
    case workspaceExists(String)
    /// A setting is out of range.
    case invalidConfiguration(String)
    /// The log failed (I/O, a full disk): the workspace is incomplete.
    case log(workspace: String, EventLogError)
    /// A command failed for a reason other than a domain refusal: a bug in the generator or below.
    case command(workspace: String, String, CommandError)
    /// A document could not be stored.
    case documents(workspace: String, String)

    public var description: String {
        switch self {
        case .workspaceExists(let name): "workspace \(name) already exists; generate into an empty data directory"
        case .invalidConfiguration(let reason): reason
        case .log(let workspace, let error): "\(workspace): \(error.code): \(error.description)"
        case .command(let workspace, let what, let error): "\(workspace): \(what): \(error.code): \(error.description)"
        case .documents(let workspace, let reason): "\(workspace): documents: \(reason)"
        }
    }
}

/// Writes a believable company's history through the command service: real commands from real members
/// with real roles, decided by the domain, appended to the log — the same path the API takes.
///
/// Deterministic: the randomness is `DemoRandom` seeded from the configuration, time is a
/// `SimulatedClock` given to both the command service and the log, event ids come from the seed, and each
/// workspace's commands run one at a time through a bulk-loading command service (`BulkLoad`), which
/// appends them in groups whose boundaries depend only on the commands and the simulated time — never
/// on thread timing — so the batches (part of the bytes) are the same on every run. Workspaces run
/// concurrently.
public enum DemoGenerator {
    /// The projects of every generated workspace, in creation order.
    public static let projects: [DemoProject] = DemoCompany.projects.map { project in
        let definition = DemoCompany.workflows.first { $0.id == project.workflow }?.definition
        return DemoProject(id: project.id, key: project.key, states: definition?.states.sorted { $0.position < $1.position }.map(\.id) ?? [])
    }

    /// Generates `configuration` into `dataDirectory` (`workspaces/NAME/…`). `progress` is called now
    /// and then with a workspace's name and its events so far.
    public static func generate(
        dataDirectory: String, configuration: DemoConfiguration, progress: (@Sendable (String, UInt64) -> Void)? = nil
    ) async throws(DemoError) -> DemoReport {
        guard configuration.events > 0, configuration.events <= DemoConfiguration.eventsMax else {
            throw .invalidConfiguration("--events must be between 1 and \(DemoConfiguration.eventsMax)")
        }
        guard configuration.workspaces > 0, configuration.workspaces <= DemoConfiguration.workspacesMax else {
            throw .invalidConfiguration("--workspaces must be between 1 and \(DemoConfiguration.workspacesMax)")
        }
        guard configuration.days >= 7, configuration.days <= DemoConfiguration.daysMax else {
            throw .invalidConfiguration("--days must be between 7 and \(DemoConfiguration.daysMax)")
        }
        guard configuration.commandsPerBatch > 0, configuration.commandsPerBatch <= DemoConfiguration.commandsPerBatchMax else {
            throw .invalidConfiguration("--commands-per-batch must be between 1 and \(DemoConfiguration.commandsPerBatchMax)")
        }
        guard configuration.batchWindowSeconds > 0 else { throw .invalidConfiguration("the batch window must be at least 1 s") }
        let names = configuration.workspaceNames
        for name in names {
            do throws(EventLogError) {
                try EventLog.validateWorkspaceName(name)
            } catch {
                throw .invalidConfiguration("workspace name \(name): \(error.description)")
            }
            if FileManager.default.fileExists(atPath: dataDirectory + "/workspaces/" + name + "/log") { throw .workspaceExists(name) }
        }
        let share = max(1, configuration.events / names.count)
        let result = await withTaskGroup(of: (Int, Result<DemoWorkspaceReport, DemoError>).self) { group in
            for (index, name) in names.enumerated() {
                // Each workspace's stream of random numbers depends only on the seed and its index.
                let seed = configuration.seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15
                group.addTask {
                    do throws(DemoError) {
                        let simulation = try WorkspaceSimulation(
                            dataDirectory: dataDirectory, name: name, seed: seed, events: share, configuration: configuration,
                            progress: progress)
                        return (index, .success(try await simulation.run()))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            var reports: [(Int, Result<DemoWorkspaceReport, DemoError>)] = []
            for await report in group { reports.append(report) }
            return reports.sorted { $0.0 < $1.0 }.map(\.1)
        }
        var reports: [DemoWorkspaceReport] = []
        for outcome in result {
            switch outcome {
            case .success(let report): reports.append(report)
            case .failure(let error): throw error
            }
        }
        return DemoReport(workspaces: reports)
    }
}

/// UUIDv7 event ids from the simulated decision time and the seed, handed out in call order.
final class DemoEventIDs: Sendable {
    private let random: Mutex<DemoRandom>

    init(seed: UInt64) { random = Mutex(DemoRandom(seed: seed ^ 0xE7E9_71D5)) }

    func next(_ at: Instant) -> EventID {
        let (a, b) = random.withLock { ($0.next(), $0.next()) }
        let millis = UInt64(max(0, at.unixMicros / 1_000))
        return EventID(high: (millis << 16) | 0x7000 | (a & 0x0FFF), low: (b & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000)
    }
}
