import RewardWeightingTestSupport
import Testing

@testable import RewardWeightingCore

@Suite("The small K = 4 limit sets' volume by inclusion–exclusion")
struct LimitSetUnionVolumeTests {
    @Test(
        "equals the 4-D sweep and the exhaustive grid for 0…5 points: grid values with ties and duplicates, dominated points, continuous values"
    )
    func agreesWithTheSweep() {
        var generator = SplitMix64(seed: 0x1E5)
        for round in 0..<600 {
            let count = round % (LimitSet.inclusionExclusionLimit + 1)
            var points: [SIMD4<Double>] = (0..<count).map { _ in
                round % 2 == 0
                    ? SIMD4((0..<4).map { _ in Double(generator.integer(1) + 2) })
                    : SIMD4((0..<4).map { _ in 1e-3 + 10 * generator.unit() })
            }
            if count >= 2 && round % 3 == 0 { points[count - 1] = points[0] }  // an exact copy
            if count >= 2 && round % 5 == 0 { points[count - 1] = points[0] * 0.5 }  // a dominated point
            let rows = points.map { [$0[0], $0[1], $0[2], $0[3]] }
            let swept = HypervolumeKernels.volume4D(rows.flatMap { $0 }, vectorScans: false)
            let volume = LimitSet.unionVolume(ofAtMostFive: points)
            #expect(isClose(volume, swept, relative: 1e-13), "\(rows)")
            if round % 2 == 0 {
                // Small integers: the exhaustive grid's compensated sum is exact, and so must this be.
                #expect(volume == GridOracle(points: rows, reference: [0, 0, 0, 0]).hypervolume, "\(rows)")
            }
        }
    }
}
