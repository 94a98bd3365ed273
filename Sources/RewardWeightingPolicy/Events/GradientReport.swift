import RewardWeightingCore

/// A trainer's gradient report for one step (`ReportGradients`): the K×K Gram matrix of its per-objective
/// policy gradients and, optionally, the learning rate it used.
///
/// A trainer that sends the K projected gradient vectors instead has them turned into the Gram matrix at the
/// edge (``GramMatrix/init(gradients:field:)``); only the K×K matrix is recorded in the event log.
///
/// **Steps are the trainer's 1-based global steps** (verl's `global_steps`; TRL's `global_step + 1` while the
/// step is being computed): `η_t = η·λ(t − 1)` needs them, so step 0 is refused.
///
/// JSON: `{"step": 12, "gram": [[0.2, 0.01], [0.01, 0.3]], "learning_rate": 9.9e-7}` (`learning_rate` optional).
public struct GradientReport: Codable, Hashable, Sendable {
    /// The trainer's global step `t ≥ 1`.
    public let step: Int
    /// `G_ij = ⟨∇J_i, ∇J_j⟩`; only its row sums `I = G·1` are used.
    public let gram: GramMatrix
    /// The learning rate `η_t` the trainer used at this step, or `nil` to have it computed from the run's
    /// schedule.
    public let learningRate: Double?

    /// Validates a report. K is checked against the run by ``WeightingPolicy``.
    /// - Throws: ``ValidationError``: `outOfRange` (field `step`) for `step < 1`; `nonFinite` or `outOfRange`
    ///   (field `learning_rate`) for a rate that is not finite and non-negative.
    public init(step: Int, gram: GramMatrix, learningRate: Double? = nil) throws(ValidationError) {
        guard step >= 1 else {
            throw ValidationError(
                code: .outOfRange, field: "step",
                reason: "is \(step); gradient reports use the trainer's 1-based global step")
        }
        if let learningRate {
            guard learningRate.isFinite else {
                throw ValidationError(
                    code: .nonFinite, field: "learning_rate",
                    reason: "is \(learningRate); it must be finite")
            }
            guard learningRate >= 0 else {
                throw ValidationError(
                    code: .outOfRange, field: "learning_rate",
                    reason: "is \(learningRate); it must be non-negative")
            }
        }
        self.step = step
        self.gram = gram
        self.learningRate = learningRate
    }

    private enum CodingKeys: String, CodingKey {
        case step
        case gram
        case learningRate = "learning_rate"
    }

    /// Decodes and validates a report; `gram` is a list of K rows.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            step: try container.decode(Int.self, forKey: .step),
            gram: try GramMatrix(rows: try container.decode([[Double]].self, forKey: .gram), field: "gram"),
            learningRate: try container.decodeIfPresent(Double.self, forKey: .learningRate))
    }

    /// Encodes the report, `gram` as K rows.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.step, forKey: .step)
        let k = self.gram.dimension
        let rows = (0..<k).map { i in Array(self.gram.entries[(i * k)..<((i + 1) * k)]) }
        try container.encode(rows, forKey: .gram)
        try container.encodeIfPresent(self.learningRate, forKey: .learningRate)
    }
}
