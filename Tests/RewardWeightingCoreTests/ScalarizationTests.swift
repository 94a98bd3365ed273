import RewardWeightingCore
import RewardWeightingTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// `(r − mean)/(std + ε)` for one list of values, with the sample std; 0 for a single value.
private func standardise(_ values: [Double], epsilon: Double) -> [Double] {
    guard values.count > 1 else { return values.map { _ in 0 } }
    let mean = values.reduce(0, +) / Double(values.count)
    let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1)
    return values.map { ($0 - mean) / (variance.squareRoot() + epsilon) }
}

@Suite("Scalarization")
struct ScalarizationTests {
    @Test("out_i = m·Σ_k w_k·r_ik on a hand example")
    func handExample() throws {
        let rewards = try ObjectiveMatrix(rows: [[1, 0, 1], [0, 1, 1], [1, 1, 0]], field: "rewards")
        let weights = try WeightVector([0.5, 0.25, 0.25])
        #expect(try Scalarization.scalarize(rewards, weights: weights) == [0.75, 0.5, 0.75])
        #expect(try Scalarization.scalarize(rewards, weights: weights, multiplier: 2) == [1.5, 1.0, 1.5])
    }

    @Test("the hypervolume method's r_pareto multiplies the weighted sum")
    func withMetaReward() throws {
        let rewards = try ObjectiveMatrix(rows: [[1, 1, 0], [0, 0, 1]], field: "rewards")
        let weights = try WeightVector([0.334, 0.333, 0.333])
        let r = MetaReward.tanh(0.008)
        let out = try Scalarization.scalarize(rewards, weights: weights, multiplier: r)
        let w = weights.values
        #expect(abs(out[0] - 0.5119997440065535 * (w[0] + w[1])) <= 1e-15)
        #expect(abs(out[1] - 0.5119997440065535 * w[2]) <= 1e-15)
    }

    @Test("random batches match an independent row-by-row computation", arguments: [1, 2, 3, 5])
    func randomBatches(k: Int) throws {
        var generator = SplitMix64(seed: UInt64(100 + k))
        let n = 1000
        let rows = (0..<n).map { _ in (0..<k).map { _ in 4 * generator.unit() - 2 } }
        let weights = try WeightVector((0..<k).map { _ in generator.unit() + 0.01 })
        let rewards = try ObjectiveMatrix(rows: rows, field: "rewards")
        let multiplier = 1.37
        let out = try Scalarization.scalarize(rewards, weights: weights, multiplier: multiplier)
        #expect(out.count == n)
        for (i, row) in rows.enumerated() {
            var sum = 0.0
            for (w, r) in zip(weights.values, row) { sum += w * r }
            #expect(abs(out[i] - multiplier * sum) <= 1e-15 * Swift.max(1, abs(out[i])))
        }
    }

    @Test("an empty batch is rejected")
    func empty() throws {
        let rewards = try ObjectiveMatrix(rowMajor: [], dimension: 3, field: "rewards")
        let error = #expect(throws: ValidationError.self) {
            try Scalarization.scalarize(rewards, weights: WeightVector.uniform(count: 3))
        }
        #expect(error?.code == .empty)
        #expect(error?.field == "rewards")
        #expect(error?.message.hasPrefix("rewards:") == true)
    }

    @Test("wrong K is rejected")
    func wrongK() throws {
        let rewards = try ObjectiveMatrix(rows: [[1, 0], [0, 1]], field: "rewards")
        let error = #expect(throws: ValidationError.self) {
            try Scalarization.scalarize(rewards, weights: WeightVector.uniform(count: 3))
        }
        #expect(error?.code == .dimensionMismatch)
        #expect(error?.field == "rewards")
        #expect(error?.message.hasPrefix("rewards:") == true)
    }

    @Test("a non-finite multiplier is rejected", arguments: [Double.nan, .infinity])
    func badMultiplier(value: Double) throws {
        let rewards = try ObjectiveMatrix(rows: [[1, 0]], field: "rewards")
        let error = #expect(throws: ValidationError.self) {
            try Scalarization.scalarize(rewards, weights: WeightVector.uniform(count: 2), multiplier: value)
        }
        #expect(error?.code == .nonFinite)
        #expect(error?.field == "multiplier")
        #expect(error?.message.hasPrefix("multiplier:") == true)
    }

    @Test("an overflowing result is rejected, naming the row")
    func overflow() throws {
        let rewards = try ObjectiveMatrix(rows: [[1, 1], [1e308, 1e308]], field: "rewards")
        let error = #expect(throws: ValidationError.self) {
            try Scalarization.scalarize(rewards, weights: WeightVector.uniform(count: 2), multiplier: 10)
        }
        #expect(error?.code == .outOfRange)
        #expect(error?.row == 1)
        #expect(error?.field == "rewards")
    }

    // MARK: Group normalisation

    @Test("per-objective standardisation within groups (sample std, ε = 1e-6)")
    func groupNormalizedHandExample() throws {
        // Group 7: rows 0, 2, 4; group 3: rows 1, 3 (interleaved on purpose).
        let rows: [[Double]] = [[1, 10], [5, 1], [0, 20], [7, 1], [1, 30]]
        let ids = [7, 3, 7, 3, 7]
        let out = try Scalarization.groupNormalized(
            ObjectiveMatrix(rows: rows, field: "rewards"), groupIDs: ids)
        // Group 7, objective 0: values 1, 0, 1 → mean 2/3, sample variance (1/9 + 4/9 + 1/9)/2 = 1/3.
        let std = (1.0 / 3).squareRoot() + 1e-6
        #expect(abs(out[0, 0] - (1.0 / 3) / std) <= 1e-12)
        #expect(abs(out[2, 0] - (-2.0 / 3) / std) <= 1e-12)
        // Group 7, objective 1: 10, 20, 30 → mean 20, sample std 10.
        #expect(abs(out[0, 1] - (-10 / (10 + 1e-6))) <= 1e-12)
        #expect(abs(out[4, 1] - (10 / (10 + 1e-6))) <= 1e-12)
        // Group 3, objective 0: 5, 7 → mean 6, sample std √2.
        #expect(abs(out[1, 0] - (-1 / (2.0.squareRoot() + 1e-6))) <= 1e-12)
        // Group 3, objective 1 is constant → 0.
        #expect(out[1, 1] == 0)
        #expect(out[3, 1] == 0)
        // Against the independent helper, column by column and group by group.
        for id in Set(ids) {
            let members = ids.indices.filter { ids[$0] == id }
            for k in 0..<2 {
                let expected = standardise(members.map { rows[$0][k] }, epsilon: 1e-6)
                for (m, i) in members.enumerated() {
                    #expect(abs(out[i, k] - expected[m]) <= 1e-12)
                }
            }
        }
    }

    @Test("TRL's worked example: [1, 0, 1, 0] normalises to ±0.866 with ε = 1e-4")
    func trlExample() throws {
        let out = try Scalarization.groupNormalized(
            ObjectiveMatrix(rows: [[1], [0], [1], [0]], field: "rewards"), groupIDs: [0, 0, 0, 0], epsilon: 1e-4)
        let expected = [0.866, -0.866, 0.866, -0.866]
        for i in 0..<4 {
            #expect(abs(out[i, 0] - expected[i]) <= 5e-4)
        }
        // Exactly: 0.5 / (sqrt(1/3) + 1e-4).
        #expect(abs(out[0, 0] - 0.5 / ((1.0 / 3).squareRoot() + 1e-4)) <= 1e-12)
    }

    @Test("random groups match the independent helper")
    func randomGroups() throws {
        var generator = SplitMix64(seed: 9)
        let n = 600
        let k = 3
        let rows = (0..<n).map { _ in (0..<k).map { _ in (generator.unit() * 100).rounded() / 10 } }
        let ids = (0..<n).map { _ in Int(generator.next() % 37) - 18 }
        let out = try Scalarization.groupNormalized(ObjectiveMatrix(rows: rows, field: "rewards"), groupIDs: ids)
        for id in Set(ids) {
            let members = ids.indices.filter { ids[$0] == id }
            for j in 0..<k {
                let expected = standardise(members.map { rows[$0][j] }, epsilon: 1e-6)
                for (m, i) in members.enumerated() {
                    #expect(abs(out[i, j] - expected[m]) <= 1e-12 * Swift.max(1, abs(expected[m])))
                }
            }
        }
    }

    @Test("a singleton group gives 0")
    func singleton() throws {
        let out = try Scalarization.groupNormalized(
            ObjectiveMatrix(rows: [[3, 4], [1, 2], [5, 6]], field: "rewards"), groupIDs: [0, 1, 1])
        #expect(out.row(0) == [0, 0])
        #expect(out[1, 0] < 0)
        #expect(out[2, 0] > 0)
    }

    @Test("huge rewards do not overflow the standard deviation")
    func hugeRewards() throws {
        let out = try Scalarization.groupNormalized(
            ObjectiveMatrix(rows: [[1e300], [-1e300], [0]], field: "rewards"), groupIDs: [1, 1, 1])
        // mean 0, sample std 1e300 → ±1, 0.
        #expect(abs(out[0, 0] - 1) <= 1e-15)
        #expect(abs(out[1, 0] + 1) <= 1e-15)
        #expect(out[2, 0] == 0)
    }

    @Test("group normalisation errors name the field")
    func groupErrors() throws {
        let rewards = try ObjectiveMatrix(rows: [[1, 2], [3, 4]], field: "rewards")
        let count = #expect(throws: ValidationError.self) {
            try Scalarization.groupNormalized(rewards, groupIDs: [0])
        }
        #expect(count?.code == .dimensionMismatch)
        #expect(count?.field == "group_ids")
        #expect(count?.message.hasPrefix("group_ids:") == true)

        let empty = #expect(throws: ValidationError.self) {
            try Scalarization.groupNormalized(
                ObjectiveMatrix(rowMajor: [], dimension: 2, field: "rewards"), groupIDs: [])
        }
        #expect(empty?.code == .empty)
        #expect(empty?.field == "rewards")

        let epsilon = #expect(throws: ValidationError.self) {
            try Scalarization.groupNormalized(rewards, groupIDs: [0, 0], epsilon: 0)
        }
        #expect(epsilon?.code == .outOfRange)
        #expect(epsilon?.field == "epsilon")
        #expect(epsilon?.message.hasPrefix("epsilon:") == true)
    }
}
