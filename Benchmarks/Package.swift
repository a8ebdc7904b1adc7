// swift-tools-version: 6.2
import PackageDescription

/// Benchmarks live in their own package so `swift build` and `swift test` of Taskledger never compile
/// them; `make bench` builds this one in release mode.
let package = Package(
    name: "TaskledgerBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Taskledger", path: ".."),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        .target(name: "BenchmarkSupport"),
        .executableTarget(
            name: "LogBenchmark",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "EventLog", package: "Taskledger"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        .executableTarget(
            name: "CommandBenchmark",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "CommandService", package: "Taskledger"),
                .product(name: "EventLog", package: "Taskledger"),
                .product(name: "Workflow", package: "Taskledger"),
            ]
        ),
        // The SSE client of `make bench` (live delivery to 1,000 subscribers over HTTP): raw sockets only.
        .executableTarget(name: "SSEBenchmark", dependencies: ["BenchmarkSupport", "CEpoll"]),
        .target(name: "CEpoll"),
        // Its 1M-event workspace (which OperationsBenchmark uses too) comes from the demo generator.
        .executableTarget(
            name: "ProjectionBenchmark",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "DemoData", package: "Taskledger"),
                .product(name: "EventLog", package: "Taskledger"),
                .product(name: "ProjectionEngine", package: "Taskledger"),
                .product(name: "Workflow", package: "Taskledger"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        .executableTarget(name: "OperationsBenchmark", dependencies: ["BenchmarkSupport"]),
        // The framework's floor beside the HTTP figures: Hummingbird answering fixed bytes, no work of its own.
        .executableTarget(
            name: "HummingbirdBaseline",
            dependencies: ["BenchmarkSupport", .product(name: "Hummingbird", package: "hummingbird")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
