import EventLog
import Foundation
import Hummingbird

/// `/healthz` (the process answers), `/readyz` (the data directory is usable, the workspaces opened
/// at start are open, every read model is built and within `readyLagMax` events of its log's head, none
/// has stopped, and the server is not shutting down), `/metrics` (Prometheus text) and `/v1/openapi.json` (the OpenAPI 3.1 document of
/// the API). No authentication: they expose no workspace data.
struct OperationsRoutes {
    let server: TaskledgerServer

    func add(to router: Router<APIRequestContext>) {
        router.getAndHead("healthz") { _, _ in Self.json(#"{"status":"ok"}"#) }
        router.getAndHead("readyz") { _, _ in
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: server.configuration.dataDirectory, isDirectory: &isDirectory)
            guard exists, isDirectory.boolValue, !server.subscriptions.isShuttingDown else {
                throw Problem(.serviceUnavailable, code: "not-ready", detail: "the data directory is missing or the server is shutting down")
            }
            // Not ready while the workspaces are being opened at start: a request would wait for its log.
            if let progress = server.registry.openingProgress, !progress.isFinished {
                throw Problem(
                    .serviceUnavailable, code: "opening",
                    detail: "opening the workspaces: \(progress.tried) of \(progress.total) done", headers: [.retryAfter: "1"])
            }
            let open = await server.registry.openWorkspaces
            // Every read model's status, read once for the checks below and the answer.
            let statuses = open.flatMap { hosted in (hosted.projections?.status() ?? []).map { (workspace: hosted.name, status: $0) } }
            // Not ready while a read model has stopped on a failing event: reads would be stale for good.
            for (workspace, status) in statuses {
                if case .failed(let position, let message) = status.state {
                    throw Problem(
                        .serviceUnavailable, code: "projection-failed",
                        detail: "\(workspace)/\(status.name) stopped at position \(position): \(message)")
                }
            }
            // Not ready while a read model has no database yet or is far behind: its reads would fail or wait.
            let lagMax = server.configuration.readyLagMax
            for (workspace, status) in statuses {
                if status.servingVersion == nil {
                    throw Problem(
                        .serviceUnavailable, code: "projections-building",
                        detail: "\(workspace)/\(status.name) is building its first database: \(status.checkpoint) of \(status.head) events",
                        headers: [.retryAfter: "1"])
                }
                if status.lag > lagMax {
                    throw Problem(
                        .serviceUnavailable, code: "projections-behind",
                        detail: "\(workspace)/\(status.name) is \(status.lag) events behind the log (ready at \(lagMax) or fewer)",
                        headers: [.retryAfter: "1"])
                }
            }
            let lag = statuses.map(\.status.lag).max() ?? 0
            return Self.json(#"{"status":"ready","openWorkspaces":\#(open.count),"projectionLagMax":\#(lag)}"#)
        }
        router.getAndHead("metrics") { _, _ in
            var text = server.metrics.render()
            text += "# HELP taskledger_subscriptions Open event subscriptions.\n# TYPE taskledger_subscriptions gauge\n"
            text += "taskledger_subscriptions \(server.subscriptions.openCount)\n"
            text += "# HELP taskledger_subscription_events_total Events read for subscribers.\n"
            text += "# TYPE taskledger_subscription_events_total counter\n"
            text += "taskledger_subscription_events_total \(server.subscriptions.deliveredCount)\n"
            text += "# HELP taskledger_log_head_position The last committed position of each open workspace.\n"
            text += "# TYPE taskledger_log_head_position gauge\n"
            let open = await server.registry.openWorkspaces.sorted(by: { $0.name < $1.name })
            for hosted in open {
                text += "taskledger_log_head_position{workspace=\"\(hosted.name)\"} \(hosted.log.head.position)\n"
            }
            text += Self.writerMetrics(open)
            text += "# HELP taskledger_projection_lag_events Events the projection has yet to apply.\n"
            text += "# TYPE taskledger_projection_lag_events gauge\n"
            var rates = ""
            for hosted in open {
                for status in hosted.projections?.status() ?? [] {
                    let labels = "workspace=\"\(hosted.name)\",projection=\"\(status.name)\""
                    text += "taskledger_projection_lag_events{\(labels)} \(status.lag)\n"
                    rates += "taskledger_projection_apply_rate{\(labels)} \(status.eventsPerSecond)\n"
                }
            }
            text += "# HELP taskledger_projection_apply_rate Events applied per second recently (rebuilds included).\n"
            text += "# TYPE taskledger_projection_apply_rate gauge\n" + rates
            text += await Self.memoryMetrics(open)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.getAndHead("v1/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: Self.openAPIDocument))
        }
    }

    /// `Sources/APIServer/OpenAPI/openapi.json`, embedded at build time (see Package.swift); a
    /// `ByteBuffer` is copy-on-write, so every answer shares these bytes.
    static let openAPIDocument = ByteBuffer(bytes: PackageResources.openapi_json)

    /// Durable batches: flush (`fdatasync`) latency and events per batch, per workspace.
    private static func writerMetrics(_ open: [HostedWorkspace]) -> String {
        var text = "# HELP taskledger_log_flush_seconds Time each group commit's fdatasync took.\n"
        text += "# TYPE taskledger_log_flush_seconds histogram\n"
        var sizes = "# HELP taskledger_log_batch_events Events per group-committed batch.\n# TYPE taskledger_log_batch_events histogram\n"
        for hosted in open {
            let statistics = hosted.log.writerStatistics
            let labels = "workspace=\"\(hosted.name)\""
            for (index, bound) in WriterStatistics.flushBuckets.enumerated() {
                text += "taskledger_log_flush_seconds_bucket{\(labels),le=\"\(bound)\"} \(statistics.flushSeconds[index])\n"
            }
            text += "taskledger_log_flush_seconds_bucket{\(labels),le=\"+Inf\"} \(statistics.batches)\n"
            text += "taskledger_log_flush_seconds_sum{\(labels)} \(statistics.flushSecondsSum)\n"
            text += "taskledger_log_flush_seconds_count{\(labels)} \(statistics.batches)\n"
            for (index, bound) in WriterStatistics.batchBuckets.enumerated() {
                sizes += "taskledger_log_batch_events_bucket{\(labels),le=\"\(Int(bound))\"} \(statistics.batchEvents[index])\n"
            }
            sizes += "taskledger_log_batch_events_bucket{\(labels),le=\"+Inf\"} \(statistics.batches)\n"
            sizes += "taskledger_log_batch_events_sum{\(labels)} \(statistics.events)\n"
            sizes += "taskledger_log_batch_events_count{\(labels)} \(statistics.batches)\n"
        }
        return text + sizes
    }

    /// The process's resident memory, and what its bounded caches hold beside their limits: most of the
    /// memory a busy server uses, so that growth can be told apart from a leak (the caches fill up to
    /// their limits, then stay there).
    private static func memoryMetrics(_ open: [HostedWorkspace]) async -> String {
        var text = ""
        // Where /proc is missing there is no sample, rather than a misleading 0.
        if let resident = ProcessMemory.residentBytes() {
            text += "# HELP process_resident_memory_bytes Resident memory size in bytes.\n# TYPE process_resident_memory_bytes gauge\n"
            text += "process_resident_memory_bytes \(resident)\n"
        }
        var used = "# HELP taskledger_cache_bytes Approximate bytes held by each bounded cache.\n# TYPE taskledger_cache_bytes gauge\n"
        var limits = "# HELP taskledger_cache_limit_bytes Each bounded cache's limit.\n# TYPE taskledger_cache_limit_bytes gauge\n"
        func add(_ labels: String, _ bytes: Int, _ limit: Int) {
            used += "taskledger_cache_bytes{\(labels)} \(bytes)\n"
            limits += "taskledger_cache_limit_bytes{\(labels)} \(limit)\n"
        }
        for hosted in open {
            let workspace = "workspace=\"\(hosted.name)\""
            let aggregates = await hosted.service.cacheStatistics.bytes
            add("\(workspace),cache=\"aggregates\"", aggregates, hosted.service.cacheBytesMax)
            let batches = hosted.log.batchCacheBytes
            add("\(workspace),cache=\"log_batches\"", batches.used, batches.limit)
            add("\(workspace),cache=\"sse_frames\"", hosted.liveFrames.bytes, SSEFrameWindow.bytesLimit)
            for cache in hosted.projections?.pageCaches() ?? [] {
                add("\(workspace),cache=\"sqlite_pages\",projection=\"\(cache.projection)\"", cache.bytes, cache.limit)
            }
            for cache in hosted.projections?.readerPageCaches() ?? [] {
                add("\(workspace),cache=\"sqlite_reader_pages\",projection=\"\(cache.projection)\"", cache.bytes, cache.limit)
            }
        }
        return text + used + limits
    }

    private static func json(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
