import RewardWeightingCore

/// What Scalarize does to the per-response rewards before weighting them.
///
/// | case | JSON | rewards that are weighted |
/// |---|---|---|
/// | ``disabled`` (default) | `none` | as sent: `r_ik` (the paper's and the reference code's behaviour) |
/// | ``group`` | `group` | `r̂_ik = (r_ik − mean_g,k)/(std_g,k + ε)` within the response's group `g` (GDPO; ``Scalarization/groupNormalized(_:groupIDs:epsilon:)``) |
public enum RewardNormalization: String, Codable, CaseIterable, Hashable, Sendable {
    /// The rewards are weighted as sent (`none`). Named `disabled` so it never reads as `Optional.none`.
    case disabled = "none"
    /// Each objective is standardised within the response's group before weighting (`group`); Scalarize then
    /// needs one group id per response.
    case group

    /// Parses `none` or `group` (ignoring case).
    /// - Throws: ``ValidationError`` with code `unknownName` and field `normalization`.
    public init(name: String) throws(ValidationError) {
        guard let value = RewardNormalization(rawValue: name.lowercased()) else {
            throw ValidationError(
                code: .unknownName, field: "normalization",
                reason: "unknown normalization \(quoted(name)); expected 'none' or 'group'")
        }
        self = value
    }
}
