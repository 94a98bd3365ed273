import RewardWeightingCore

/// The last entry of a run's log (`ArchiveRun`): the run takes no more reports. Folding it changes nothing
/// (the status lives with the run, not in its ``RunState``).
///
/// JSON: `{"step": 360, "reason": "training finished"}`.
public struct RunArchival: Codable, Hashable, Sendable {
    /// The run's latest step of any kind when it was archived (0 for a run without reports), `≥ 0`.
    public let step: Int
    /// The reason given to `ArchiveRun`; empty when none was given.
    public let reason: String

    /// Validates an archive record.
    /// - Throws: ``ValidationError``: `outOfRange` for `step < 0` (field `step`).
    public init(step: Int, reason: String = "") throws(ValidationError) {
        guard step >= 0 else {
            throw ValidationError(code: .outOfRange, field: "step", reason: "is \(step); it must be at least 0")
        }
        self.step = step
        self.reason = reason
    }

    private enum CodingKeys: String, CodingKey {
        case step
        case reason
    }

    /// Decodes and validates an archive record.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            step: try container.decode(Int.self, forKey: .step),
            reason: try container.decode(String.self, forKey: .reason))
    }
}
