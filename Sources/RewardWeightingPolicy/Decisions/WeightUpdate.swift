/// One mirror-descent update of a gradient run, as kept in ``RunState/weightHistory``:
///
///     w ← softmax(log w + τ·Ī),   τ = η_t/μ,
///
/// where `Ī` is the mean influence of the reports accumulated since the previous update.
///
/// The new weights scalarise the rewards of steps `≥` ``step`` (the update's own step included, as in the
/// reference code), until the next update.
public struct WeightUpdate: Codable, Hashable, Sendable {
    /// The step `t` of the report that triggered the update (`t % W == 0`).
    public let step: Int
    /// The weights after the update, exactly as the update produced them.
    public let weights: [Double]
    /// `Ī`, the mean of the accumulated influences `I = G·1`.
    public let influence: [Double]
    /// `η_t`, the learning rate at ``step`` (reported by the trainer or computed from the schedule).
    public let learningRate: Double
    /// `τ = η_t/μ`.
    public let stepSize: Double
    /// How many reports were averaged into ``influence`` (W when the trainer reported every step).
    public let accumulatedSteps: Int

    private enum CodingKeys: String, CodingKey {
        case step
        case weights
        case influence
        case learningRate = "learning_rate"
        case stepSize = "step_size"
        case accumulatedSteps = "accumulated_steps"
    }
}
