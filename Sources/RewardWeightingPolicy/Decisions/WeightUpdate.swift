/// One weight update of a gradient run, as kept in ``RunState/recentWeightUpdates`` and
/// ``DecisionHistory/weightUpdates``: with mirror descent
///
///     w ← softmax(log w + τ·Ī),   τ = η_t/μ,
///
/// where `Ī` is the mean influence of the reports accumulated since the previous update; with a Gramian
/// update (``GradientUpdate/gramian(_:)``) `w` is the weighting's reward weights of the mean Gram matrix,
/// ``rawWeights`` its raw `α`, and ``stepSize`` is 0.
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
    /// `τ = η_t/μ` (0 for a Gramian update).
    public let stepSize: Double
    /// How many reports were averaged into ``influence`` (W when the trainer reported every step).
    public let accumulatedSteps: Int
    /// A Gramian update's raw weights `α` (``GramianWeighting/rawWeights(of:)``) of the mean Gram matrix, or
    /// `nil` for mirror descent and for a zero mean Gram matrix (the weights then stay as they were).
    public var rawWeights: [Double]? = nil
    /// Mirror descent's exact logits after the update (``ExactWeights/logits``, high parts; `w = softmax`),
    /// present only while some weight is below the smallest normal double (about 2.2e-308), where it cannot
    /// carry its own logarithm; the next update starts from them. `nil` otherwise, and in updates recorded
    /// before the service kept them.
    public var logits: [Double]? = nil
    /// The low parts of ``logits`` (``ExactWeights/residuals``), present with them.
    public var logitResiduals: [Double]? = nil

    private enum CodingKeys: String, CodingKey {
        case step
        case weights
        case influence
        case learningRate = "learning_rate"
        case stepSize = "step_size"
        case accumulatedSteps = "accumulated_steps"
        case rawWeights = "raw_weights"
        case logits
        case logitResiduals = "logit_residuals"
    }
}
