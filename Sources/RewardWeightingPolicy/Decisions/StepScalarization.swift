import RewardWeightingCore

/// The weights and the meta-reward that scalarise the rewards of one step (``RunState/scalarization(atStep:)``):
/// Scalarize returns `r_pareto·(w·r)` with these.
public struct StepScalarization: Hashable, Sendable {
    /// The step they are for.
    public let step: Int
    /// `w`: the weights of the latest update at a step `≤` ``step``, or the initial weights.
    public let weights: WeightVector
    /// The step of the update that produced ``weights``, or `nil` for the initial weights.
    public let weightsStep: Int?
    /// `r_pareto`: the meta-reward of the latest checkpoint at a step `<` ``step``, or 1 before any.
    public let metaReward: Double
    /// The step of the checkpoint that set ``metaReward``, or `nil` when there is none before ``step``.
    public let metaRewardStep: Int?
}
