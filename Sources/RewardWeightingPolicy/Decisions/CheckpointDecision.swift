/// What a checkpoint report did (``WeightingPolicy/apply(_:to:)``), as kept in ``RunState/checkpoints``.
///
/// The first checkpoint of a run whose config gives no reference point becomes the reference point: its
/// ``deltaHypervolume`` is 0, it does not enter the buffer, and ``metaReward`` stays 1 (the reference code's
/// `meta_reward = 1` for the first step). Every later checkpoint `v` gets
/// `ΔHV = max(0, HV(B ∪ {v}) − HV(B))` against the buffer `B` and the reference point, enters `B` iff
/// `ΔHV > 0`, and — for the hypervolume method — sets `r_pareto = f(ΔHV)` for the steps after it. Runs of
/// the other methods track the buffer the same way (for dashboards) but keep `r_pareto = 1`.
public struct CheckpointDecision: Codable, Hashable, Sendable {
    /// The checkpoint's step `s`.
    public let step: Int
    /// The scores as reported (objectives' own units and directions).
    public let scores: [Double]
    /// The scores in the maximisation convention (minimised objectives negated), as compared with the buffer.
    public let point: [Double]
    /// `ΔHV ≥ 0`, the hypervolume the point adds to the buffer (0 for the reference checkpoint).
    public let deltaHypervolume: Double
    /// `r_pareto` for the Scalarize calls of steps `> s` (until the next checkpoint): `f(ΔHV)` for the
    /// hypervolume method, 1 for the reference checkpoint and for the other methods.
    public let metaReward: Double
    /// Whether the point entered the Pareto buffer (`ΔHV > 0`).
    public let enteredBuffer: Bool
    /// Whether the point became the hypervolume reference point (the run's first checkpoint, when the config
    /// gives no reference point).
    public let becameReference: Bool
    /// The buffer's size after this checkpoint.
    public let bufferSize: Int
    /// Whether a Scalarize call for a step `> s` had already been recorded when this report arrived (those
    /// steps were scalarised with the previous `r_pareto`, as their summaries show). Always `false` outside
    /// the hypervolume method.
    public let isLate: Bool
    /// The ΔHV the meta-reward saw, under the run's ``HypervolumeScale`` other than raw; `nil` under the raw
    /// scale (where it is ``deltaHypervolume``).
    public var scaledDeltaHypervolume: Double? = nil

    private enum CodingKeys: String, CodingKey {
        case step
        case scores
        case point
        case deltaHypervolume = "delta_hypervolume"
        case metaReward = "meta_reward"
        case enteredBuffer = "entered_buffer"
        case becameReference = "became_reference"
        case bufferSize = "buffer_size"
        case isLate = "is_late"
        case scaledDeltaHypervolume = "scaled_delta_hypervolume"
    }
}
