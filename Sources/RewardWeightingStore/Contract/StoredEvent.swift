import Foundation
import RewardWeightingPolicy

/// One entry of a run's event log: an applied report, the decision it produced, and whether a later resume
/// superseded it.
public struct StoredEvent: Hashable, Sendable {
    /// The run the event belongs to.
    public let runID: String
    /// The event's position in the run's log, 1-based and gap-free; never reused, also after a resume.
    public let sequence: Int
    /// The report that was applied.
    public let event: RunEvent
    /// What applying it did: the reply the call got (a retry gets the same).
    public let decision: Decision
    /// SHA-256 (hex) of the event's canonical JSON (``RequestDigest``).
    public let requestDigest: String
    /// Whether a resume to an earlier step superseded the event: it stays in the log, no longer in effect.
    public let isSuperseded: Bool
    /// When the event was applied.
    public let createdAt: Date

    /// Creates a stored event.
    public init(
        runID: String, sequence: Int, event: RunEvent, decision: Decision, requestDigest: String,
        isSuperseded: Bool, createdAt: Date
    ) {
        self.runID = runID
        self.sequence = sequence
        self.event = event
        self.decision = decision
        self.requestDigest = requestDigest
        self.isSuperseded = isSuperseded
        self.createdAt = createdAt
    }

    /// The event's kind.
    public var kind: RunEvent.Kind { self.event.kind }

    /// The trainer step the event belongs to.
    public var step: Int { self.event.step }
}
