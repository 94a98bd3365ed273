import Foundation
import RewardWeightingCore
import RewardWeightingTestSupport
import Testing

@Suite("Front quality indicators: IGD, IGD+, sparsity, EUM")
struct FrontIndicatorTests {
    @Test("every indicator equals pymoo's (IGD, IGD+) and NumPy's (sparsity, EUM over Das–Dennis weights)")
    func matchesTheIndependentFixtures() throws {
        let document = try #require(try Fixtures.json("indicators.json") as? [String: Any])
        let cases = try #require(document["cases"] as? [[String: Any]])
        #expect(cases.count >= 16)
        for (index, fixture) in cases.enumerated() {
            let k = try #require(fixture["k"] as? Int)
            let points = ObjectiveMatrix.rows(try #require(fixture["points"] as? [[Double]]), dimension: k)
            let front = ObjectiveMatrix.rows(try #require(fixture["reference_front"] as? [[Double]]), dimension: k)
            let divisions = try #require(fixture["divisions"] as? Int)
            let weights = ExpectedUtility.simplexLattice(dimension: k, divisions: divisions)
            #expect(weights.count == fixture["weight_count"] as? Int, "case \(index)")
            let scale = try #require(fixture["igd"] as? Double) * 1e-3 + 1e-300
            let expected: [(String, Double)] = [
                ("igd", try GenerationalDistance.inverted(of: points, reference: front)),
                ("igd_plus", try GenerationalDistance.invertedPlus(of: points, reference: front)),
                ("sparsity", Sparsity.of(points)),
                ("expected_utility", try ExpectedUtility.of(points, weights: weights)),
            ]
            for (name, actual) in expected {
                let value = try #require(fixture[name] as? Double)
                #expect(
                    isClose(actual, value, relative: 1e-12, scale: scale),
                    "case \(index) (K = \(k)): \(name) is \(actual), pymoo/NumPy say \(value)")
            }
        }
    }

    @Test("a two-objective case solved by hand")
    func handSolved() throws {
        let points = ObjectiveMatrix.rows([[1, 0], [0, 1]], dimension: 2)
        let front = ObjectiveMatrix.rows([[1, 0], [0, 1], [0.5, 0.5]], dimension: 2)
        // (0.5, 0.5) is √0.5 from both points; the other two are covered.
        #expect(try GenerationalDistance.inverted(of: points, reference: front) == 0.5.squareRoot() / 3)
        // Against (1, 0) the point (0.5, 0.5) is worse only in objective 1, by 0.5.
        #expect(try GenerationalDistance.invertedPlus(of: points, reference: front) == 0.5 / 3)
        // Sorted per objective: [0, 1] and [0, 1], gaps² 1 + 1, over n − 1 = 1.
        #expect(Sparsity.of(points) == 2)
        #expect(Sparsity.of(ObjectiveMatrix.rows([[3, 4]], dimension: 2)) == 0)
        // Weights (1, 0), (½, ½), (0, 1): the best dot products are 1, ½, 1.
        let lattice = ExpectedUtility.simplexLattice(dimension: 2, divisions: 2)
        #expect(lattice.map(\.values) == [[1, 0], [0.5, 0.5], [0, 1]])
        #expect(try ExpectedUtility.of(points, weights: lattice) == 2.5 / 3)
    }

    @Test("IGD+ never grows when every point is replaced by one that weakly dominates it; IGD can")
    func igdPlusIsWeaklyParetoCompliant() throws {
        var random = SplitMix64(seed: 13)
        for _ in 0..<200 {
            let k = 2 + Int(random.next() % 3)
            let front = ObjectiveMatrix.rows((0..<8).map { _ in (0..<k).map { _ in random.unit() } }, dimension: k)
            let worse = (0..<5).map { _ in (0..<k).map { _ in random.unit() } }
            let better = worse.map { row in row.map { $0 + random.unit() * 0.3 } }
            let before = try GenerationalDistance.invertedPlus(of: .rows(worse, dimension: k), reference: front)
            let after = try GenerationalDistance.invertedPlus(of: .rows(better, dimension: k), reference: front)
            #expect(after <= before + 1e-15)
        }
        // IGD is not compliant: moving a point beyond the front increases its distance to it.
        let front = ObjectiveMatrix.rows([[1, 1]], dimension: 2)
        let near = try GenerationalDistance.inverted(of: .rows([[1, 1]], dimension: 2), reference: front)
        let beyond = try GenerationalDistance.inverted(of: .rows([[2, 2]], dimension: 2), reference: front)
        #expect(near == 0 && beyond > 0)
        #expect(try GenerationalDistance.invertedPlus(of: .rows([[2, 2]], dimension: 2), reference: front) == 0)
    }

    @Test("the simplex lattice has C(H + K − 1, K − 1) distinct weight vectors, each summing to 1")
    func simplexLattice() {
        func binomial(_ n: Int, _ r: Int) -> Int { r == 0 ? 1 : binomial(n - 1, r - 1) * n / r }
        for k in 1...6 {
            for h in 1...6 {
                let lattice = ExpectedUtility.simplexLattice(dimension: k, divisions: h)
                #expect(lattice.count == binomial(h + k - 1, k - 1), "K = \(k), H = \(h)")
                #expect(Set(lattice.map(\.values)).count == lattice.count)
                #expect(lattice.allSatisfy { abs($0.values.reduce(0, +) - 1) <= 1e-12 && $0.dimension == k })
            }
        }
    }

    @Test("empty sets and K mismatches are refused, naming the field")
    func badInput() throws {
        let points = ObjectiveMatrix.rows([[1, 0]], dimension: 2)
        let empty = try ObjectiveMatrix(rowMajor: [], dimension: 2)
        #expect(throws: ValidationError.self) { try GenerationalDistance.inverted(of: empty, reference: points) }
        let error = #expect(throws: ValidationError.self) {
            try GenerationalDistance.invertedPlus(of: points, reference: .rows([[1, 0, 0]], dimension: 3))
        }
        #expect(error?.code == .dimensionMismatch && error?.field == "reference_front")
        #expect(throws: ValidationError.self) { try ExpectedUtility.of(points, weights: []) }
        let mismatch = #expect(throws: ValidationError.self) {
            try ExpectedUtility.of(points, weights: ExpectedUtility.simplexLattice(dimension: 3, divisions: 2))
        }
        #expect(mismatch?.field == "weights")
    }
}
