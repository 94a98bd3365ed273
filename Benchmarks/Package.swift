// swift-tools-version: 6.1
import PackageDescription

/// Benchmarks live in their own package so that the root package (and its CI) never resolves or builds
/// ordo-one/benchmark. Build and run from this directory:
///
///     swift package --allow-writing-to-package-directory benchmark          # ordo-one suites
///     (WorkerBenchmarks: start `rw-server worker --socket PATH` and set RW_WORKER_SOCKET=PATH first)
///     swift build -c release --product kernel-timer                          # used by compare-moocore.sh
let package = Package(
    name: "RewardWeightingBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "RewardWeighting", path: ".."),
        // Without `traits:` the default traits pull in swift-runtime-interposer, which cannot be resolved here.
        .package(url: "https://github.com/ordo-one/benchmark.git", exact: "1.38.1", traits: ["MallocInterposer"]),
        // For load-generator: the same versions as the root package resolves.
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
    ],
    targets: [
        .executableTarget(
            name: "HypervolumeBenchmarks",
            dependencies: [
                .product(name: "RewardWeightingCore", package: "RewardWeighting"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "HypervolumeBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "WorkerBenchmarks",
            dependencies: [
                .product(name: "RewardWeightingCore", package: "RewardWeighting"),
                .product(name: "RewardWeightingKernels", package: "RewardWeighting"),
                .product(name: "RewardWeightingWorker", package: "RewardWeighting"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "WorkerBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "kernel-timer",
            dependencies: [
                .product(name: "RewardWeightingCore", package: "RewardWeighting")
            ],
            // Not directly under Benchmarks/: BenchmarkPlugin runs every executable target whose directory's
            // parent is named "Benchmarks" as a benchmark, and kernel-timer is not one.
            path: "KernelTimer/Sources"
        ),
        .executableTarget(
            name: "load-generator",
            dependencies: [
                .product(name: "RewardWeightingAPI", package: "RewardWeighting"),
                .product(name: "RewardWeightingStore", package: "RewardWeighting"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // Not directly under Benchmarks/, for the same reason as kernel-timer. Drives a running rw-server
            // (Benchmarks/load-test.sh).
            path: "LoadGenerator/Sources"
        ),
    ],
    swiftLanguageModes: [.v6]
)
