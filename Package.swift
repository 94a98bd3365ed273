// swift-tools-version: 6.1
import PackageDescription

/// Kernels are numerical hot loops. Debug builds of Swift run them 10–100× slower than release builds, which
/// would make the brute-force and testsuite checks (thousands of sets, fronts of 10⁴ points) dominate CI.
/// The core library is therefore optimised in every configuration; it has no dependencies, so this costs
/// seconds of compile time, and everything else keeps normal debug builds.
let optimizedInEveryConfiguration: [SwiftSetting] = [
    .unsafeFlags(["-O"], .when(configuration: .debug))
]

/// `RW_FUZZ=1` is set by `Scripts/fuzz.sh` only: our own modules on the request path are then built with
/// AddressSanitizer and libFuzzer's coverage instrumentation, and `rw-fuzz` links libFuzzer's driver
/// (`RW_FUZZ_RUNTIME`: the toolchain's `libclang_rt.fuzzer_no_main` archive) behind its own `main`. The
/// dependencies are built as usual, so a fuzz build after a normal one recompiles only these modules.
let fuzzing = Context.environment["RW_FUZZ"] == "1"
let fuzzInstrumented: [SwiftSetting] =
    fuzzing
    ? [.unsafeFlags(["-sanitize=address", "-sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp"])] : []
let fuzzDriver: [LinkerSetting] =
    fuzzing
    ? [.unsafeFlags(["-sanitize=address", "-Xlinker", Context.environment["RW_FUZZ_RUNTIME"] ?? "", "-lstdc++"])] : []

let package = Package(
    name: "RewardWeighting",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "RewardWeightingCore", targets: ["RewardWeightingCore"]),
        .library(name: "RewardWeightingPolicy", targets: ["RewardWeightingPolicy"]),
        // Used by Benchmarks/ (the load generator): the API contract, and the store for the raw-insert baseline.
        .library(name: "RewardWeightingAPI", targets: ["RewardWeightingAPI"]),
        .library(name: "RewardWeightingStore", targets: ["RewardWeightingStore"]),
        // Used by Benchmarks/ (WorkerBenchmarks): the kernel backends, in-process and through the worker.
        .library(name: "RewardWeightingKernels", targets: ["RewardWeightingKernels"]),
        .library(name: "RewardWeightingWorker", targets: ["RewardWeightingWorker"]),
        .executable(name: "rw-server", targets: ["rw-server"]),
        .executable(name: "rwctl", targets: ["rwctl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.0"),
    ],
    targets: [
        .target(
            name: "RewardWeightingCore",
            dependencies: ["CRewardWeightingSIMD"],
            swiftSettings: optimizedInEveryConfiguration + fuzzInstrumented
        ),
        // C kernels for instruction sets newer than the baseline Swift targets (AVX2 + FMA), chosen at run time.
        .target(
            name: "CRewardWeightingSIMD",
            cSettings: [.unsafeFlags(["-O2"], .when(configuration: .debug))]
        ),
        .target(
            name: "RewardWeightingPolicy", dependencies: ["RewardWeightingCore"], swiftSettings: fuzzInstrumented),
        // KernelBackend: where the kernels run (InProcessKernels here; a worker process behind the same protocol).
        .target(
            name: "RewardWeightingKernels", dependencies: ["RewardWeightingCore"], swiftSettings: fuzzInstrumented),
        // Shared by the test targets only (seeded random data); no product exports it.
        .target(name: "RewardWeightingTestSupport"),
        // Runs and their event logs in SQLite (GRDB, WAL); transport-free.
        .target(
            name: "RewardWeightingStore",
            dependencies: [
                "RewardWeightingCore",
                "RewardWeightingPolicy",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: fuzzInstrumented
        ),
        // Runs and their event logs in PostgreSQL (postgres-nio): the store of many replicas. Its own module, so
        // that SQLite-only embedders of RewardWeightingStore do not link postgres-nio.
        .target(
            name: "RewardWeightingPostgres",
            dependencies: [
                "RewardWeightingPolicy",
                "RewardWeightingStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Shared by the test targets only: a schema of its own per test in the PostgreSQL of RW_TEST_DATABASE_URL.
        .target(
            name: "RewardWeightingPostgresTestSupport",
            dependencies: [
                "RewardWeightingPostgres", "RewardWeightingStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // RunCoordinator: per-run serialisation, idempotency, watch streams, replay, read models; transport-free.
        .target(
            name: "RewardWeightingService",
            dependencies: [
                "RewardWeightingCore",
                "RewardWeightingKernels",
                "RewardWeightingPolicy",
                "RewardWeightingStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: fuzzInstrumented
        ),
        // HTTP/JSON edge for dashboards (Hummingbird): read routes over the coordinator, RFC 9457 errors, health.
        .target(
            name: "RewardWeightingHTTP",
            dependencies: [
                "RewardWeightingCore", "RewardWeightingPolicy", "RewardWeightingService", "RewardWeightingStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            resources: [.copy("Resources/openapi.json"), .copy("Resources/dashboard")]
        ),
        // The companion kernel worker: its gRPC service (worker.proto) and the KernelBackend that calls it.
        .target(
            name: "RewardWeightingWorker",
            dependencies: [
                "RewardWeightingAPI", "RewardWeightingCore", "RewardWeightingKernels",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        // The API contract's generated code (Protos/ → Scripts/generate-protos.sh → Generated/, committed).
        .target(
            name: "RewardWeightingAPI",
            dependencies: [
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: fuzzInstrumented
        ),
        // gRPC edge: proto ⇄ domain mapping, ServiceError → RPCError, GRPCServer + ServiceGroup wiring.
        .target(
            name: "RewardWeightingServer",
            dependencies: [
                "RewardWeightingAPI", "RewardWeightingCore", "RewardWeightingHTTP", "RewardWeightingKernels",
                "RewardWeightingPolicy", "RewardWeightingPostgres", "RewardWeightingService", "RewardWeightingStore",
                "RewardWeightingWorker",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCertificateReloading", package: "swift-nio-extras"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
            ],
            swiftSettings: fuzzInstrumented
        ),
        // The fuzz harness of the request path (FuzzHarness) and its seed corpus; run by rw-fuzz and the tests.
        .target(
            name: "RewardWeightingFuzzing",
            dependencies: [
                "RewardWeightingAPI", "RewardWeightingPolicy", "RewardWeightingServer", "RewardWeightingService",
                "RewardWeightingStore",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: fuzzInstrumented
        ),
        .executableTarget(
            name: "rw-fuzz",
            dependencies: ["RewardWeightingFuzzing"],
            swiftSettings: fuzzInstrumented + (fuzzing ? [.define("LIBFUZZER")] : []),
            linkerSettings: fuzzDriver
        ),
        .executableTarget(
            name: "rw-server",
            dependencies: [
                "RewardWeightingServer", "RewardWeightingWorker",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "rwctl",
            dependencies: [
                "RewardWeightingAPI", "RewardWeightingCore", "RewardWeightingPolicy", "RewardWeightingServer",
                "RewardWeightingService",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .testTarget(
            name: "RewardWeightingCoreTests",
            dependencies: ["RewardWeightingTestSupport", "RewardWeightingCore"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "RewardWeightingPolicyTests",
            dependencies: ["RewardWeightingTestSupport", "RewardWeightingPolicy"]
        ),
        .testTarget(
            name: "RewardWeightingStoreTests",
            dependencies: [
                "RewardWeightingTestSupport",
                "RewardWeightingCore", "RewardWeightingPolicy", "RewardWeightingStore", "RewardWeightingService",
                "RewardWeightingPostgres", "RewardWeightingPostgresTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "RewardWeightingServiceTests",
            dependencies: [
                "RewardWeightingTestSupport",
                "RewardWeightingCore", "RewardWeightingKernels", "RewardWeightingPolicy", "RewardWeightingStore",
                "RewardWeightingService", "RewardWeightingPostgres", "RewardWeightingPostgresTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "RewardWeightingAPITests", dependencies: ["RewardWeightingAPI"]),
        .testTarget(
            name: "RewardWeightingServerTests",
            dependencies: [
                "RewardWeightingTestSupport",
                "RewardWeightingAPI", "RewardWeightingCore", "RewardWeightingKernels", "RewardWeightingPolicy",
                "RewardWeightingServer", "RewardWeightingService", "RewardWeightingStore", "RewardWeightingWorker",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "RewardWeightingHTTPTests",
            dependencies: [
                "RewardWeightingTestSupport",
                "RewardWeightingCore", "RewardWeightingHTTP", "RewardWeightingPolicy", "RewardWeightingService",
                "RewardWeightingStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "RewardWeightingFuzzingTests",
            dependencies: [
                "RewardWeightingAPI", "RewardWeightingFuzzing", "RewardWeightingTestSupport",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            resources: [.copy("Corpus")]
        ),
        .testTarget(
            name: "rwctlTests",
            dependencies: ["rwctl", .product(name: "Subprocess", package: "swift-subprocess")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
