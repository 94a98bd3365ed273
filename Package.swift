// swift-tools-version: 6.1
import PackageDescription

/// Kernels are numerical hot loops. Debug builds of Swift run them 10–100× slower than release builds, which
/// would make the brute-force and testsuite checks (thousands of sets, fronts of 10⁴ points) dominate CI.
/// The core library is therefore optimised in every configuration; it has no dependencies, so this costs
/// seconds of compile time, and everything else keeps normal debug builds.
let optimizedInEveryConfiguration: [SwiftSetting] = [
    .unsafeFlags(["-O"], .when(configuration: .debug))
]

let package = Package(
    name: "RewardWeighting",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "RewardWeightingCore", targets: ["RewardWeightingCore"]),
        .executable(name: "rwctl", targets: ["rwctl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0")
    ],
    targets: [
        .target(
            name: "RewardWeightingCore",
            swiftSettings: optimizedInEveryConfiguration
        ),
        .executableTarget(
            name: "rwctl",
            dependencies: [
                "RewardWeightingCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "RewardWeightingCoreTests",
            dependencies: ["RewardWeightingCore"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "rwctlTests",
            dependencies: ["rwctl"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
