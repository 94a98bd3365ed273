/// One entry of a run's event log: a report the run applied, or a change in the run's life (created,
/// resumed, archived). A run's state is the fold of its events over the initial state
/// (``WeightingPolicy/replay(_:)``); the life-cycle entries fold to no change.
///
/// JSON: `{"kind": "gradients", "payload": {…}}` with the payload of ``GradientReport``,
/// ``CheckpointReport``, ``ScalarizeSummary``, ``RunCreation``, ``RunResumption`` or ``RunArchival``.
public enum RunEvent: Codable, Hashable, Sendable {
    /// A gradient report (`ReportGradients`): may update the weights (gradient method only).
    case gradients(GradientReport)
    /// A checkpoint report (`ReportCheckpoint`): a reference point, a Pareto-buffer candidate and, for the
    /// hypervolume method, a new `r_pareto`.
    case checkpoint(CheckpointReport)
    /// A Scalarize call's summary: recorded, never changes weights or `r_pareto`.
    case scalarizeSummary(ScalarizeSummary)
    /// `CreateRun` created the run: the log's first entry, step 0.
    case created(RunCreation)
    /// `ResumeRun` rewound the run (step = the resume's `from_step`).
    case resumed(RunResumption)
    /// `ArchiveRun` archived the run: the log's last entry.
    case archived(RunArchival)

    /// The kind of an event, as stored next to it (the store's `kind` column).
    public enum Kind: String, Codable, CaseIterable, Hashable, Sendable {
        /// ``RunEvent/gradients(_:)``.
        case gradients
        /// ``RunEvent/checkpoint(_:)``.
        case checkpoint
        /// ``RunEvent/scalarizeSummary(_:)``.
        case scalarizeSummary = "scalarize_summary"
        /// ``RunEvent/created(_:)``.
        case created
        /// ``RunEvent/resumed(_:)``.
        case resumed
        /// ``RunEvent/archived(_:)``.
        case archived

        /// The kinds of the trainer's reports, in the order of their calls: the ones that change a run's state.
        public static let reports: [Kind] = [.scalarizeSummary, .gradients, .checkpoint]

        /// Whether a run's log holds at most one non-superseded event of this kind per step: gradient and
        /// checkpoint reports (their idempotency key is `(run_id, kind, step)`). A step may have several
        /// Scalarize summaries, and a run may be resumed to the same step more than once.
        public var isUniquePerStep: Bool { self == .gradients || self == .checkpoint }
    }

    /// The event's kind.
    public var kind: Kind {
        switch self {
        case .gradients: .gradients
        case .checkpoint: .checkpoint
        case .scalarizeSummary: .scalarizeSummary
        case .created: .created
        case .resumed: .resumed
        case .archived: .archived
        }
    }

    /// The trainer step the event belongs to.
    public var step: Int {
        switch self {
        case .gradients(let report): report.step
        case .checkpoint(let report): report.step
        case .scalarizeSummary(let summary): summary.step
        case .created(let creation): creation.step
        case .resumed(let resumption): resumption.step
        case .archived(let archival): archival.step
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
        case .created: self = .created(try container.decode(RunCreation.self, forKey: .payload))
        case .resumed: self = .resumed(try container.decode(RunResumption.self, forKey: .payload))
        case .archived: self = .archived(try container.decode(RunArchival.self, forKey: .payload))
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
        case .created(let creation): try container.encode(creation, forKey: .payload)
        case .resumed(let resumption): try container.encode(resumption, forKey: .payload)
        case .archived(let archival): try container.encode(archival, forKey: .payload)
        }
    }

    /// The decision of a life-cycle event or a Scalarize summary, which is the recorded value itself; `nil`
    /// for gradient and checkpoint reports, whose decision the policy computes.
    public var recordedDecision: Decision? {
        switch self {
        case .gradients, .checkpoint: nil
        case .scalarizeSummary(let summary): .scalarizeSummary(summary)
        case .created(let creation): .created(creation)
        case .resumed(let resumption): .resumed(resumption)
        case .archived(let archival): .archived(archival)
        }
    }
}
