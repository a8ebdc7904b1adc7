// swift-tools-version: 6.2
import PackageDescription

/// Taskledger: an event-sourced project-workflow server.
///
/// Module graph (one way, see docs/architecture.md):
///   taskledger (executable) → EventLog → CLZ4 (system liblz4), SQLite (system libsqlite3), swift-crypto
///   ProjectionEngine → EventLog (reading only), SQLite; knows envelopes and JSON payloads, not domain types
///   Workflow (the pure domain: decide / evolve, roles and permissions; no I/O, no dependencies)
///   CommandService → Workflow, EventLog (load, decide, append with expected versions)
///   APIServer → CommandService, EventLog, Hummingbird (HTTP: routes, auth, problem+json, subscriptions)
let strictSwift: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Taskledger",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "taskledger", targets: ["taskledger"]),
        .library(name: "EventLog", targets: ["EventLog"]),
        .library(name: "Workflow", targets: ["Workflow"]),
        .library(name: "CommandService", targets: ["CommandService"]),
        .library(name: "APIServer", targets: ["APIServer"]),
        .library(name: "ProjectionEngine", targets: ["ProjectionEngine"]),
        .library(name: "DemoData", targets: ["DemoData"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CLZ4",
            pkgConfig: "liblz4",
            providers: [.apt(["liblz4-dev"])]
        ),
        .target(
            name: "CSupport",
            linkerSettings: [.linkedLibrary("sqlite3")]
        ),
        .target(
            name: "EventLog",
            dependencies: [
                "CLZ4",
                "CSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: strictSwift
        ),
        .target(name: "Workflow", swiftSettings: strictSwift),
        .target(
            name: "CommandService",
            dependencies: ["EventLog", "Workflow", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSwift
        ),
        // The deterministic demo-history generator (`taskledger demo generate`, `make run`, benchmarks).
        .target(name: "DemoData", dependencies: ["CommandService", "CSupport", "EventLog", "Workflow"], swiftSettings: strictSwift),
        .target(
            name: "ProjectionEngine",
            dependencies: [
                "EventLog",
                "CSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: strictSwift
        ),
        .target(
            name: "APIServer",
            dependencies: [
                "CommandService", "EventLog", "ProjectionEngine", "Workflow",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // Compiled into the module (`PackageResources.openapi_json`) rather than copied as a bundle:
            // on Linux `Bundle.module` looks for the bundle beside the executable or at its absolute
            // build path and traps when neither exists, so an installed binary copied on its own would
            // crash on `GET /v1/openapi.json`. Embedded, the binary stays self-contained and the JSON
            // file stays the single source.
            resources: [.embedInCode("OpenAPI/openapi.json")],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "taskledger",
            dependencies: [
                "APIServer", "CommandService", "DemoData", "EventLog", "ProjectionEngine", "Workflow",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        .target(
            name: "TestSupport",
            dependencies: ["EventLog", "Workflow"],
            path: "Tests/TestSupport",
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "EventLogTests",
            dependencies: ["EventLog", "CSupport", "TestSupport", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "WorkflowTests",
            dependencies: ["Workflow", "TestSupport", .product(name: "PropertyBased", package: "swift-property-based")],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "CommandServiceTests",
            dependencies: ["CommandService", "EventLog", "TestSupport", "Workflow"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "APIServerTests",
            dependencies: [
                "APIServer", "CommandService", "EventLog", "ProjectionEngine", "TestSupport", "Workflow",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "ProjectionEngineTests",
            dependencies: ["ProjectionEngine", "EventLog", "TestSupport", "taskledger"],
            exclude: ["Definitions"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "BuiltinProjectionTests",
            dependencies: ["ProjectionEngine", "EventLog", "CommandService", "Workflow", "TestSupport"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "TaskledgerCLITests",
            dependencies: ["CommandService", "DemoData", "EventLog", "TestSupport", "Workflow", "taskledger"],
            swiftSettings: strictSwift
        ),
    ],
    swiftLanguageModes: [.v6]
)
