import RewardWeightingCore

/// The answer to a Scalarize call (``WeightingPolicy/scalarize(_:groupIDs:atStep:in:)``).
public struct ScalarizeResult: Hashable, Sendable {
    /// The scalarised rewards `r_pareto·Σ_k w_k·r_ik` (`r̂` instead of `r` with group normalisation), one per
    /// response.
    public let rewards: [Double]
    /// The weights and meta-reward used. ``StepScalarization/metaReward`` is never below 0.5, so a trainer
    /// can divide it out and apply it after its own advantage normalisation instead.
    public let scalarization: StepScalarization
    /// The summary to record with ``RunEvent/scalarizeSummary(_:)`` (for dashboards; optional).
    public let summary: ScalarizeSummary
}
