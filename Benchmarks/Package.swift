// swift-tools-version: 6.1
import PackageDescription

/// Benchmarks live in their own package so that the root package (and its CI) never resolves or builds
/// ordo-one/benchmark. Build and run from this directory:
///
///     swift package --allow-writing-to-package-directory benchmark          # ordo-one suite
///     swift build -c release --product kernel-timer                          # used by compare-moocore.sh
let package = Package(
    name: "RewardWeightingBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "RewardWeighting", path: ".."),
        // Without `traits:` the default traits pull in swift-runtime-interposer, which cannot be resolved here.
        .package(url: "https://github.com/ordo-one/benchmark.git", exact: "1.38.1", traits: ["MallocInterposer"]),
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
            name: "kernel-timer",
            dependencies: [
                .product(name: "RewardWeightingCore", package: "RewardWeighting")
            ],
            // Not directly under Benchmarks/: BenchmarkPlugin runs every executable target whose directory's
            // parent is named "Benchmarks" as a benchmark, and kernel-timer is not one.
            path: "KernelTimer/Sources"
        ),
    ],
    swiftLanguageModes: [.v6]
)
