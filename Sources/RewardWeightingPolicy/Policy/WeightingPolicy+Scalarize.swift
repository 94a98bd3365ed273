import RewardWeightingCore

extension WeightingPolicy {
    /// Scalarize: the N×K rewards of `step` turned into N scalar rewards
    ///
    ///     out_i = r_pareto · Σ_k w_k · r_ik        (r̂_ik instead of r_ik with group normalisation)
    ///
    /// or, with a Tchebycheff ``RunConfig/scalarization``, `out_i = −r_pareto·max_k w_k·(z*_k − r_ik)` (or its
    /// smooth form, ``TchebycheffScalarization``) against the declared ideal point, or the tracked one: the
    /// component-wise maximum of this batch and ``RunState/trackedIdealPoint(beforeStep:)``.
    ///
    /// with the weights and `r_pareto` of ``RunState/scalarization(atStep:)``, or `scalarization` when the state's
    /// histories do not reach back to `step` (read it from the run's log with
    /// ``DecisionHistory/scalarization(atStep:initialWeights:)``). A pure read: `state` does not change. Record
    /// ``ScalarizeResult/summary`` with ``RunEvent/scalarizeSummary(_:)`` to show the step on dashboards
    /// (validation-time calls should not be recorded).
    ///
    /// - Parameters:
    ///   - rewards: one row per response, one column per objective, higher is better, weighted as sent.
    ///   - groupIDs: one id per response (GRPO prompt ids); required when the run's normalization is
    ///     ``RewardNormalization/group``, ignored otherwise.
    ///   - step: the trainer's global step, `≥ 0`.
    /// - Throws: ``PolicyError`` with code `invalidArgument`: field `step` (`< 0`), `rewards` (no rows, wrong
    ///   K, a scalarised reward that overflows), `group_ids` (missing or of the wrong length);
    ///   `inconsistentState` for a state not started from this config, and (field `step`) for a step older than
    ///   the state's histories without its `scalarization`, or with one of another step.
    public func scalarize(
        _ rewards: ObjectiveMatrix, groupIDs: [Int]? = nil, atStep step: Int, in state: RunState,
        scalarization given: StepScalarization? = nil
    ) throws(PolicyError) -> ScalarizeResult {
        try self.checkOwnership(of: state)
        let k = self.config.dimension
        guard step >= 0 else {
            throw PolicyError(
                code: .invalidArgument, field: "step", reason: "is \(step); it must be at least 0")
        }
        guard rewards.dimension == k else {
            let error = ValidationError(
                code: .dimensionMismatch, field: "rewards",
                reason: "have K = \(rewards.dimension) objectives but run \(quoted(self.config.runID)) has "
                    + "K = \(k)")
            throw PolicyError(.invalidArgument, wrapping: error)
        }
        guard let scalarization = state.scalarization(atStep: step) ?? given, scalarization.step == step else {
            throw PolicyError(
                code: .inconsistentState, field: "step",
                reason: "\(step) is older than the run's kept histories, and its weights were not read from the log")
        }
        do throws(ValidationError) {
            guard !rewards.isEmpty else {
                throw ValidationError(code: .empty, field: "rewards", reason: "the batch has no responses")
            }
            var weighted = rewards
            if self.config.normalization == .group {
                guard let groupIDs else {
                    throw ValidationError(
                        code: .empty, field: "group_ids",
                        reason: "run \(quoted(self.config.runID)) normalises within groups; every response "
                            + "needs a group id")
                }
                weighted = try Scalarization.groupNormalized(
                    rewards, groupIDs: groupIDs, epsilon: self.config.normalizationEpsilon)
            }
            let settings = self.config.scalarization
            var idealPoint: [Double]?
            var maxima: [Double]?
            let output: [Double]
            if settings.usesIdealPoint {
                if let declared = settings.idealPoint {
                    idealPoint = declared
                } else {
                    let batch = TchebycheffScalarization.columnMaxima(rewards)
                    maxima = batch
                    idealPoint = componentwiseMaximum(state.trackedIdealPoint(beforeStep: step), batch)
                }
                output = try TchebycheffScalarization.scalarize(
                    rewards, weights: scalarization.weights, idealPoint: idealPoint ?? [],
                    smoothing: settings.smoothing, multiplier: scalarization.metaReward)
            } else {
                output = try Scalarization.scalarize(
                    weighted, weights: scalarization.weights, multiplier: scalarization.metaReward)
            }
            let means = columnMeans(rewards)
            let summary = try ScalarizeSummary(
                step: step, count: rewards.count, objectiveMeans: means,
                objectiveStandardDeviations: columnStandardDeviations(rewards, means: means),
                meanScalarized: mean(output), weights: scalarization.weights.values,
                metaReward: scalarization.metaReward, objectiveMaxima: maxima)
            return ScalarizeResult(
                rewards: output, scalarization: scalarization, summary: summary, idealPoint: idealPoint)
        } catch let error where error.field == "rewards" && error.row != nil {
            // A row whose weighted sum overflows: name the row's first value in the row-major batch, as the
            // request does (`rewards.values[i]`), not the batch as a whole.
            let row = error.row ?? 0
            throw PolicyError(
                .invalidArgument,
                wrapping: ValidationError(
                    code: error.code, field: "rewards.values[\(row * k)]", row: row, column: nil,
                    reason: "the scalarised reward of response \(row) (rewards.values[\(row * k)] to "
                        + "[\(row * k + k - 1)]) overflows: "
                        + (self.config.scalarization.usesIdealPoint
                            ? "r_pareto·max_k w_k·(z*_k − r_k) with r_pareto = \(scalarization.metaReward)"
                            : "r_pareto·(w·r) = \(scalarization.metaReward)·(w·r)") + " is not finite"))
        } catch {
            throw PolicyError(.invalidArgument, wrapping: error)
        }
    }

    /// Records a Scalarize summary: only ``RunState/scalarizedThroughStep`` and
    /// ``RunState/latestScalarizeSummary`` change. Never refused for its step.
    func recordScalarizeSummary(_ summary: ScalarizeSummary, in state: inout RunState) throws(PolicyError) {
        let k = self.config.dimension
        guard summary.objectiveMeans.count == k else {
            let error = ValidationError(
                code: .dimensionMismatch, field: "objective_means",
                reason: "has \(summary.objectiveMeans.count) values but run "
                    + "\(quoted(self.config.runID)) has K = \(k)")
            throw PolicyError(.invalidArgument, wrapping: error)
        }
        if let maxima = summary.objectiveMaxima {
            guard maxima.count == k else {
                let error = ValidationError(
                    code: .dimensionMismatch, field: "objective_maxima",
                    reason: "has \(maxima.count) values but run \(quoted(self.config.runID)) has K = \(k)")
                throw PolicyError(.invalidArgument, wrapping: error)
            }
            state.trackIdealPoint(maxima, atStep: summary.step)
        }
        if summary.step >= (state.scalarizedThroughStep ?? Int.min) {
            state.scalarizedThroughStep = summary.step
            state.latestScalarizeSummary = summary
        }
    }
}

/// The mean of each column (``mean(_:)`` of the column).
private func columnMeans(_ matrix: ObjectiveMatrix) -> [Double] {
    (0..<matrix.dimension).map { j in mean((0..<matrix.count).lazy.map { matrix[$0, j] }) }
}

/// The population standard deviation of each column about its mean (``standardDeviation(_:mean:)``).
private func columnStandardDeviations(_ matrix: ObjectiveMatrix, means: [Double]) -> [Double] {
    (0..<matrix.dimension).map { j in
        standardDeviation((0..<matrix.count).lazy.map { matrix[$0, j] }, mean: means[j])
    }
}

/// `√(Σ (x − mean)² / n)`, two-pass. When a square or the sum overflows (finite values beyond about
/// ±1.3e154), the same with every deviation divided by the largest one first, which stays finite: the
/// standard deviation of finite values is at most their largest deviation.
private func standardDeviation(_ values: some Collection<Double>, mean: Double) -> Double {
    let n = Double(values.count)
    let direct = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n).squareRoot()
    if direct.isFinite { return direct }
    // x − mean itself overflows only when values of both signs are near the largest Double; halve first.
    let deviations = values.map { $0 / 2 - mean / 2 }
    let scale = deviations.reduce(0) { Swift.max($0, abs($1)) }
    guard scale > 0 else { return 0 }
    let scaled = (deviations.reduce(0) { $0 + ($1 / scale) * ($1 / scale) } / n).squareRoot()
    return Swift.min(2 * scale * scaled, .greatestFiniteMagnitude)
}

/// `Σ x / n`; when the sum overflows (finite values near ±1.8e308), the running mean
/// `m ← m + (x − m)/i` instead, which stays finite.
private func mean(_ values: some Collection<Double>) -> Double {
    let n = Double(values.count)
    let sum = values.reduce(0, +)
    if sum.isFinite { return sum / n }
    var result = 0.0
    for (i, value) in values.enumerated() { result += (value - result) / Double(i + 1) }
    return result
}
