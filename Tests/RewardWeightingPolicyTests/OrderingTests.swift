import RewardWeightingCore
import RewardWeightingPolicy
import Testing

@Suite("Step ordering")
struct OrderingTests {
    static let policy = WeightingPolicy(config: makeConfig(gradientMethod()))

    @Test("a gradient step below the last one is out of order, an equal one a duplicate; neither changes state")
    func gradientOrder() throws {
        let (state, _) = try Self.policy.fold([gradients(5, diagonal([0.1, 0.2, 0.3]))])
        let below = #expect(throws: PolicyError.self) {
            try Self.policy.apply(gradients(4, diagonal([0.1, 0.2, 0.3])), to: state)
        }
        #expect(below?.code == .stepOutOfOrder)
        #expect(below?.field == "step")
        #expect(below?.message.hasPrefix("step:") == true)
        let equal = #expect(throws: PolicyError.self) {
            try Self.policy.apply(gradients(5, diagonal([0.1, 0.2, 0.3])), to: state)
        }
        #expect(equal?.code == .duplicateStep)
        #expect(equal?.field == "step")
        #expect(state.lastGradientStep == 5)
        #expect(state.appliedEventCount == 1)
    }

    @Test("checkpoint steps are ordered the same way, independently of gradient steps")
    func checkpointOrder() throws {
        let (state, _) = try Self.policy.fold([
            gradients(5, diagonal([0.1, 0.2, 0.3])), checkpoint(3, [0.5, 800, 0.3]), gradients(6, diagonal([0, 0, 0])),
        ])
        #expect(state.lastAppliedStep(of: .checkpoint) == 3)
        #expect(state.lastAppliedStep(of: .gradients) == 6)
        let below = #expect(throws: PolicyError.self) {
            try Self.policy.apply(checkpoint(2, [0.5, 800, 0.3]), to: state)
        }
        #expect(below?.code == .stepOutOfOrder)
        let equal = #expect(throws: PolicyError.self) {
            try Self.policy.apply(checkpoint(3, [0.5, 800, 0.3]), to: state)
        }
        #expect(equal?.code == .duplicateStep)
        _ = try Self.policy.apply(checkpoint(4, [0.5, 800, 0.3]), to: state)
    }

    @Test("Scalarize summaries are never refused for their step")
    func summariesAreUnordered() throws {
        let (state, _) = try Self.policy.fold([summary(4), summary(2), summary(4), summary(0)])
        #expect(state.scalarizedThroughStep == 4)
        #expect(state.latestScalarizeSummary?.step == 4)
        #expect(state.appliedEventCount == 4)
    }

    @Test("a state started from another config is an inconsistent state")
    func inconsistentState() throws {
        let twoObjectives = WeightingPolicy(
            config: makeConfig(.fixed, objectives: [Objective(name: "a"), Objective(name: "b")]))
        let error = #expect(throws: PolicyError.self) {
            try Self.policy.apply(checkpoint(0, [1, 2, 3]), to: twoObjectives.initialState)
        }
        #expect(error?.code == .inconsistentState)
        #expect(error?.field == "state")

        let otherWeights = WeightingPolicy(config: makeConfig(.fixed, initialWeights: [1, 2, 3]))
        let other = #expect(throws: PolicyError.self) {
            try Self.policy.apply(checkpoint(0, [1, 2, 3]), to: otherWeights.initialState)
        }
        #expect(other?.code == .inconsistentState)
    }
}
