import RewardWeightingCore

/// The settings of the hypervolume method (§4 of the paper, Alg. 1).
///
/// JSON (the `hypervolume` object of a ``RunConfig``):
/// `{"meta_reward": "tanh", "reference_point": [0.5, 800, 0.3]}`; both keys are optional.
public struct HypervolumeSettings: Codable, Hashable, Sendable {
    /// The function `r_pareto = f(ΔHV)` (default ``MetaReward/tanh``: `0.5 + 1.5·tanh(ΔHV)`).
    public let metaReward: MetaReward
    /// The hypervolume reference point, in the units and directions of the checkpoint scores (a minimised
    /// objective's value as reported, not negated), or `nil`: then the run's first checkpoint report (the
    /// initial model's validation means, as in the reference code) becomes the reference point.
    public let referencePoint: [Double]?

    /// Validates the settings. The reference point's length is checked against K by ``RunConfig``.
    /// - Throws: ``ValidationError`` with field `hypervolume.reference_point` (`empty`, `nonFinite`).
    public init(metaReward: MetaReward = .default, referencePoint: [Double]? = nil) throws(ValidationError) {
        if let referencePoint {
            _ = try ObjectiveVector(referencePoint, field: "hypervolume.reference_point")
        }
        self.metaReward = metaReward
        self.referencePoint = referencePoint
    }

    private enum CodingKeys: String, CodingKey {
        case metaReward = "meta_reward"
        case referencePoint = "reference_point"
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
        try self.init(
            metaReward: metaReward,
            referencePoint: try container.decodeIfPresent([Double].self, forKey: .referencePoint))
    }

    /// Encodes the settings (`reference_point` only when set).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.metaReward, forKey: .metaReward)
        try container.encodeIfPresent(self.referencePoint, forKey: .referencePoint)
    }
}
