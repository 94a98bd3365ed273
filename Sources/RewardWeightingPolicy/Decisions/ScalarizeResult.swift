import RewardWeightingCore

/// The answer to a Scalarize call (``WeightingPolicy/scalarize(_:groupIDs:atStep:in:)``).
public struct ScalarizeResult: Hashable, Sendable {
    /// The scalarised rewards `r_pareto·Σ_k w_k·r_ik` (`r̂` instead of `r` with group normalisation), or the
    /// Tchebycheff rewards (``RunConfig/scalarization``), one per response.
    public let rewards: [Double]
    /// The weights and meta-reward used. ``StepScalarization/metaReward`` is never below 0.5, so a trainer
    /// can divide it out and apply it after its own advantage normalisation instead.
    public let scalarization: StepScalarization
    /// The summary to record with ``RunEvent/scalarizeSummary(_:)`` (for dashboards; optional).
    public let summary: ScalarizeSummary
    /// The ideal point `z*` a Tchebycheff scalarisation measured the rewards against (declared, or tracked and
    /// including this batch); `nil` for the weighted sum.
    public let idealPoint: [Double]?

    /// A result (``idealPoint`` `nil` for the weighted sum).
    public init(
        rewards: [Double], scalarization: StepScalarization, summary: ScalarizeSummary, idealPoint: [Double]? = nil
    ) {
        self.rewards = rewards
        self.scalarization = scalarization
        self.summary = summary
        self.idealPoint = idealPoint
    }
}
