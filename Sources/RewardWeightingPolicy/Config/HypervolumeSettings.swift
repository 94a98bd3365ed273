import RewardWeightingCore

/// The settings of the hypervolume method (§4 of the paper, Alg. 1).
///
/// JSON (the `hypervolume` object of a ``RunConfig``):
/// `{"meta_reward": "tanh", "reference_point": [0.5, 800, 0.3], "scale": "reference_box",
/// "objective_ranges": [1, 2000, 1]}`; every key is optional.
public struct HypervolumeSettings: Codable, Hashable, Sendable {
    /// The function `r_pareto = f(ΔHV)` (default ``MetaReward/tanh``: `0.5 + 1.5·tanh(ΔHV)`).
    public let metaReward: MetaReward
    /// The hypervolume reference point, in the units and directions of the checkpoint scores (a minimised
    /// objective's value as reported, not negated), or `nil`: then the run's first checkpoint report (the
    /// initial model's validation means, as in the reference code) becomes the reference point.
    public let referencePoint: [Double]?
    /// How ΔHV is measured before the meta-reward (default ``HypervolumeScale/raw``, the paper's).
    public let scale: HypervolumeScale

    /// Validates the settings. The reference point's length is checked against K by ``RunConfig``.
    /// - Throws: ``ValidationError`` with field `hypervolume.reference_point` (`empty`, `nonFinite`), or those of
    ///   ``HypervolumeScale/init(name:ranges:)`` for a `scale` built directly with bad ranges.
    public init(
        metaReward: MetaReward = .default, referencePoint: [Double]? = nil, scale: HypervolumeScale = .raw
    ) throws(ValidationError) {
        if let referencePoint {
            _ = try ObjectiveVector(referencePoint, field: "hypervolume.reference_point")
        }
        _ = try HypervolumeScale(name: scale.name.rawValue, ranges: scale.ranges)
        self.metaReward = metaReward
        self.referencePoint = referencePoint
        self.scale = scale
    }

    private enum CodingKeys: String, CodingKey {
        case metaReward = "meta_reward"
        case referencePoint = "reference_point"
        case scale
        case objectiveRanges = "objective_ranges"
    }

    /// Decodes and validates the settings; a missing `meta_reward` is ``MetaReward/tanh``.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        var metaReward = MetaReward.default
        if let name = try container.decodeIfPresent(String.self, forKey: .metaReward) {
            do throws(ValidationError) {
                metaReward = try MetaReward(name: name)
            } catch {
                throw error.renamed(to: "hypervolume.meta_reward")
            }
        }
        let scale = try HypervolumeScale(
            name: try container.decodeIfPresent(String.self, forKey: .scale) ?? HypervolumeScale.Name.raw.rawValue,
            ranges: try container.decodeIfPresent([Double].self, forKey: .objectiveRanges))
        try self.init(
            metaReward: metaReward,
            referencePoint: try container.decodeIfPresent([Double].self, forKey: .referencePoint), scale: scale)
    }

    /// Encodes the settings (`reference_point` only when set).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.metaReward, forKey: .metaReward)
        try container.encodeIfPresent(self.referencePoint, forKey: .referencePoint)
        // The raw scale is not written, so configs encoded before scales existed are unchanged.
        if self.scale != .raw { try container.encode(self.scale.name.rawValue, forKey: .scale) }
        try container.encodeIfPresent(self.scale.ranges, forKey: .objectiveRanges)
    }
}
