import RewardWeightingCore

/// What one Scalarize call did, recorded for dashboards: the batch size, the per-objective means and standard
/// deviations of the rewards as sent, the mean scalarised reward, and the weights and meta-reward it used.
///
/// A summary never changes weights or `r_pareto`. It is recorded so that the event log shows what each step
/// was actually scalarised with, even when a report for that step arrived after the Scalarize call (see
/// ``GradientDecision/isLate``).
///
/// **Steps** are the trainer's global steps, `≥ 0`.
///
/// JSON: `{"step": 12, "count": 512, "objective_means": [0.61, 0.4, 0.8],
/// "objective_standard_deviations": [0.2, 0.1, 0.3], "mean_scalarized": 0.58, "weights": [0.5, 0.25, 0.25],
/// "meta_reward": 1.0}` (`objective_standard_deviations` is absent from summaries recorded before it existed;
/// `objective_maxima` is present only for runs whose Tchebycheff scalarisation tracks its ideal point).
public struct ScalarizeSummary: Codable, Hashable, Sendable {
    /// The step whose rewards were scalarised, `≥ 0`.
    public let step: Int
    /// N, the number of responses in the batch, `≥ 1`.
    public let count: Int
    /// The mean of each objective's rewards over the batch, as sent (before any group normalisation).
    public let objectiveMeans: [Double]
    /// The population standard deviation `√(Σ (r − mean)² / N)` of each objective's rewards over the batch, as
    /// sent; `nil` in summaries recorded before the service recorded it.
    public let objectiveStandardDeviations: [Double]?
    /// The mean of the returned scalarised rewards `r_pareto·(w·r)`.
    public let meanScalarized: Double
    /// The weights used, K values.
    public let weights: [Double]
    /// The meta-reward `r_pareto` used (1 outside the hypervolume method).
    public let metaReward: Double
    /// The largest reward of each objective over the batch, as sent: recorded for runs that track a
    /// Tchebycheff ideal point (``RunState/trackedIdealPoint(beforeStep:)``), `nil` otherwise.
    public let objectiveMaxima: [Double]?

    /// Validates a summary. K is checked against the run by ``WeightingPolicy``.
    /// - Throws: ``ValidationError``: `outOfRange` for `step < 0` (field `step`) or `count < 1` (field
    ///   `count`); `empty`/`nonFinite` for `objective_means`; `nonFinite` for `mean_scalarized`;
    ///   `dimensionMismatch`, `nonFinite` or `outOfRange` for `objective_standard_deviations` (K values, finite,
    ///   non-negative); `dimensionMismatch`, `nonFinite` or `outOfRange` for `weights` (K values, finite,
    ///   non-negative, positive sum); `nonFinite`/`outOfRange` for `meta_reward` (finite and positive);
    ///   `dimensionMismatch`/`nonFinite` for `objective_maxima` (K finite values).
    public init(
        step: Int, count: Int, objectiveMeans: [Double], objectiveStandardDeviations: [Double]? = nil,
        meanScalarized: Double, weights: [Double], metaReward: Double, objectiveMaxima: [Double]? = nil
    ) throws(ValidationError) {
        guard step >= 0 else {
            throw ValidationError(code: .outOfRange, field: "step", reason: "is \(step); it must be at least 0")
        }
        guard count >= 1 else {
            throw ValidationError(
                code: .outOfRange, field: "count", reason: "is \(count); a batch has at least 1 response")
        }
        _ = try ObjectiveVector(objectiveMeans, field: "objective_means")
        guard meanScalarized.isFinite else {
            throw ValidationError(
                code: .nonFinite, field: "mean_scalarized",
                reason: "is \(meanScalarized); it must be finite")
        }
        if let objectiveStandardDeviations {
            guard objectiveStandardDeviations.count == objectiveMeans.count else {
                throw ValidationError(
                    code: .dimensionMismatch, field: "objective_standard_deviations",
                    reason: "has \(objectiveStandardDeviations.count) entries but objective_means has "
                        + "\(objectiveMeans.count)")
            }
            for (index, value) in objectiveStandardDeviations.enumerated() where !(value.isFinite && value >= 0) {
                throw ValidationError(
                    code: value.isFinite ? .outOfRange : .nonFinite,
                    field: "objective_standard_deviations[\(index)]",
                    reason: "is \(value); a standard deviation is finite and non-negative")
            }
        }
        guard weights.count == objectiveMeans.count else {
            throw ValidationError(
                code: .dimensionMismatch, field: "weights",
                reason: "has \(weights.count) entries but objective_means has \(objectiveMeans.count)")
        }
        _ = try WeightVector(weights, field: "weights")
        guard metaReward.isFinite, metaReward > 0 else {
            throw ValidationError(
                code: metaReward.isFinite ? .outOfRange : .nonFinite, field: "meta_reward",
                reason: "is \(metaReward); it must be finite and positive")
        }
        if let objectiveMaxima {
            guard objectiveMaxima.count == objectiveMeans.count else {
                throw ValidationError(
                    code: .dimensionMismatch, field: "objective_maxima",
                    reason: "has \(objectiveMaxima.count) entries but objective_means has \(objectiveMeans.count)")
            }
            _ = try ObjectiveVector(objectiveMaxima, field: "objective_maxima")
        }
        self.step = step
        self.count = count
        self.objectiveMeans = objectiveMeans
        self.objectiveStandardDeviations = objectiveStandardDeviations
        self.meanScalarized = meanScalarized
        self.weights = weights
        self.metaReward = metaReward
        self.objectiveMaxima = objectiveMaxima
    }

    private enum CodingKeys: String, CodingKey {
        case step
        case count
        case objectiveMeans = "objective_means"
        case objectiveStandardDeviations = "objective_standard_deviations"
        case meanScalarized = "mean_scalarized"
        case weights
        case metaReward = "meta_reward"
        case objectiveMaxima = "objective_maxima"
    }

    /// Decodes and validates a summary.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            step: try container.decode(Int.self, forKey: .step),
            count: try container.decode(Int.self, forKey: .count),
            objectiveMeans: try container.decode([Double].self, forKey: .objectiveMeans),
            objectiveStandardDeviations: try container.decodeIfPresent(
                [Double].self, forKey: .objectiveStandardDeviations),
            meanScalarized: try container.decode(Double.self, forKey: .meanScalarized),
            weights: try container.decode([Double].self, forKey: .weights),
            metaReward: try container.decode(Double.self, forKey: .metaReward),
            objectiveMaxima: try container.decodeIfPresent([Double].self, forKey: .objectiveMaxima))
    }
}
