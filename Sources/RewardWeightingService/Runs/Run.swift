import Foundation
import RewardWeightingPolicy
import RewardWeightingStore

/// A run as the service sees it: its configuration, its current state (the fold of its non-superseded
/// events), the optimistic-concurrency version, its status and how many events its log holds.
///
/// Built from a ``StoredRun`` by ``RunReplay``, and kept by the run's actor after each commit.
public struct Run: Hashable, Sendable {
    /// The configuration the run was created with.
    public let config: RunConfig
    /// The tenant that owns the run.
    public let tenant: String
    /// The current state: ``WeightingPolicy/replay(_:)`` of the non-superseded events, bit for bit.
    public let state: RunState
    /// Incremented by every write to the run (an appended event, a resume, archiving); 1 after creation.
    public let version: Int
    /// Whether the run still takes reports.
    public let status: RunStatus
    /// How many events the log holds, superseded ones included; also the highest sequence number.
    public let eventCount: Int
    /// How many of them were superseded by a resume.
    public let supersededEventCount: Int
    /// When the run was created.
    public let createdAt: Date
    /// When the run was last written.
    public let updatedAt: Date

    /// Creates a run.
    public init(
        config: RunConfig, tenant: String, state: RunState, version: Int, status: RunStatus, eventCount: Int,
        supersededEventCount: Int, createdAt: Date, updatedAt: Date
    ) {
        self.config = config
        self.tenant = tenant
        self.state = state
        self.version = version
        self.status = status
        self.eventCount = eventCount
        self.supersededEventCount = supersededEventCount
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The run's id.
    public var runID: String { self.config.runID }
    /// The run's key in the store: its tenant and id.
    public var key: RunKey { RunKey(tenant: self.tenant, runID: self.runID) }

    /// How many events of the log are in effect (not superseded).
    public var activeEventCount: Int { self.eventCount - self.supersededEventCount }
}
