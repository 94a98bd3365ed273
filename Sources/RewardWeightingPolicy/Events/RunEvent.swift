/// One entry of a run's event log: a report the run applied. A run's state is the fold of its events over
/// the initial state (``WeightingPolicy/replay(_:)``).
///
/// JSON: `{"kind": "gradients", "payload": {…}}` with the payload of ``GradientReport``,
/// ``CheckpointReport`` or ``ScalarizeSummary``.
public enum RunEvent: Codable, Hashable, Sendable {
    /// A gradient report (`ReportGradients`): may update the weights (gradient method only).
    case gradients(GradientReport)
    /// A checkpoint report (`ReportCheckpoint`): a reference point, a Pareto-buffer candidate and, for the
    /// hypervolume method, a new `r_pareto`.
    case checkpoint(CheckpointReport)
    /// A Scalarize call's summary: recorded, never changes weights or `r_pareto`.
    case scalarizeSummary(ScalarizeSummary)

    /// The kind of an event, as stored next to it (the store's `kind` column).
    public enum Kind: String, Codable, CaseIterable, Hashable, Sendable {
        /// ``RunEvent/gradients(_:)``.
        case gradients
        /// ``RunEvent/checkpoint(_:)``.
        case checkpoint
        /// ``RunEvent/scalarizeSummary(_:)``.
        case scalarizeSummary = "scalarize_summary"
    }

    /// The event's kind.
    public var kind: Kind {
        switch self {
        case .gradients: .gradients
        case .checkpoint: .checkpoint
        case .scalarizeSummary: .scalarizeSummary
        }
    }

    /// The trainer step the event belongs to.
    public var step: Int {
        switch self {
        case .gradients(let report): report.step
        case .checkpoint(let report): report.step
        case .scalarizeSummary(let summary): summary.step
        }
    }

    private enum CodingKeys: String, CodingKey {
        case kind
        case payload
    }

    /// Decodes an event; the payload is validated by its type.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(Kind.self, forKey: .kind) {
        case .gradients: self = .gradients(try container.decode(GradientReport.self, forKey: .payload))
        case .checkpoint: self = .checkpoint(try container.decode(CheckpointReport.self, forKey: .payload))
        case .scalarizeSummary:
            self = .scalarizeSummary(try container.decode(ScalarizeSummary.self, forKey: .payload))
        }
    }

    /// Encodes the event as `{"kind": …, "payload": …}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.kind, forKey: .kind)
        switch self {
        case .gradients(let report): try container.encode(report, forKey: .payload)
        case .checkpoint(let report): try container.encode(report, forKey: .payload)
        case .scalarizeSummary(let summary): try container.encode(summary, forKey: .payload)
        }
    }
}
