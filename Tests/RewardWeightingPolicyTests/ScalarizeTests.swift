import RewardWeightingCore
import RewardWeightingPolicy
import Testing

@Suite("Scalarize")
struct ScalarizeTests {
    static let rewards = try! ObjectiveMatrix(rows: [[1, 0, 1], [0, 1, 1], [1, 1, 0], [0, 0, 0]])

    @Test("a fixed run returns w·r and a summary of the batch")
    func fixedRun() throws {
        let policy = WeightingPolicy(config: makeConfig(.fixed, initialWeights: [0.5, 0.25, 0.25]))
        let result = try policy.scalarize(Self.rewards, atStep: 3, in: policy.initialState)
        #expect(result.rewards == [0.75, 0.5, 0.75, 0])
        #expect(result.scalarization.metaReward == 1)
        #expect(result.scalarization.weights.values == [0.5, 0.25, 0.25])
        #expect(result.summary.step == 3)
        #expect(result.summary.count == 4)
        #expect(result.summary.objectiveMeans == [0.5, 0.5, 0.5])
        // Population standard deviation of {1, 0, 1, 0}, {0, 1, 1, 0}, {1, 1, 0, 0}: √(4 · 0.25 / 4).
        #expect(result.summary.objectiveStandardDeviations == [0.5, 0.5, 0.5])
        #expect(result.summary.meanScalarized == 0.5)
        #expect(result.summary.weights == [0.5, 0.25, 0.25])

        let (state, decision) = try policy.apply(.scalarizeSummary(result.summary), to: policy.initialState)
        #expect(decision == .scalarizeSummary(result.summary))
        #expect(state.latestScalarizeSummary == result.summary)
        #expect(state.weights == policy.initialState.weights)
    }

    @Test("the summary's standard deviations stay finite and exact near the largest Double")
    func standardDeviationsOfHugeRewards() throws {
        let policy = WeightingPolicy(config: makeConfig(.fixed, initialWeights: [1, 1e-300, 1e-300]))
        let huge = 1e308
        let rewards = try ObjectiveMatrix(rows: [[huge, 1, 0], [-huge, 3, 0], [huge, 5, 0], [-huge, 7, 0]])
        let summary = try policy.scalarize(rewards, atStep: 0, in: policy.initialState).summary
        // Mean 0, every deviation 1e308: σ = 1e308 (the squares overflow; the scaled path does not).
        #expect(summary.objectiveMeans[0] == 0)
        let deviations = try #require(summary.objectiveStandardDeviations)
        #expect(deviations[0] == huge)
        // {1, 3, 5, 7}: mean 4, σ = √((9 + 1 + 1 + 9) / 4) = √5; a constant column has σ = 0.
        #expect(deviations[1] == 5.0.squareRoot())
        #expect(deviations[2] == 0)
    }

    @Test("a hypervolume run multiplies w·r by the r_pareto of the latest earlier checkpoint")
    func hypervolumeRun() throws {
        let policy = WeightingPolicy(config: makeConfig(hypervolumeMethod(), initialWeights: [0.5, 0.25, 0.25]))
        let (state, decisions) = try policy.fold([checkpoint(0, [0.5, 800, 0.3]), checkpoint(1, [0.52, 780, 0.32])])
        let r = try #require(decisions[1].checkpoint).metaReward
        let atOne = try policy.scalarize(Self.rewards, atStep: 1, in: state)
        #expect(atOne.rewards == [0.75, 0.5, 0.75, 0])
        let atTwo = try policy.scalarize(Self.rewards, atStep: 2, in: state)
        #expect(atTwo.rewards == [0.75, 0.5, 0.75, 0].map { r * $0 })
        #expect(atTwo.scalarization.metaReward == r)
        #expect(atTwo.summary.metaReward == r)
    }

    @Test("group normalisation standardises each objective within its group before weighting")
    func groupNormalization() throws {
        let policy = WeightingPolicy(
            config: makeConfig(.fixed, initialWeights: [0.5, 0.25, 0.25], normalization: .group))
        let rewards = try ObjectiveMatrix(rows: [[1, 2, 0], [3, 2, 1], [5, 0, 0], [7, 4, 1]])
        let result = try policy.scalarize(rewards, groupIDs: [0, 0, 1, 1], atStep: 1, in: policy.initialState)
        // By hand, with sample standard deviations: objective 0 is {1, 3} and {5, 7} (std √2), objective 1 is
        // {2, 2} (std 0, so 0) and {0, 4} (std 2√2), objective 2 is {0, 1} in both groups (std √0.5).
        let s = 2.0.squareRoot() + 1e-6
        let groupZero = [
            0.5 * (-1 / s) + 0.25 * 0 + 0.25 * (-0.5 / (0.5.squareRoot() + 1e-6)),
            0.5 * (1 / s) + 0.25 * 0 + 0.25 * (0.5 / (0.5.squareRoot() + 1e-6)),
        ]
        let groupOne = [
            0.5 * (-1 / s) + 0.25 * (-2 / (2 * 2.0.squareRoot() + 1e-6)) + 0.25 * (-0.5 / (0.5.squareRoot() + 1e-6)),
            0.5 * (1 / s) + 0.25 * (2 / (2 * 2.0.squareRoot() + 1e-6)) + 0.25 * (0.5 / (0.5.squareRoot() + 1e-6)),
        ]
        #expect(maxDifference(result.rewards, groupZero + groupOne) <= 1e-12)
        // The summary's means are those of the rewards as sent.
        #expect(result.summary.objectiveMeans == [4, 2, 0.5])

        let missing = #expect(throws: PolicyError.self) {
            try policy.scalarize(rewards, atStep: 1, in: policy.initialState)
        }
        #expect(missing?.field == "group_ids")
        let wrongLength = #expect(throws: PolicyError.self) {
            try policy.scalarize(rewards, groupIDs: [0, 1], atStep: 1, in: policy.initialState)
        }
        #expect(wrongLength?.field == "group_ids")
    }

    @Test("group ids are ignored when the run does not normalise")
    func groupIDsIgnored() throws {
        let policy = WeightingPolicy(config: makeConfig(.fixed))
        let with = try policy.scalarize(Self.rewards, groupIDs: [0, 0, 1, 1], atStep: 1, in: policy.initialState)
        let without = try policy.scalarize(Self.rewards, atStep: 1, in: policy.initialState)
        #expect(with == without)
    }

    @Test("a gradient run scalarises a step with the weights its own gradient report produced")
    func gradientRun() throws {
        let policy = WeightingPolicy(config: makeConfig(gradientMethod()))
        let (state, decisions) = try policy.fold([gradients(1, diagonal([0.5, 0.2, -0.1]))])
        let weights = try #require(decisions[0].gradients).weights
        let result = try policy.scalarize(Self.rewards, atStep: 1, in: state)
        #expect(result.scalarization.weightsStep == 1)
        let expected = Self.rewards.rows.map { row in zip(row, weights).reduce(0) { $0 + $1.0 * $1.1 } }
        #expect(maxDifference(result.rewards, expected) <= 1e-15)
        #expect(try policy.scalarize(Self.rewards, atStep: 0, in: state).scalarization.weightsStep == nil)
    }
}
