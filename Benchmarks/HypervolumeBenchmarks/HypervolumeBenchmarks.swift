// ordo-one/benchmark suite for the exact hypervolume kernels (maximisation, reference at the origin).
//
//     cd Benchmarks && swift package --allow-writing-to-package-directory benchmark
//     cd Benchmarks && swift package --allow-writing-to-package-directory benchmark --filter 'volume .*K=3'
//
// Every point set is generated once, from a fixed seed, when the suite is registered: the measured closures
// only call the kernel. compare_moocore.py has the same generator and seeds, so compare-moocore.sh times
// the same kernels against moocore on bit-identical point sets.

import Benchmark
import Foundation
import RewardWeightingCore

/// SplitMix64 (Steele, Lea & Flood 2014): a tiny, fully deterministic generator, so that every run and every
/// machine measures exactly the same point sets.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { self.state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1), 53 random bits.
    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform in (0, 1): never exactly 0, so every point is strictly better than the reference.
    mutating func openUnit() -> Double { (Double(next() >> 11) + 0.5) * 0x1.0p-53 }

    /// Standard normal by Box–Muller.
    mutating func gaussian() -> Double {
        let u1 = openUnit()
        let u2 = unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}

enum PointSet: String, CaseIterable {
    /// Points on the unit sphere's positive orthant, |p| = 1: mutually non-dominated, the hard case.
    case spherical
    /// Uniform in [0, 1]^K: most points are dominated, the front is small.
    case uniform

    func generate(count n: Int, dimension k: Int, seed: UInt64) -> ObjectiveMatrix {
        var rng = SplitMix64(seed: seed)
        var storage: [Double] = []
        storage.reserveCapacity(n * k)
        for _ in 0..<n {
            switch self {
            case .spherical:
                var row = (0..<k).map { _ in abs(rng.gaussian()) }
                let norm = row.reduce(0) { $0 + $1 * $1 }.squareRoot()
                if norm == 0 { row = [Double](repeating: 1 / Double(k).squareRoot(), count: k) }
                storage.append(contentsOf: row.map { norm == 0 ? $0 : $0 / norm })
            case .uniform:
                for _ in 0..<k { storage.append(rng.openUnit()) }
            }
        }
        // Generated values are finite, so this cannot throw.
        return try! ObjectiveMatrix(rowMajor: storage, dimension: k)
    }
}

/// (K, n) of every benchmarked case.
let sizes: [(dimension: Int, count: Int)] = [(3, 10_000), (4, 1_000), (5, 500)]

let benchmarks: @Sendable () -> Void = {
    // Each benchmark stops after 25 samples or 3 s, whichever comes first (a slow kernel still gets one
    // sample): the whole suite runs in well under a minute once built.
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal],
        timeUnits: .microseconds,
        warmupIterations: 1,
        maxDuration: .seconds(3),
        maxIterations: 25
    )

    for (k, n) in sizes {
        let reference = try! ObjectiveVector([Double](repeating: 0, count: k))
        for pointSet in PointSet.allCases {
            // One seed per (set, K, n): the same seed always yields the same points.
            let seed = 0x5EED_0000 &+ UInt64(k) &* 1_000_003 &+ UInt64(n) &+ (pointSet == .spherical ? 0 : 7)
            let points = pointSet.generate(count: n, dimension: k, seed: seed)
            let label = "\(pointSet.rawValue) K=\(k) n=\(n)"

            Benchmark("volume \(label)") { benchmark in
                for _ in benchmark.scaledIterations {
                    blackHole(try! Hypervolume.volume(of: points, reference: reference))
                }
            }

            Benchmark("contributions \(label)") { benchmark in
                for _ in benchmark.scaledIterations {
                    blackHole(try! Hypervolume.contributions(of: points, reference: reference))
                }
            }
        }
    }
}
