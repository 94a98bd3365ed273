import Foundation
import RewardWeightingCore
import RewardWeightingPolicy
import RewardWeightingTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite("Gradient method (Alg. 2)")
struct GradientMethodTests {
    /// `η_t = 1e-6·(1 − (t − 1)/T)^1.03`, written out independently of `LearningRateSchedule`.
    static func polynomialRate(_ t: Int, total: Int) -> Double {
        1e-6 * pow(1 - Double(t - 1) / Double(total), 1.03)
    }

    /// K = 3 random gradient vectors of length 6 and their Gram matrix, computed here by plain dot products
    /// (`G_ij` and `G_ji` are the same products summed in the same order, so G is exactly symmetric).
    static func randomGram(_ generator: inout SplitMix64) -> [[Double]] {
        let g = (0..<3).map { _ in (0..<6).map { _ in 0.4 * generator.symmetric() } }
        return g.map { gi in g.map { gj in zip(gi, gj).reduce(0) { $0 + $1.0 * $1.1 } } }
    }

    @Test("100 steps with a polynomial schedule match Lemma 5.1's closed form to 1e-12")
    func lemma51ClosedForm() throws {
        let total = 100
        let schedule = try LearningRateSchedule(kind: .polynomial, totalSteps: total, power: 1.03)
        let initial = [0.5, 0.25, 0.25]
        let policy = WeightingPolicy(
            config: makeConfig(gradientMethod(schedule: schedule), initialWeights: initial))
        var generator = SplitMix64(seed: 51)
        var state = policy.initialState
        var logits = initial.map { log($0) }
        for t in 1...total {
            let gram = Self.randomGram(&generator)
            // Every third step the trainer sends its own rate (which must then be used as is).
            let reported: Double? = t % 3 == 0 ? 0.9 * Self.polynomialRate(t, total: total) : nil
            let (next, decision) = try policy.apply(gradients(t, gram, learningRate: reported), to: state)
            state = next
            let eta = reported ?? Self.polynomialRate(t, total: total)
            let influence = gram.map { $0.reduce(0, +) }
            for i in 0..<3 { logits[i] += eta / 1e-5 * influence[i] }

            let update = try #require(decision.gradients?.update)
            #expect(isClose(update.learningRate, eta, relative: 1e-13))
            #expect(decision.gradients?.learningRateReported == (reported != nil))
            #expect(maxDifference(update.influence, influence) <= 1e-15)
            #expect(maxDifference(state.weights, softmax(logits)) <= 1e-12)
        }
        #expect(state.recentWeightUpdates.totalCount == total)
        #expect(maxDifference(state.weights, softmax(logits)) <= 1e-12)
        // The weights moved well away from the start, so the comparison is not vacuous.
        #expect(maxDifference(state.weights, initial) > 1e-3)
    }

    @Test("the reference code's vector: w = [0.334, 0.333, 0.333], I = [0.5, 0.2, −0.1], η = 1e-6, μ = 1e-5")
    func referenceVector() throws {
        let policy = WeightingPolicy(config: makeConfig(gradientMethod(), initialWeights: [0.334, 0.333, 0.333]))
        let (state, decision) = try policy.apply(
            gradients(1, diagonal([0.5, 0.2, -0.1]), learningRate: 1e-6), to: policy.initialState)
        let expected = [0.344058214227303, 0.3328900873455932, 0.32305169842710374]
        #expect(maxDifference(state.weights, expected) <= 1e-14)
        #expect(decision.gradients?.update?.stepSize == 1e-6 / 1e-5)
    }

    @Test("η_t from the schedule reproduces the reference table (polynomial, lr 1e-6, T = 360, power 1.03)")
    func learningRateTable() throws {
        let table: [(Int, Double)] = [
            (1, 1e-6), (2, 9.971390082090695e-7), (90, 7.463916870621472e-7), (180, 4.925126121902027e-7),
            (270, 2.4256104685406497e-7), (360, 2.3281364171592475e-9),
        ]
        let schedule = try LearningRateSchedule(kind: .polynomial, totalSteps: 360)
        let policy = WeightingPolicy(config: makeConfig(gradientMethod(schedule: schedule)))
        let (_, decisions) = try policy.fold(table.map { gradients($0.0, diagonal([0.1, 0.2, 0.3])) })
        for (decision, (step, rate)) in zip(decisions, table) {
            #expect(decision.step == step)
            #expect(isClose(try #require(decision.gradients).learningRate, rate, relative: 1e-13))
        }
    }

    @Test("accumulation W = 3 averages three influences and updates at t % 3 == 0 with that step's η_t")
    func accumulation() throws {
        let total = 10
        let schedule = try LearningRateSchedule(kind: .polynomial, totalSteps: total, power: 1.03)
        let policy = WeightingPolicy(
            config: makeConfig(gradientMethod(schedule: schedule, accumulationSteps: 3), initialWeights: [1, 1, 2]))
        let influences: [[Double]] = [
            [0.3, -0.2, 0.1], [0.6, 0.0, -0.3], [0.0, 0.9, 0.3], [-0.3, 0.3, 0.6], [0.9, 0.3, 0.0],
            [0.3, -0.6, 0.3], [1.2, 0.0, 0.0],
        ]
        let events = influences.enumerated().map { gradients($0.offset + 1, diagonal($0.element)) }
        let (state, decisions) = try policy.fold(events)

        // By hand: w(3) = normalise(w(0) ⊙ exp(τ_3·Ī)), Ī = (I1 + I2 + I3)/3, τ_3 = η_3/μ; then w(6) from w(3).
        func update(_ w: [Double], _ window: ArraySlice<[Double]>, step t: Int) -> [Double] {
            let mean = (0..<3).map { i in window.reduce(0) { $0 + $1[i] } / 3 }
            let tau = Self.polynomialRate(t, total: total) / 1e-5
            let unnormalized = (0..<3).map { w[$0] * exp(tau * mean[$0]) }
            let sum = unnormalized.reduce(0, +)
            return unnormalized.map { $0 / sum }
        }
        let w0 = [0.25, 0.25, 0.5]
        let w3 = update(w0, influences[0..<3], step: 3)
        let w6 = update(w3, influences[3..<6], step: 6)

        let updated = decisions.map { $0.gradients?.updated }
        #expect(updated == [false, false, true, false, false, true, false])
        #expect(decisions.map { $0.gradients?.pendingSteps } == [1, 2, 0, 1, 2, 0, 1])
        #expect(decisions[0].gradients?.weights == w0)
        #expect(maxDifference(try #require(decisions[2].gradients?.weights), w3) <= 1e-15)
        #expect(maxDifference(try #require(decisions[5].gradients?.weights), w6) <= 1e-15)
        #expect(decisions[5].gradients?.update?.accumulatedSteps == 3)
        #expect(state.gradientAccumulator.count == 1)
        #expect(state.gradientAccumulator.influenceSum == influences[6])

        // New weights apply to their own step and after, until the next update.
        #expect(state.scalarization(atStep: 2)?.weights.values == w0)
        #expect(state.scalarization(atStep: 2)?.weightsStep == nil)
        #expect(maxDifference(try #require(state.scalarization(atStep: 3)).weights.values, w3) <= 1e-15)
        #expect(state.scalarization(atStep: 5)?.weightsStep == 3)
        #expect(maxDifference(try #require(state.scalarization(atStep: 6)).weights.values, w6) <= 1e-15)
        #expect(state.scalarization(atStep: 100)?.weightsStep == 6)
        #expect(state.scalarization(atStep: 100)?.metaReward == 1)
    }

    @Test("gradient reports are refused by fixed and hypervolume runs", arguments: ["fixed", "hypervolume"])
    func wrongMethod(name: String) throws {
        let method: WeightingMethod = name == "fixed" ? .fixed : hypervolumeMethod()
        let policy = WeightingPolicy(config: makeConfig(method))
        let error = #expect(throws: PolicyError.self) {
            try policy.apply(gradients(1, diagonal([0.1, 0.2, 0.3])), to: policy.initialState)
        }
        #expect(error?.code == .wrongMethod)
        #expect(error?.field == "method")
        #expect(error?.message.hasPrefix("method:") == true)
    }

    @Test("a Gram matrix of the wrong K is an invalid argument naming `gram`")
    func wrongDimension() throws {
        let policy = WeightingPolicy(config: makeConfig(gradientMethod()))
        let error = #expect(throws: PolicyError.self) {
            try policy.apply(gradients(1, diagonal([0.1, 0.2])), to: policy.initialState)
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.field == "gram")
        #expect(error?.cause?.code == .dimensionMismatch)
    }

    @Test("an update that would overflow is refused, naming the field, and changes nothing")
    func overflow() throws {
        let policy = WeightingPolicy(config: makeConfig(gradientMethod(mu: 1e-300)))
        let state = policy.initialState
        let rate = #expect(throws: PolicyError.self) {
            try policy.apply(gradients(1, diagonal([0.1, 0.2, 0.3]), learningRate: 1e10), to: state)
        }
        #expect(rate?.field == "learning_rate")
        let product = #expect(throws: PolicyError.self) {
            try policy.apply(gradients(1, diagonal([1e300, 0.2, 0.3]), learningRate: 1e-290), to: state)
        }
        #expect(product?.code == .invalidArgument)
        #expect(product?.field == "gram")
        #expect(product?.message.hasPrefix("gram:") == true)
        #expect(state == policy.initialState)
    }

    @Test("influences that overflow, in one matrix or over the accumulation window, never enter the state")
    func influenceOverflow() throws {
        let policy = WeightingPolicy(config: makeConfig(gradientMethod(accumulationSteps: 2)))
        let big = [[1e308, 1e308, 0], [1e308, 1e308, 0], [0, 0, 1]]
        let row = #expect(throws: PolicyError.self) { try policy.apply(gradients(1, big), to: policy.initialState) }
        #expect(row?.field == "gram")
        #expect(row?.code == .invalidArgument)

        let (state, _) = try policy.fold([gradients(1, diagonal([1.5e308, 0, 0]))])
        let window = #expect(throws: PolicyError.self) {
            try policy.apply(gradients(2, diagonal([1.5e308, 0, 0])), to: state)
        }
        #expect(window?.field == "gram")
        let finite = state.gradientAccumulator.influenceSum.allSatisfy { $0.isFinite }
        #expect(finite)
    }

    @Test("a huge step underflows a weight with its exact logit kept, and it comes back as the closed form says")
    func underflow() throws {
        let policy = WeightingPolicy(config: makeConfig(gradientMethod(learningRate: 1, mu: 1e-5)))
        // τ = 1/1e-5, I = (100, 0, 0): the logits are (0, −100τ, −100τ) ≈ (0, −1e7, −1e7), so w_1 = w_2 = 0.
        var state = try policy.apply(gradients(1, diagonal([100, 0, 0])), to: policy.initialState).state
        #expect(state.weights == [1, 0, 0])
        let update = try #require(state.recentWeightUpdates.last)
        let logits = zip(try #require(update.logits), try #require(update.logitResiduals)).map { $0 + $1 }
        let tau = 1 / 1e-5  // η/μ as the policy computes it (not exactly 1e5)
        #expect(logits == [0, -(tau * 100), -(tau * 100)])
        // I = (0, 101, 0): objective 1's logit rises by 1.01e7, past objective 0's: w_1 = 1/(1 + e^(−1e5)) = 1.
        state = try policy.apply(gradients(2, diagonal([0, 101, 0])), to: state).state
        #expect(state.weights == [0, 1, 0])
        // Replay and the stored state's JSON keep the logits exactly.
        let decoded = try JSONDecoder().decode(RunState.self, from: JSONEncoder().encode(state))
        #expect(decoded == state)
        #expect(
            try policy.replay([gradients(1, diagonal([100, 0, 0])), gradients(2, diagonal([0, 101, 0]))]) == state)
    }

    @Test("a late gradient report (after a Scalarize of its step) is applied and flagged")
    func lateReport() throws {
        let policy = WeightingPolicy(config: makeConfig(gradientMethod()))
        let (state, decisions) = try policy.fold([
            gradients(1, diagonal([0.1, 0.2, 0.3])), summary(1), summary(2),
            gradients(2, diagonal([0.1, 0.2, 0.3])), gradients(3, diagonal([0.1, 0.2, 0.3])),
        ])
        #expect(decisions[0].gradients?.isLate == false)
        #expect(decisions[3].gradients?.isLate == true)
        #expect(decisions[4].gradients?.isLate == false)
        #expect(state.scalarizedThroughStep == 2)
    }
}
