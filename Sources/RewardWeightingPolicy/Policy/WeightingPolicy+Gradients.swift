import RewardWeightingCore

extension WeightingPolicy {
    /// Checks that this run takes gradient reports of K = `k` objectives, before one is computed: a trainer that
    /// streams long projected gradients learns of a wrong run or K before it sends them.
    /// - Returns: the run's gradient settings.
    /// - Throws: ``PolicyError``: `wrongMethod` (field `method`) unless the run's method is `gradient`;
    ///   `invalidArgument` (field `gram`) when `k` is not the run's K.
    @discardableResult
    public func checkGradients(ofDimension k: Int) throws(PolicyError) -> GradientSettings {
        guard case .gradient(let settings) = self.config.method else {
            throw PolicyError(
                code: .wrongMethod, field: "method",
                reason: "run \(quoted(self.config.runID)) uses method '\(self.config.method.name.rawValue)'; "
                    + "only 'gradient' runs take gradient reports")
        }
        let expected = self.config.dimension
        guard k == expected else {
            throw PolicyError(
                code: .invalidArgument, field: "gram",
                reason: "is \(k)×\(k) but run "
                    + "\(quoted(self.config.runID)) has K = \(expected) objectives",
                cause: ValidationError(
                    code: .dimensionMismatch, field: "gram",
                    reason: "is \(k)×\(k), expected K = \(expected)"))
        }
        return settings
    }

    /// Alg. 2 for one gradient report at step `t`:
    ///
    ///     I = G·1;   accumulate I;
    ///     if t % W == 0:   Ī = mean of the accumulated I,   w ← softmax(log w + (η_t/μ)·Ī)
    ///
    /// or, with a Gramian update, `G` is accumulated too and `w ← rewardWeights(Ḡ)` (``GradientUpdate``).
    ///
    /// `η_t` is the report's rate, or `η·λ(t − 1)` from the run's schedule. The mean divides by the number of
    /// reports actually accumulated (W when the trainer reported every step of the window, the reference
    /// code's `scores_vec /= W`; fewer after a gap or a resume in the middle of a window).
    func applyGradients(
        _ report: GradientReport, to state: inout RunState
    ) throws(PolicyError) -> GradientDecision {
        let settings = try self.checkGradients(ofDimension: report.gram.dimension)
        let t = report.step
        try self.checkOrder(t, after: state.lastGradientStep, kind: "gradients")

        let influence = report.gram.influence
        let learningRate = report.learningRate ?? settings.learningRate(atStep: t)
        var accumulator = state.gradientAccumulator
        if let weighting = settings.update.gramianWeighting {
            // Each report is checked on its own, so that a G that is not positive semi-definite is refused
            // when it arrives, not at the end of its window.
            do throws(ValidationError) {
                _ = try weighting.rawWeights(of: report.gram)
            } catch {
                throw PolicyError(.invalidArgument, wrapping: error)
            }
            accumulator.add(influence, gram: report.gram)
            // Finite entries can still sum to ∞ over the window (the influence check below sees only row sums).
            if let p = accumulator.gramSum?.firstIndex(where: { !$0.isFinite }) {
                let (i, j) = (p / self.config.dimension, p % self.config.dimension)
                throw PolicyError(
                    code: .invalidArgument, field: "gram",
                    reason: "entry (\(i), \(j)) summed over the accumulation window overflows",
                    cause: ValidationError(
                        code: .nonFinite, field: "gram", row: i, column: j,
                        reason: "entry (\(i), \(j)) summed over the window overflows"))
            }
        } else {
            accumulator.add(influence)
        }
        // Finite entries can still have row sums (or sums over the window) that overflow; ∞ never enters state.
        if let i = accumulator.influenceSum.indices.first(where: { !accumulator.influenceSum[$0].isFinite }) {
            throw PolicyError(
                code: .invalidArgument, field: "gram",
                reason: "the influence of objective \(i) (the sum of row \(i), accumulated over the window) "
                    + "overflows",
                cause: ValidationError(
                    code: .nonFinite, field: "gram", row: i, reason: "the sum of row \(i) overflows"))
        }
        var update: WeightUpdate?
        if t % settings.accumulationSteps == 0, let weighting = settings.update.gramianWeighting {
            let newUpdate = try Self.gramianUpdate(
                weighting, settings: settings, state: state, accumulator: accumulator, step: t,
                learningRate: learningRate)
            state.weights = newUpdate.weights
            state.recentWeightUpdates.append(newUpdate)
            accumulator = GradientAccumulator(dimension: self.config.dimension)
            update = newUpdate
        } else if t % settings.accumulationSteps == 0 {
            let meanInfluence = accumulator.mean
            let stepSize = learningRate / settings.mu
            guard stepSize.isFinite else {
                throw PolicyError(
                    code: .invalidArgument, field: "learning_rate",
                    reason: "η_t/μ = \(learningRate)/\(settings.mu) overflows")
            }
            let weights: ExactWeights
            do throws(ValidationError) {
                let last = state.recentWeightUpdates.last
                let current = try ExactWeights(
                    WeightVector(state.weights, field: "state.weights"), logits: last?.logits,
                    residuals: last?.logitResiduals)
                weights = try settings.mirrorDescent.step(from: current, influence: meanInfluence, stepSize: stepSize)
            } catch {
                // The only input-dependent failure is τ·Ī_i overflowing: blame the Gram matrix.
                throw PolicyError(
                    .invalidArgument, wrapping: error.field == "influence" ? error.renamed(to: "gram") : error)
            }
            let newUpdate = WeightUpdate(
                step: t, weights: weights.weights.values, influence: meanInfluence, learningRate: learningRate,
                stepSize: stepSize, accumulatedSteps: accumulator.count, logits: weights.logits,
                logitResiduals: weights.residuals)
            state.weights = newUpdate.weights
            state.recentWeightUpdates.append(newUpdate)
            accumulator = GradientAccumulator(dimension: self.config.dimension)
            update = newUpdate
        }
        state.gradientAccumulator = accumulator
        state.lastGradientStep = t
        return GradientDecision(
            step: t, learningRate: learningRate, learningRateReported: report.learningRate != nil,
            influence: influence, pendingSteps: accumulator.count, update: update, weights: state.weights,
            isLate: update != nil && (state.scalarizedThroughStep.map { $0 >= t } ?? false))
    }

    /// A Gramian update at step `t`: `w ← rewardWeights(Ḡ)` with `Ḡ` the mean Gram matrix of the window, then
    /// the optional bounds (``MirrorDescent/bounded(_:)``). A zero `Ḡ` keeps the current weights.
    private static func gramianUpdate(
        _ weighting: GramianWeighting, settings: GradientSettings, state: RunState,
        accumulator: GradientAccumulator, step t: Int, learningRate: Double
    ) throws(PolicyError) -> WeightUpdate {
        let k = accumulator.influenceSum.count
        do throws(ValidationError) {
            let current = try WeightVector(state.weights, field: "state.weights")
            let mean = try GramMatrix(rowMajor: accumulator.meanGram ?? [], dimension: k)
            var weights = current
            var raw: [Double]?
            let computed = try weighting.weights(of: mean)
            if let target = computed.reward {
                raw = computed.raw
                weights = try settings.mirrorDescent.bounded(target)
            }
            return WeightUpdate(
                step: t, weights: weights.values, influence: accumulator.mean, learningRate: learningRate,
                stepSize: 0, accumulatedSteps: accumulator.count, rawWeights: raw)
        } catch {
            throw PolicyError(.invalidArgument, wrapping: error)
        }
    }
}
