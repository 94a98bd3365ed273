import Foundation
import RewardWeightingCore
import RewardWeightingTestSupport
import Testing

@Suite("Tchebycheff scalarisation")
struct TchebycheffScalarizationTests {
    static let weights = try! WeightVector([0.5, 0.25, 0.25])
    static let rewards = try! ObjectiveMatrix(rows: [[1, 0, 1], [0, 1, 1], [0.5, 0.5, 0.5], [1, 1, 1]])
    static let ideal = [1.0, 1.0, 1.0]

    @Test("the weighted form is −max_k w_k·(z*_k − r_k), worked by hand")
    func weightedByHand() throws {
        let out = try TchebycheffScalarization.scalarize(Self.rewards, weights: Self.weights, idealPoint: Self.ideal)
        // Row 0: gaps (0, 1, 0) → weighted (0, 0.25, 0) → −0.25. Row 1: (1, 0, 0) → (0.5, 0, 0) → −0.5.
        // Row 2: (0.5, 0.5, 0.5) → (0.25, 0.125, 0.125) → −0.25. Row 3 is the ideal point: 0.
        #expect(out == [-0.25, -0.5, -0.25, 0])
        let doubled = try TchebycheffScalarization.scalarize(
            Self.rewards, weights: Self.weights, idealPoint: Self.ideal, multiplier: 2)
        #expect(doubled == out.map { 2 * $0 })
    }

    @Test("the smooth form equals a direct μ·log Σ exp and lies within μ·log K below the weighted form")
    func smoothAgainstDirectSum() throws {
        var generator = SplitMix64(seed: 0x7C4E)
        for _ in 0..<200 {
            let k = Int.random(in: 1...6, using: &generator)
            let n = Int.random(in: 1...8, using: &generator)
            let rows = (0..<n).map { _ in (0..<k).map { _ in Double.random(in: -2...2, using: &generator) } }
            let rewards = try ObjectiveMatrix(rows: rows)
            let weights = try WeightVector((0..<k).map { _ in Double.random(in: 0.01...1, using: &generator) })
            let ideal = (0..<k).map { j in rows.map { $0[j] }.max()! + Double.random(in: 0...0.5, using: &generator) }
            let mu: Double = [0.05, 0.1, 1, 3][Int.random(in: 0...3, using: &generator)]
            let plain = try TchebycheffScalarization.scalarize(rewards, weights: weights, idealPoint: ideal)
            let smooth = try TchebycheffScalarization.scalarize(
                rewards, weights: weights, idealPoint: ideal, smoothing: mu)
            for (i, row) in rows.enumerated() {
                let gaps = (0..<k).map { weights.values[$0] * (ideal[$0] - row[$0]) }
                let sum: Double = gaps.reduce(0) { $0 + exp($1 / mu) }
                let direct = -mu * log(sum)
                #expect(abs(smooth[i] - direct) <= 1e-12 * max(1, abs(direct)))
                #expect(abs(plain[i] - -gaps.max()!) <= 1e-15)
                #expect(smooth[i] <= plain[i] + 1e-15)
                #expect(smooth[i] >= plain[i] - mu * log(Double(k)) - 1e-12)
            }
        }
    }

    @Test("the smooth form tends to the weighted one as μ → 0 and stays finite for gaps far beyond exp's range")
    func smoothLimits() throws {
        let plain = try TchebycheffScalarization.scalarize(Self.rewards, weights: Self.weights, idealPoint: Self.ideal)
        let tiny = try TchebycheffScalarization.scalarize(
            Self.rewards, weights: Self.weights, idealPoint: Self.ideal, smoothing: 1e-9)
        for (a, b) in zip(plain, tiny) { #expect(abs(a - b) <= 1e-9 * log(3.0) + 1e-15) }
        // Gaps of 1e6 with μ = 1e-3: exp(1e9) would overflow; the shifted sum does not.
        let far = try ObjectiveMatrix(rows: [[-1e6, 0]])
        let out = try TchebycheffScalarization.scalarize(
            far, weights: try WeightVector([0.5, 0.5]), idealPoint: [0, 0], smoothing: 1e-3)
        #expect(out[0] == -5e5)
    }

    @Test("a point on a non-convex part of the front wins under Tchebycheff for some weights, never under the sum")
    func reachesNonConvexParts() throws {
        // A concave-in-maximisation (non-convex) front: (1, 0), (0.4, 0.4), (0, 1). The middle point lies below
        // the segment between the ends, so no weights make it the weighted sum's best, but equal weights make it
        // Tchebycheff's best against z* = (1, 1).
        let front = try ObjectiveMatrix(rows: [[1, 0], [0.4, 0.4], [0, 1]])
        var sumWins = false
        for step in 0...100 {
            let w = try WeightVector([Double(step) / 100, 1 - Double(step) / 100 + 1e-12])
            let sums = try Scalarization.scalarize(front, weights: w)
            if sums[1] > sums[0] && sums[1] > sums[2] { sumWins = true }
        }
        #expect(!sumWins)
        let equal = try WeightVector([0.5, 0.5])
        let tch = try TchebycheffScalarization.scalarize(front, weights: equal, idealPoint: [1, 1])
        #expect(tch[1] > tch[0] && tch[1] > tch[2])
    }

    @Test("column maxima are each objective's largest reward")
    func columnMaxima() {
        #expect(TchebycheffScalarization.columnMaxima(Self.rewards) == [1, 1, 1])
        let mixed = try! ObjectiveMatrix(rows: [[-3, 2], [-1, -5], [-2, 0]])
        #expect(TchebycheffScalarization.columnMaxima(mixed) == [-1, 2])
    }

    @Test("bad input names its field")
    func badInput() {
        let w = Self.weights
        #expect(throws: ValidationError.self) {
            try TchebycheffScalarization.scalarize(Self.rewards, weights: w, idealPoint: [1, 1])
        }
        #expect(
            (try? TchebycheffScalarization.scalarize(Self.rewards, weights: w, idealPoint: [1, .nan, 1])) == nil)
        do {
            _ = try TchebycheffScalarization.scalarize(Self.rewards, weights: w, idealPoint: Self.ideal, smoothing: 0)
            Issue.record("μ = 0 was accepted")
        } catch {
            #expect(error.field == "smoothing")
        }
        do {
            _ = try TchebycheffScalarization.scalarize(Self.rewards, weights: w, idealPoint: [1, .infinity, 1])
            Issue.record("an infinite ideal point was accepted")
        } catch {
            #expect(error.field == "ideal_point[1]")
        }
        do {
            let huge = try ObjectiveMatrix(rows: [[-1.7e308, 0, 0]])
            _ = try TchebycheffScalarization.scalarize(
                huge, weights: try WeightVector([1, 0, 0]), idealPoint: [1.7e308, 0, 0])
            Issue.record("an overflowing row was accepted")
        } catch {
            #expect(error.field == "rewards")
            #expect(error.row == 0)
        }
    }
}
