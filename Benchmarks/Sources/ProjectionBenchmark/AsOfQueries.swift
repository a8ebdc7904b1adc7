import BenchmarkSupport
import DemoData
import EventLog
import Foundation
import ProjectionEngine
import Workflow

/// Latencies in milliseconds, with exact percentiles (the samples are few enough to keep them all).
struct Latencies {
    var samples: [Double] = []
    func percentile(_ p: Double) -> Double {
        guard !samples.isEmpty else { return 0 }
        let sorted = samples.sorted()
        return sorted[
            min(
                sorted.count - 1,
                Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1 < 0 ? 0 : Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1)]
    }
    var max: Double { samples.max() ?? 0 }
}

enum AsOfQueries {
    /// `queries` board queries "as of" random positions of the log, through the engine's as-of path
    /// (nearest snapshot copied into memory, the events after it replayed): alternately `board.columns`
    /// and the first page of `board.column`, for a random project of the generated company and a random
    /// column of its workflow.
    /// Wall-clock latencies, and the process CPU time of each query (nothing else runs meanwhile: on a
    /// loaded shared machine the CPU time says what the query costs, the wall time what it waited too).
    static func run(engine: ProjectionEngine, head: UInt64, queries: Int, seed: UInt64) throws -> (wall: Latencies, cpu: Latencies) {
        var random = SplitMix(state: seed)
        var latencies = Latencies()
        var cpu = Latencies()
        // One unmeasured query: the first opens the log's segment files for reading.
        _ = try engine.query(projection: "board", query: "columns", parameters: ["project": .text("ops")], asOf: .position(head / 2))
        let projects = DemoGenerator.projects
        for n in 0..<queries {
            let position = 1 + random.next() % head
            let project = projects[Int(random.next() % UInt64(projects.count))]
            let started = nanosNow()
            let startedCPU = processCPUNanos()
            let result: QueryResult
            if n % 2 == 0 {
                result = try engine.query(
                    projection: "board", query: "columns", parameters: ["project": .text(project.id.rawValue)], asOf: .position(position))
                // Every project exists after the company's set-up (well within the first tenth of the log):
                // a board with no columns would mean the query asked for a project that is not there.
                precondition(position < head / 10 || !result.rows.isEmpty, "no columns for \(project.id) at \(position)")
            } else {
                let state = project.states[Int(random.next() % UInt64(project.states.count))].rawValue
                result = try engine.query(
                    projection: "board", query: "column", parameters: ["project": .text(project.id.rawValue), "state": .text(state)],
                    asOf: .position(position))
            }
            latencies.samples.append(Double(nanosNow() - started) / 1e6)
            cpu.samples.append(Double(processCPUNanos() - startedCPU) / 1e6)
            precondition(result.position == position, "answered at \(result.position), asked \(position)")
        }
        return (latencies, cpu)
    }
}
