import Foundation
import RewardWeightingPolicy
import RewardWeightingStore

/// One event of `GET /v1/runs/{id}/events`: the `WatchRun` event as JSON.
///
///     {"sequence": 7, "step": 3, "kind": "gradients", "superseded": false, "recorded_at": "…",
///      "decision": {"step": 3, "learning_rate": 1e-6, "influence": […], "weights": […], …}}
///
/// `kind` is one of `created`, `scalarize`, `gradients`, `checkpoint`, `resumed`, `archived` (the proto's
/// `EventKind` names); `decision` is the decision as the store records it.
struct EventDocument: Encodable {
    let sequence: Int
    let step: Int
    let kind: String
    let superseded: Bool
    let recordedAt: Date
    let decision: Decision

    init(_ stored: StoredEvent) {
        self.sequence = stored.sequence
        self.step = stored.step
        self.kind = Self.name(of: stored.kind)
        self.superseded = stored.isSuperseded
        self.recordedAt = stored.createdAt
        self.decision = stored.decision
    }

    /// The proto's name of an event kind.
    static func name(of kind: RunEvent.Kind) -> String {
        kind == .scalarizeSummary ? "scalarize" : kind.rawValue
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.sequence, forKey: .sequence)
        try container.encode(self.step, forKey: .step)
        try container.encode(self.kind, forKey: .kind)
        try container.encode(self.superseded, forKey: .superseded)
        try container.encode(self.recordedAt, forKey: .recordedAt)
        try container.encode(self.decision.payload, forKey: .decision)
    }

    private enum CodingKeys: String, CodingKey {
        case sequence, step, kind, superseded, decision
        case recordedAt = "recorded_at"
    }
}

/// `GET /v1/runs/{id}/events`: a page of the log and where the next page starts (`null` when this one
/// reached the end of the log as it was).
struct EventPageDocument: Encodable {
    let runID: String
    let events: [EventDocument]
    let nextFromSequence: Int?

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.runID, forKey: .runID)
        try container.encode(self.events, forKey: .events)
        try container.encode(self.nextFromSequence, forKey: .nextFromSequence)
    }

    private enum CodingKeys: String, CodingKey {
        case runID = "run_id"
        case events
        case nextFromSequence = "next_from_sequence"
    }
}
