/// What applying one event did: the reply to the call that produced the event, and what `WatchRun` streams.
///
/// JSON: `{"kind": "gradients", "payload": {…}}`, `kind` as in ``RunEvent/Kind``.
public enum Decision: Codable, Hashable, Sendable {
    /// The outcome of a gradient report.
    case gradients(GradientDecision)
    /// The outcome of a checkpoint report.
    case checkpoint(CheckpointDecision)
    /// A Scalarize summary was recorded (it changes nothing else).
    case scalarizeSummary(ScalarizeSummary)
    /// The run was created (``RunEvent/created(_:)``).
    case created(RunCreation)
    /// The run was rewound (``RunEvent/resumed(_:)``).
    case resumed(RunResumption)
    /// The run was archived (``RunEvent/archived(_:)``).
    case archived(RunArchival)

    /// The kind of the event this decision answers.
    public var kind: RunEvent.Kind {
        switch self {
        case .gradients: .gradients
        case .checkpoint: .checkpoint
        case .scalarizeSummary: .scalarizeSummary
        case .created: .created
        case .resumed: .resumed
        case .archived: .archived
        }
    }

    /// The step of the event this decision answers.
    public var step: Int {
        switch self {
        case .gradients(let decision): decision.step
        case .checkpoint(let decision): decision.step
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

    /// Decodes a decision.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(RunEvent.Kind.self, forKey: .kind) {
        case .gradients: self = .gradients(try container.decode(GradientDecision.self, forKey: .payload))
        case .checkpoint: self = .checkpoint(try container.decode(CheckpointDecision.self, forKey: .payload))
        case .scalarizeSummary:
            self = .scalarizeSummary(try container.decode(ScalarizeSummary.self, forKey: .payload))
        case .created: self = .created(try container.decode(RunCreation.self, forKey: .payload))
        case .resumed: self = .resumed(try container.decode(RunResumption.self, forKey: .payload))
        case .archived: self = .archived(try container.decode(RunArchival.self, forKey: .payload))
        }
    }

    /// Encodes the decision as `{"kind": …, "payload": …}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.kind, forKey: .kind)
        try container.encode(self.payload, forKey: .payload)
    }

    /// The decision's value without its kind: what `payload` holds in its JSON.
    public var payload: any Encodable & Sendable {
        switch self {
        case .gradients(let decision): decision
        case .checkpoint(let decision): decision
        case .scalarizeSummary(let summary): summary
        case .created(let creation): creation
        case .resumed(let resumption): resumption
        case .archived(let archival): archival
        }
    }
}
