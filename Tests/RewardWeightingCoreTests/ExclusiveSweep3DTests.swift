import RewardWeightingTestSupport
import Testing

@testable import RewardWeightingCore

@Suite("The 3-D contribution sweep: its staircase flat, as a tree, or moving from one to the other")
struct ExclusiveSweep3DTests {
    /// Row-major K = 3 points with coordinates > 0: on a small grid (ties, duplicates, dominated points) or
    /// continuous, with exact copies mixed in.
    static func randomSet(_ generator: inout SplitMix64, count n: Int) -> [Double] {
        let onGrid = Bool.random(using: &generator)
        var rows: [[Double]] = []
        for _ in 0..<n {
            if !rows.isEmpty && generator.integer(3) == 0 {
                rows.append(rows.randomElement(using: &generator)!)
            } else {
                rows.append(
                    (0..<3).map { _ in onGrid ? Double(1 + generator.integer(2) + 2) : 0.01 + 4 * generator.unit() })
            }
        }
        return rows.flatMap { $0 }
    }

    /// The contributions and volume of one sweep whose main staircase moves into the tree past `flatLimit`.
    static func sweep(
        _ storage: [Double], flatLimit: Int
    ) -> (contributions: [Double], volume: Double, endedFlat: Bool) {
        var sweep = ExclusiveSweep3D(flatLimit: flatLimit)
        let volume = storage.withUnsafeBufferPointer { sweep.run($0, presortedByZ: false) }
        return (Array(sweep.contributions.prefix(storage.count / 3)), volume, sweep.mainIsFlat)
    }

    @Test("flat, tree and moved staircases give the same numbers, and the exhaustive grid's", arguments: [1, 2, 7, 40])
    func flatAndTreeAgree(count n: Int) {
        var generator = SplitMix64(seed: 0x5EED_3D00 &+ UInt64(n))
        for _ in 0..<50 {
            let storage = Self.randomSet(&generator, count: n)
            let flat = Self.sweep(storage, flatLimit: .max)
            let oracle = GridOracle(
                points: stride(from: 0, to: storage.count, by: 3).map { Array(storage[$0..<($0 + 3)]) },
                reference: [0, 0, 0])
            #expect(isClose(flat.volume, oracle.hypervolume))
            for (c, expected) in zip(flat.contributions, oracle.contributions) {
                #expect(isClose(c, expected, scale: oracle.hypervolume), "\(storage)")
            }
            // The same arithmetic in the same order, whatever holds the staircase: equal to the bit.
            for limit in [0, 1, 3] {
                let other = Self.sweep(storage, flatLimit: limit)
                #expect(other.contributions == flat.contributions, "flat limit \(limit): \(storage)")
                #expect(other.volume == flat.volume)
            }
        }
    }

    @Test("a staircase that outgrows the array moves into the tree mid-sweep without changing a bit")
    func movesMidSweep() {
        // 3 000 points on a 2-D anti-diagonal in x and y, visited in decreasing z: every one stays in the
        // staircase, which passes the limit of 1 024 a third of the way through. Every fifth point sits
        // just inside a neighbour in x and y, so the shadows are exercised too.
        var generator = SplitMix64(seed: 3000)
        var storage: [Double] = []
        for i in 0..<3000 {
            let x = Double(i + 1) + 0.5 * generator.unit()
            let y = Double(3000 - i) + 0.5 * generator.unit()
            let shrink = i % 5 == 0 ? 0.999 : 1
            storage += [x * shrink, y * shrink, 0.5 + 0.5 * generator.unit()]
        }
        let moved = Self.sweep(storage, flatLimit: ExclusiveSweep3D.flatMainLimit)
        #expect(!moved.endedFlat)
        #expect(moved.contributions == Self.sweep(storage, flatLimit: .max).contributions)
        #expect(moved.contributions == Self.sweep(storage, flatLimit: 0).contributions)
        #expect(moved.volume == Self.sweep(storage, flatLimit: 0).volume)
        #expect(moved.contributions.contains { $0 > 0 })
    }
}
