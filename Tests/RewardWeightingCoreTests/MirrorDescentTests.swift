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

/// Softmax of log-weights, written independently: `exp(l_i − max l) / Σ exp(l_k − max l)`.
private func softmax(_ logits: [Double]) -> [Double] {
    let m = logits.max()!
    let e = logits.map { exp($0 - m) }
    let s = e.reduce(0, +)
    return e.map { $0 / s }
}

private func relativeError(_ a: [Double], _ b: [Double]) -> Double {
    zip(a, b).map { abs($0 - $1) / abs($1) }.max() ?? 0
}

@Suite("MirrorDescent")
struct MirrorDescentTests {
    @Test("reference test vector: w = [0.334, 0.333, 0.333], I = [0.5, 0.2, −0.1], η = 1e-6, μ = 1e-5")
    func referenceVector() throws {
        let expected = [0.344058214227303, 0.3328900873455932, 0.32305169842710374]
        let w = try WeightVector([0.334, 0.333, 0.333])
        let rule = try MirrorDescent()
        let updated = try rule.step(from: w, influence: [0.5, 0.2, -0.1], stepSize: 1e-6 / 1e-5)
        #expect(relativeError(updated.values, expected) <= 1e-14)

        // The same through a Gram matrix whose row sums are I.
        let gram = try GramMatrix(rows: [[0.3, 0.1, 0.1], [0.1, 0.2, -0.1], [0.1, -0.1, -0.1]])
        #expect(gram.influence.map { ($0 * 1e12).rounded() / 1e12 } == [0.5, 0.2, -0.1])
        let viaGram = try rule.step(from: w, gram: gram, learningRate: 1e-6, regularization: 1e-5)
        #expect(relativeError(viaGram.values, expected) <= 1e-14)

        // The reference's logged update factors exp(η·I/μ).
        let factors = [0.5, 0.2, -0.1].map { exp(1e-6 * $0 / 1e-5) }
        #expect(relativeError(factors, [1.0512710963760241, 1.0202013400267558, 0.9900498337491681]) <= 1e-15)
    }

    @Test("one step equals normalise(w ⊙ exp(τ·I))")
    func oneStepFormula() throws {
        let w = [0.5, 0.25, 0.25]
        let influence = [0.3, -1.2, 2.0]
        let tau = 0.7
        let unnormalised = zip(w, influence).map { $0 * exp(tau * $1) }
        let total = unnormalised.reduce(0, +)
        let expected = unnormalised.map { $0 / total }
        let updated = try MirrorDescent().step(from: WeightVector(w), influence: influence, stepSize: tau)
        #expect(relativeError(updated.values, expected) <= 1e-14)
    }

    @Test("a zero step leaves the weights unchanged")
    func zeroStep() throws {
        let w = try WeightVector([0.5, 0.3, 0.2])
        let updated = try MirrorDescent().step(from: w, influence: [5, -3, 1], stepSize: 0)
        #expect(relativeError(updated.values, w.values) <= 1e-15)
    }

    @Test(
        "Lemma 5.1: 10⁴ steps equal softmax(log w(0) + Σ_t τ_t·I(t)) to 1e-12",
        arguments: [(UInt64(1), 3), (UInt64(2024), 3), (UInt64(7), 5)])
    func lemma51(seed: UInt64, k: Int) throws {
        let steps = 10_000
        let schedule = try LearningRateSchedule(kind: .polynomial, totalSteps: steps)
        let baseRate = 1e-6
        let mu = 1e-5
        var generator = SplitMix64(seed: seed)
        // A per-objective drift so the weights move far from the start (log-ratios of several units).
        let drift = (0..<k).map { 0.004 * Double($0) - 0.004 }
        let initial = (0..<k).map { 1.0 + Double($0) }
        let rule = try MirrorDescent()
        var weights = try WeightVector(initial)
        // Closed form in log space, accumulated with Kahan summation.
        var logits = weights.values.map { log($0) }
        var compensation = [Double](repeating: 0, count: k)
        for t in 1...steps {
            let influence = (0..<k).map { drift[$0] + generator.symmetric() }
            let eta = schedule.learningRate(base: baseRate, atTrainerStep: t)
            // Independently: η_t = lr·(1 − (t − 1)/T)^1.03.
            let tau = baseRate * pow(1 - Double(t - 1) / Double(steps), 1.03) / mu
            #expect(abs(eta / mu - tau) <= 1e-15 * tau + 1e-300)
            weights = try rule.step(from: weights, influence: influence, stepSize: eta / mu)
            for i in 0..<k {
                let y = tau * influence[i] - compensation[i]
                let s = logits[i] + y
                compensation[i] = (s - logits[i]) - y
                logits[i] = s
            }
        }
        let closedForm = softmax(logits)
        #expect(relativeError(weights.values, closedForm) <= 1e-12)
        // The weights moved far from the start: some weight changed by more than a factor of e.
        let start = try WeightVector(initial).values
        #expect(zip(closedForm, start).map { abs(log($0 / $1)) }.max()! > 1)
    }

    @Test(
        "a huge step gives finite, positive weights summing to 1",
        arguments: [[1.0, -1.0, 0.5], [300, -200, 1e3], [1, 1, 1], [-1e3, 1e-3, 0]])
    func hugeStep(influence: [Double]) throws {
        let w = WeightVector.uniform(count: 3)
        let updated = try MirrorDescent().step(from: w, influence: influence, stepSize: 1e4)
        #expect(updated.values.allSatisfy { $0.isFinite && $0 >= 0 })
        #expect(abs(updated.values.reduce(0, +) - 1) <= 4 * Double.ulpOfOne)
        // The objective with the largest influence takes (almost) all the mass.
        let best = influence.indices.max { influence[$0] < influence[$1] }!
        if influence.allSatisfy({ $0 == influence[0] }) {
            #expect(relativeError(updated.values, w.values) <= 1e-15)
        } else {
            #expect(updated.values[best] > 0.99)
        }
    }

    @Test("an underflowing weight keeps its exact logit: it comes back exactly as much as the closed form says")
    func underflowAndRecovery() throws {
        let rule = try MirrorDescent()
        let start = ExactWeights(WeightVector.uniform(count: 3))
        // τ·I = (1e4, −1e4, 0): w_1 ∝ e^(−2e4) and w_2 ∝ e^(−1e4), far below the smallest double.
        let collapsed = try rule.step(from: start, influence: [1, -1, 0], stepSize: 1e4)
        #expect(collapsed.weights.values == [1, 0, 0])
        #expect(try Self.logits(collapsed) == [0, -2e4, -1e4])
        // A push of 1.9e4 back is not enough for w_1 (still e^(−1000) below w_0) ...
        let partial = try rule.step(from: collapsed, influence: [0, 1.9, 0], stepSize: 1e4)
        #expect(partial.weights.values[1] == 0)
        #expect(try Self.logits(partial) == [0, -1e3, -1e4])
        // ... and 1e3 more puts it level with w_0, exactly as e^0/(e^0 + e^0 + e^(−1e4)) = 1/2.
        let level = try rule.step(from: partial, influence: [0, 0.1, 0], stepSize: 1e4)
        #expect(level.weights.values[0] == 0.5)
        #expect(level.weights.values[1] == 0.5)
        // The weights the floor used to return would have let w_1 back at once: e^(−2e4) is not 2.2e-308.
        #expect(try Self.logits(level) == [0, 0, -1e4])
        // Once every weight is normal again the logits are dropped.
        let back = try rule.step(from: level, influence: [0, 0, 1], stepSize: 1e4)
        #expect(back.weights.values.allSatisfy { $0 >= MirrorDescent.smallestNormalWeight } == (back.logits == nil))
    }

    /// `hi + lo` of each logit: the double nearest the exact double-double value.
    static func logits(_ weights: ExactWeights) throws -> [Double] {
        let hi = try #require(weights.logits)
        let lo = try #require(weights.residuals)
        return zip(hi, lo).map { $0 + $1 }
    }

    @Test("with max_weight, tiny free weights keep their exact ratios through the projection")
    func boundedUnderflow() throws {
        // p ∝ (0.5, 0.25·e^−800, 0.25·e^−1000): w_0 is capped at 0.5 and the other two share the rest in the ratio
        // e^−800 : e^−1000, so w_1 = 0.5/(1 + e^−200) and w_2 = 0.5·e^−200/(1 + e^−200) ≈ 6.9e-88.
        let rule = try MirrorDescent(maxWeight: 0.5)
        let updated = try rule.step(
            from: ExactWeights(WeightVector([0.5, 0.25, 0.25])), influence: [0, -800, -1000], stepSize: 1)
        let ratio = exp(-200.0)
        let expected = [0.5, 0.5 / (1 + ratio), 0.5 * ratio / (1 + ratio)]
        for (a, b) in zip(updated.weights.values, expected) { #expect(abs(a - b) <= 1e-12 * b) }
        // The capped weight (0.5 of the mass) does not pull the zero weights up.
        let zeros = try rule.bounded(WeightVector([1, 0, 0]))
        for (a, b) in zip(zeros.values, [0.5, 0.25, 0.25]) { #expect(abs(a - b) <= 1e-12) }
    }

    @Test("a zero input weight starts from the smallest normal double, and its logit stays finite")
    func zeroInputWeight() throws {
        let updated = try MirrorDescent().step(from: WeightVector([1, 0, 1]), influence: [0, 0, 0], stepSize: 0.1)
        #expect(updated.values[0] == 0.5)
        #expect(updated.values[1] > 0 && updated.values[1] <= 2 * MirrorDescent.smallestNormalWeight)
    }

    @Test(
        "Lemma 5.1 at any τ: 500 steps equal the closed form to 1e-12, weights that underflow and come back included",
        arguments: [1e-6, 1, 1e2, 1e4], [3, 5])
    func closedFormAtAnyStepSize(tau: Double, k: Int) throws {
        var generator = SplitMix64(seed: UInt64(k) &* 977 &+ UInt64(tau.exponent + 100))
        let rule = try MirrorDescent()
        let initial = (0..<k).map { 1.0 + Double($0) }
        var current = ExactWeights(try WeightVector(initial))
        // The closed form's logits log w_i(0) + S_i with S_i = Σ_t τ·I_i(t): the influences are dyadic (k/64) and
        // τ ≥ 1 is an integer, so S_i is exact in plain double arithmetic (τ = 1e-6 keeps it tiny), and
        // differences are taken as (S_i − S_top) + (log w_i(0) − log w_top(0)).
        let initialLogs = current.weights.values.map { log($0) }
        var sums = [Double](repeating: 0, count: k)
        var underflowed = false
        for t in 1...500 {
            // Dyadic influences; objective 1 is pushed down for 250 steps, then up twice as hard.
            var influence = (0..<k).map { _ in Double(Int(generator.unit() * 17) - 8) / 64 }
            influence[1] = t <= 250 ? -0.25 : 0.5
            current = try rule.step(from: current, influence: influence, stepSize: tau)
            for i in 0..<k { sums[i] += tau * influence[i] }
            let m = (0..<k).max { sums[$0] + initialLogs[$0] < sums[$1] + initialLogs[$1] }!
            let logits = (0..<k).map { (sums[$0] - sums[m]) + (initialLogs[$0] - initialLogs[m]) }
            let total = logits.reduce(0) { $0 + exp($1) }  // the largest is 0
            let closedForm = logits.map { exp($0) / total }
            for i in 0..<k {
                let (actual, expected) = (current.weights.values[i], closedForm[i])
                if expected >= 2 * MirrorDescent.smallestNormalWeight {
                    #expect(abs(actual - expected) <= 1e-12 * expected, "τ \(tau), step \(t), objective \(i)")
                } else if expected < MirrorDescent.smallestNormalWeight / 2 {
                    #expect(actual < MirrorDescent.smallestNormalWeight, "τ \(tau), step \(t), objective \(i)")
                    underflowed = true
                    // Its logit, relative to the largest, is the closed form's.
                    let hi = try #require(current.logits, "τ \(tau), step \(t)")
                    let lo = try #require(current.residuals)
                    let mine = hi[i] + lo[i]
                    #expect(
                        abs(mine - logits[i]) <= 1e-12 * max(1, abs(logits[i])), "τ \(tau), step \(t), objective \(i)")
                }
            }
        }
        // At τ ≥ 1e2 objective 1 fell below the smallest double and came back to its closed-form value.
        #expect(underflowed == (tau >= 1e2))
        #expect(current.weights.values[1] > 0.99 || tau < 1e2)
    }

    // MARK: Bounds

    /// `clamp(c·p_i, lo, hi)` with `Σ = 1`, `c` found by bisection (a different algorithm from the
    /// implementation's breakpoint walk).
    private static func projectByBisection(_ p: [Double], lo: Double, hi: Double) -> [Double] {
        func f(_ c: Double) -> Double { p.reduce(0) { $0 + Swift.min(Swift.max(c * $1, lo), hi) } }
        var a = 0.0
        var b = 1.0
        while f(b) < 1 { b *= 2 }
        for _ in 0..<300 {
            let m = 0.5 * (a + b)
            if f(m) < 1 { a = m } else { b = m }
        }
        let c = 0.5 * (a + b)
        return p.map { Swift.min(Swift.max(c * $0, lo), hi) }
    }

    @Test(
        "bounds: the softmax output is projected to clamp(c·p, min, max) with sum 1",
        arguments: [
            ([0.8, 0.15, 0.05], 0.1, 0.6),
            ([0.7, 0.2, 0.06, 0.04], 0.05, 0.5),
            ([0.9, 0.05, 0.05], 0.0, 0.5),
            ([0.5, 0.3, 0.1, 0.05, 0.05], 0.1, 1.0),
        ])
    func bounds(target: [Double], lo: Double, hi: Double) throws {
        // Uniform start and τ = 1, I = log p: the unconstrained result is p.
        let k = target.count
        let rule = try MirrorDescent(minWeight: lo, maxWeight: hi)
        let updated = try rule.step(
            from: WeightVector.uniform(count: k), influence: target.map { log($0) }, stepSize: 1)
        let expected = Self.projectByBisection(target, lo: lo, hi: hi)
        for i in 0..<k {
            #expect(abs(updated.values[i] - expected[i]) <= 1e-12)
            #expect(updated.values[i] >= lo)
            #expect(updated.values[i] <= hi)
        }
        #expect(abs(updated.values.reduce(0, +) - 1) <= 1e-14)
    }

    @Test("bounds that do not bind change nothing; min = 1/K forces uniform")
    func boundEdgeCases() throws {
        let w = try WeightVector([0.5, 0.3, 0.2])
        let influence = [0.4, -0.1, 0.2]
        let free = try MirrorDescent().step(from: w, influence: influence, stepSize: 0.5)
        // The reference code's dead configuration (min 0, max 5) is a no-op.
        let loose = try MirrorDescent(minWeight: 0, maxWeight: 5).step(from: w, influence: influence, stepSize: 0.5)
        #expect(loose == free)
        let uniform = try MirrorDescent(minWeight: 1.0 / 3.0).step(from: w, influence: influence, stepSize: 0.5)
        #expect(relativeError(uniform.values, [1.0 / 3, 1.0 / 3, 1.0 / 3]) <= 1e-15)
        let capped = try MirrorDescent(maxWeight: 1.0 / 3.0).step(from: w, influence: influence, stepSize: 0.5)
        #expect(relativeError(capped.values, [1.0 / 3, 1.0 / 3, 1.0 / 3]) <= 1e-15)
    }

    // MARK: Errors

    @Test("wrong K is rejected (field influence)")
    func wrongK() throws {
        let error = #expect(throws: ValidationError.self) {
            try MirrorDescent().step(from: WeightVector.uniform(count: 3), influence: [1, 2], stepSize: 0.1)
        }
        #expect(error?.code == .dimensionMismatch)
        #expect(error?.field == "influence")
        #expect(error?.message.hasPrefix("influence:") == true)

        let gram = try GramMatrix(rows: [[1, 0], [0, 1]])
        let gramError = #expect(throws: ValidationError.self) {
            try MirrorDescent().step(
                from: WeightVector.uniform(count: 3), gram: gram, learningRate: 1e-6, regularization: 1e-5)
        }
        #expect(gramError?.code == .dimensionMismatch)
        #expect(gramError?.field == "gram")
    }

    @Test("non-finite influence is rejected", arguments: [Double.nan, .infinity])
    func nonFiniteInfluence(value: Double) {
        let error = #expect(throws: ValidationError.self) {
            try MirrorDescent().step(from: WeightVector.uniform(count: 3), influence: [1, value, 0], stepSize: 0.1)
        }
        #expect(error?.code == .nonFinite)
        #expect(error?.field == "influence")
        #expect(error?.column == 1)
        #expect(error?.message.hasPrefix("influence: entry 1") == true)
    }

    @Test("bad step sizes are rejected (field step_size)")
    func badStepSize() {
        let w = WeightVector.uniform(count: 2)
        let nan = #expect(throws: ValidationError.self) {
            try MirrorDescent().step(from: w, influence: [1, 0], stepSize: .nan)
        }
        #expect(nan?.code == .nonFinite)
        #expect(nan?.field == "step_size")
        #expect(nan?.message.hasPrefix("step_size:") == true)

        let negative = #expect(throws: ValidationError.self) {
            try MirrorDescent().step(from: w, influence: [1, 0], stepSize: -1)
        }
        #expect(negative?.code == .outOfRange)
        #expect(negative?.field == "step_size")

        let overflow = #expect(throws: ValidationError.self) {
            try MirrorDescent().step(from: w, influence: [1e10, 0], stepSize: 1e300)
        }
        #expect(overflow?.code == .outOfRange)
        #expect(overflow?.field == "influence")
        #expect(overflow?.column == 0)

        let tinyMu = #expect(throws: ValidationError.self) {
            try MirrorDescent().step(
                from: w, gram: GramMatrix(rows: [[1, 0], [0, 1]]), learningRate: 1e300, regularization: 1e-300)
        }
        #expect(tinyMu?.code == .outOfRange)
        #expect(tinyMu?.field == "step_size")
    }

    @Test("bad μ and learning rates are rejected")
    func badMuAndLearningRate() throws {
        let w = WeightVector.uniform(count: 2)
        let gram = try GramMatrix(rows: [[1, 0], [0, 1]])
        let cases: [(Double, Double, String, ValidationError.Code)] = [
            (1e-6, 0, "mu", .outOfRange),
            (1e-6, -1e-5, "mu", .outOfRange),
            (1e-6, .nan, "mu", .nonFinite),
            (-1e-6, 1e-5, "learning_rate", .outOfRange),
            (.infinity, 1e-5, "learning_rate", .nonFinite),
        ]
        for (rate, mu, field, code) in cases {
            let error = #expect(throws: ValidationError.self) {
                try MirrorDescent().step(from: w, gram: gram, learningRate: rate, regularization: mu)
            }
            #expect(error?.code == code)
            #expect(error?.field == field)
            #expect(error?.message.hasPrefix("\(field):") == true)
        }
    }

    @Test("bad bounds are rejected")
    func badBounds() {
        let negative = #expect(throws: ValidationError.self) { try MirrorDescent(minWeight: -0.1) }
        #expect(negative?.code == .outOfRange)
        #expect(negative?.field == "min_weight")
        #expect(negative?.message.hasPrefix("min_weight:") == true)

        let zeroMax = #expect(throws: ValidationError.self) { try MirrorDescent(maxWeight: 0) }
        #expect(zeroMax?.code == .outOfRange)
        #expect(zeroMax?.field == "max_weight")

        let nanMax = #expect(throws: ValidationError.self) { try MirrorDescent(maxWeight: .nan) }
        #expect(nanMax?.code == .nonFinite)
        #expect(nanMax?.field == "max_weight")

        let crossed = #expect(throws: ValidationError.self) { try MirrorDescent(minWeight: 0.4, maxWeight: 0.3) }
        #expect(crossed?.code == .outOfRange)
        #expect(crossed?.field == "min_weight")

        // Valid on their own, but not for K = 3.
        let w = WeightVector.uniform(count: 3)
        let minTooHigh = #expect(throws: ValidationError.self) {
            try MirrorDescent(minWeight: 0.5).step(from: w, influence: [0, 0, 0], stepSize: 1)
        }
        #expect(minTooHigh?.code == .outOfRange)
        #expect(minTooHigh?.field == "min_weight")
        let maxTooLow = #expect(throws: ValidationError.self) {
            try MirrorDescent(maxWeight: 0.2).step(from: w, influence: [0, 0, 0], stepSize: 1)
        }
        #expect(maxTooLow?.code == .outOfRange)
        #expect(maxTooLow?.field == "max_weight")
        #expect(maxTooLow?.message.hasPrefix("max_weight:") == true)
    }
}
