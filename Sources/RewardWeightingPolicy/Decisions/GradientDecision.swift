/// What a gradient report did (``WeightingPolicy/apply(_:to:)``).
///
/// Every report adds its influence `I = G·1` to the run's accumulator; the report of a step `t` with
/// `t % W == 0` also averages the accumulated influences and updates the weights (``update``).
public struct GradientDecision: Codable, Hashable, Sendable {
    /// The report's step `t`.
    public let step: Int
    /// `η_t`: the rate the trainer reported, or `η·λ(t − 1)` from the run's schedule.
    public let learningRate: Double
    /// Whether ``learningRate`` came from the report (rather than the schedule).
    public let learningRateReported: Bool
    /// This report's influence `I = G·1` (row sums, diagonal included).
    public let influence: [Double]
    /// How many reports are accumulated after this one; 0 after an update.
    public let pendingSteps: Int
    /// The update this report triggered, or `nil` while accumulating.
    public let update: WeightUpdate?
    /// The weights in effect for Scalarize calls of steps `≥ t`.
    public let weights: [Double]
    /// Whether the report triggered an update although a Scalarize call for a step `≥ t` had already been
    /// recorded (those steps were scalarised with the previous weights, as their summaries show).
    public let isLate: Bool

    /// Whether the report updated the weights.
    public var updated: Bool { self.update != nil }

    private enum CodingKeys: String, CodingKey {
        case step
        case learningRate = "learning_rate"
        case learningRateReported = "learning_rate_reported"
        case influence
        case pendingSteps = "pending_steps"
        case update
        case weights
        case isLate = "is_late"
    }
}
