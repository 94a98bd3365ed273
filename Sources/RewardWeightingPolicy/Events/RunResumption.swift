import RewardWeightingCore

/// A rewind recorded in a run's log (`ResumeRun`): the trainer restarted from its checkpoint of
/// ``fromStep``, every event before this one with a larger step was marked superseded, and the state became
/// the fold of the rest. Folding it changes nothing: the superseded events are what no longer count.
///
/// Recorded only when the rewind superseded something; a `ResumeRun` with nothing to supersede records
/// nothing.
///
/// JSON: `{"from_step": 40, "superseded_events": 12, "weights": [0.5, 0.25, 0.25], "meta_reward": 1.0}`.
public struct RunResumption: Codable, Hashable, Sendable {
    /// The step the run was rewound to, `≥ 0`: the event's step.
    public let fromStep: Int
    /// How many events this rewind marked superseded, `≥ 1`.
    public let supersededEvents: Int
    /// The weights after the rewind (K values summing to 1).
    public let weights: [Double]
    /// The meta-reward `r_pareto` after the rewind.
    public let metaReward: Double

    /// Validates a rewind record.
    /// - Throws: ``ValidationError``: `outOfRange` for `fromStep < 0` (field `from_step`) or
    ///   `supersededEvents < 1` (field `superseded_events`); the ``WeightVector`` errors for `weights`;
    ///   `nonFinite`/`outOfRange` for `meta_reward` (finite and positive).
    public init(fromStep: Int, supersededEvents: Int, weights: [Double], metaReward: Double) throws(ValidationError) {
        guard fromStep >= 0 else {
            throw ValidationError(
                code: .outOfRange, field: "from_step", reason: "is \(fromStep); it must be at least 0")
        }
        guard supersededEvents >= 1 else {
            throw ValidationError(
                code: .outOfRange, field: "superseded_events",
                reason: "is \(supersededEvents); a recorded rewind supersedes at least 1 event")
        }
        _ = try WeightVector(weights, field: "weights")
        guard metaReward.isFinite, metaReward > 0 else {
            throw ValidationError(
                code: metaReward.isFinite ? .outOfRange : .nonFinite, field: "meta_reward",
                reason: "is \(metaReward); it must be finite and positive")
        }
        self.fromStep = fromStep
        self.supersededEvents = supersededEvents
        self.weights = weights
        self.metaReward = metaReward
    }

    /// The trainer step the event names: ``fromStep``.
    public var step: Int { self.fromStep }

    private enum CodingKeys: String, CodingKey {
        case fromStep = "from_step"
        case supersededEvents = "superseded_events"
        case weights
        case metaReward = "meta_reward"
    }

    /// Decodes and validates a rewind record.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            fromStep: try container.decode(Int.self, forKey: .fromStep),
            supersededEvents: try container.decode(Int.self, forKey: .supersededEvents),
            weights: try container.decode([Double].self, forKey: .weights),
            metaReward: try container.decode(Double.self, forKey: .metaReward))
    }
}
