import RewardWeightingCore
import RewardWeightingTestSupport
import Testing

@Suite("Pareto front")
struct ParetoFrontTests {
    @Test("dominance")
    func dominance() {
        #expect(Dominance.dominates([2.0, 2.0], [1.0, 2.0]))
        #expect(!Dominance.dominates([2.0, 2.0], [2.0, 2.0]))
        #expect(Dominance.weaklyDominates([2.0, 2.0], [2.0, 2.0]))
        #expect(!Dominance.dominates([3.0, 1.0], [1.0, 3.0]))
    }

    @Test("agrees with pairwise comparison on random sets", arguments: [1, 2, 3, 4, 5, 6])
    func bruteForce(dimension k: Int) throws {
        var generator = SplitMix64(seed: 1000 + UInt64(k))
        for _ in 0..<500 {
            let n = Int.random(in: 1...30, using: &generator)
            let (rows, _) = HypervolumeTests.randomSet(&generator, dimension: k, count: n)
            // Expected: not dominated by any point, and the first of its equal copies.
            let expected = rows.indices.filter { i in
                !rows.indices.contains { j in
                    Dominance.dominates(rows[j], rows[i]) || (j < i && rows[j] == rows[i])
                }
            }
            let actual = ParetoFront.nondominatedIndices(of: try ObjectiveMatrix(rows: rows))
            #expect(actual == expected, "front of \(rows)")
        }
    }
}

@Suite("ParetoFront.indicesAdding: one point added to a front")
struct ParetoFrontAddingTests {
    @Test(
        "equals nondominatedIndices of the front with the point appended, along random sequences with ties",
        arguments: [1, 2, 3, 4, 5])
    func equalsRecomputation(dimension k: Int) throws {
        var generator = SplitMix64(seed: UInt64(k) &* 1009)
        for _ in 0..<60 {
            var front: [[Double]] = []
            for _ in 0..<80 {
                // A small grid: duplicates, ties in some coordinates, dominated and dominating points.
                let point = (0..<k).map { _ in Double(generator.next() % 6) }
                let recomputed = ParetoFront.nondominatedIndices(of: try ObjectiveMatrix(rows: front + [point]))
                let added = ParetoFront.indicesAdding(point, to: front)
                #expect((added ?? Array(0..<front.count)) == recomputed, "\(point) added to \(front)")
                if let added { front = added.map { $0 < front.count ? front[$0] : point } }
            }
        }
    }
}
