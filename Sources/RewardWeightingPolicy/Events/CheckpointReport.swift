import RewardWeightingCore

/// A trainer's checkpoint report (`ReportCheckpoint`): the K per-objective validation scores of the model
/// after a step, in the objectives' own units and directions (mean accuracy, mean response length, mean
/// clarity — not negated).
///
/// **Steps** are the trainer's global steps, `≥ 0`: the report after step `s` carries `s`, and the initial
/// model's validation (the reference code's reference point) is step 0.
///
/// JSON: `{"step": 12, "scores": [0.52, 780, 0.32]}`.
public struct CheckpointReport: Codable, Hashable, Sendable {
    /// The step after which the scores were measured, `≥ 0`.
    public let step: Int
    /// The K validation scores, finite.
    public let scores: [Double]

    /// Validates a report. K is checked against the run by ``WeightingPolicy``.
    /// - Throws: ``ValidationError``: `outOfRange` (field `step`) for `step < 0`; `empty` or `nonFinite`
    ///   (field `scores`, naming the objective).
    public init(step: Int, scores: [Double]) throws(ValidationError) {
        guard step >= 0 else {
            throw ValidationError(
                code: .outOfRange, field: "step", reason: "is \(step); it must be at least 0")
        }
        _ = try ObjectiveVector(scores, field: "scores")
        self.step = step
        self.scores = scores
    }

    private enum CodingKeys: String, CodingKey {
        case step
        case scores
    }

    /// Decodes and validates a report.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            step: try container.decode(Int.self, forKey: .step),
            scores: try container.decode([Double].self, forKey: .scores))
    }
}
