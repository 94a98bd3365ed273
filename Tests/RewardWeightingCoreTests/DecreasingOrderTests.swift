import RewardWeightingTestSupport
import Testing

@testable import RewardWeightingCore

@Suite("DecreasingOrder: the sweeps' visiting order")
struct DecreasingOrderTests {
    /// The order the sweeps used before: a stable comparison sort with `>`.
    static func stableSorted(_ s: [Double], column: Int, dimension: Int) -> [Int] {
        (0..<(s.count / dimension)).sorted { s[dimension * $0 + column] > s[dimension * $1 + column] }
    }

    @Test(
        "equals a stable sort with > — ties (±0 included) in increasing index, negatives, subnormals, huge values",
        arguments: [1, 63, 64, 65, 1000, 20_000])
    func equalsStableSort(count n: Int) {
        var generator = SplitMix64(seed: UInt64(n))
        let special: [Double] = [
            0, -0.0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .greatestFiniteMagnitude,
            -.greatestFiniteMagnitude, 1, -1, 0x1p-1022,
        ]
        for dimension in [1, 3, 4] {
            let s: [Double] = (0..<(n * dimension)).map { _ in
                switch generator.next() % 4 {
                case 0: special[Int(generator.next() % UInt64(special.count))]
                case 1: Double(generator.integer(3))
                default: generator.symmetric() * 1e3
                }
            }
            for column in 0..<dimension {
                #expect(
                    DecreasingOrder.of(s, column: column, dimension: dimension)
                        == Self.stableSorted(s, column: column, dimension: dimension),
                    "n = \(n), column \(column) of \(dimension)")
            }
        }
    }

    @Test(
        "into a reused buffer (an insertion sort below the radix threshold): the same order, whatever the buffer held",
        arguments: [0, 1, 2, 17, 63, 64, 200])
    func intoReusedBuffer(count n: Int) {
        var generator = SplitMix64(seed: UInt64(n) &+ 5)
        var order = Array(repeating: 7, count: 90)  // stale contents and capacity from an earlier sweep
        for round in 0..<20 {
            let s: [Double] = (0..<n).map { _ in
                round % 2 == 0 ? Double(generator.integer(4)) : generator.symmetric()
            }
            DecreasingOrder.of(count: n, key: { s[$0] }, into: &order)
            #expect(order == Self.stableSorted(s, column: 0, dimension: 1), "n = \(n), round \(round)")
        }
    }

    @Test("every value equal: the identity order")
    func allEqual() {
        let s = [Double](repeating: 2.5, count: 300)
        #expect(DecreasingOrder.of(s, column: 0, dimension: 1) == Array(0..<300))
    }
}

@Suite("The 4-D sweep's AVX2 scans")
struct SweepFrontVectorScanTests {
    @Test(
        "give the portable scans' hypervolume bit for bit: grid sets with ties, spheres, points on one another's edges",
        arguments: [3, 50, 400])
    func vectorScansAreBitIdentical(count n: Int) {
        var generator = SplitMix64(seed: UInt64(n) &* 77)
        for round in 0..<(n > 100 ? 6 : 60) {
            let storage: [Double] = (0..<n).flatMap { _ -> [Double] in
                switch round % 3 {
                case 0: return (0..<4).map { _ in Double(Int(generator.next() % 5) + 1) }
                case 1:
                    let v = (0..<4).map { _ in abs(generator.symmetric()) + 1e-3 }
                    let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
                    return v.map { $0 / norm }
                default: return (0..<4).map { _ in Double(generator.next() % 1000 + 1) / 1000 }
                }
            }
            let portable = HypervolumeKernels.volume4D(storage, vectorScans: false)
            let vector = HypervolumeKernels.volume4D(storage, vectorScans: true)
            #expect(vector.bitPattern == portable.bitPattern, "n = \(n), round \(round)")
        }
    }
}

@Suite("The K ≥ 5 limit sets' AVX2 dominance filters")
struct LimitSetVectorFilterTests {
    @Test(
        "gives the portable filter's hypervolume bit for bit at K = 5 and 6: grid sets with ties and duplicates, spheres",
        arguments: [5, 6])
    func vectorFilterIsBitIdentical(dimension k: Int) {
        var generator = SplitMix64(seed: UInt64(k) &* 131)
        for round in 0..<30 {
            let n = [2, 9, 40, 120][round % 4]
            var storage: [Double] = (0..<n).flatMap { _ -> [Double] in
                switch round % 3 {
                case 0: return (0..<k).map { _ in Double(Int(generator.next() % 4) + 1) }
                case 1:
                    let v = (0..<k).map { _ in abs(generator.symmetric()) + 1e-3 }
                    let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
                    return v.map { $0 / norm }
                default: return (0..<k).map { _ in Double(generator.next() % 1000 + 1) / 1000 }
                }
            }
            storage += storage.prefix(k * 3)  // exact duplicates
            let portable = HypervolumeKernels.volumeWFG(storage, dimension: k, vectorScans: false)
            let vector = HypervolumeKernels.volumeWFG(storage, dimension: k, vectorScans: true)
            #expect(vector.bitPattern == portable.bitPattern, "K = \(k), round \(round)")
            // The contributions' K-dimensional limit sets filter with the K-wide scan.
            let rows = stride(from: 0, to: storage.count, by: k).map { Array(storage[$0..<($0 + k)]) }
            for i in [0, rows.count / 2] {
                var portableSet = LimitSet(dimension: k, vectorScans: false)
                var vectorSet = LimitSet(dimension: k, vectorScans: true)
                let point = storage[(i * k)..<(i * k + k)]
                let portableVolume = portableSet.exclusiveVolume(of: point, against: storage, excludingRow: i)
                let vectorVolume = vectorSet.exclusiveVolume(of: point, against: storage, excludingRow: i)
                #expect(
                    vectorVolume.bitPattern == portableVolume.bitPattern,
                    "K = \(k), round \(round), row \(i) of \(rows.count)")
            }
            if round % 3 == 0 {
                // Grid points: the exact oracle (every box boundary on the integer grid).
                let points = stride(from: 0, to: storage.count, by: k).map { Array(storage[$0..<($0 + k)]) }
                let oracle = GridOracle(points: points, reference: Array(repeating: 0, count: k)).hypervolume
                #expect(abs(vector - oracle) <= 1e-12 * max(1, oracle), "K = \(k), round \(round)")
            }
        }
    }
}
