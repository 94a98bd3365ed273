import Foundation
import RewardWeightingPolicy

/// A run's `runs` row as stored: its configuration, its last state snapshot and the events logged after it,
/// the optimistic-concurrency version, its status and how many events its log holds.
///
/// A store does not fold events: the run's current state is ``stateSnapshot`` with ``pendingEvents`` applied
/// in order, which the service computes (`RunReplay` in `RewardWeightingService`). A store may write the
/// snapshot only every few events (``StateSnapshotPolicy``); the pending events are then the ones after it.
public struct StoredRun: Hashable, Sendable {
    /// The configuration the run was created with.
    public let config: RunConfig
    /// The tenant that owns the run (``RunStoreDefaults/tenant`` until tenants are configured).
    public let tenant: String
    /// The last state snapshot written: the fold of the non-superseded events up to ``snapshotSequence``.
    public let stateSnapshot: RunState
    /// The sequence number of the last event the snapshot reflects (0 before any event).
    public let snapshotSequence: Int
    /// The non-superseded events after ``snapshotSequence``, in log order: what the snapshot does not reflect
    /// yet.
    public let pendingEvents: [StoredEvent]
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

    /// Creates a stored run.
    public init(
        config: RunConfig, tenant: String, stateSnapshot: RunState, snapshotSequence: Int,
        pendingEvents: [StoredEvent], version: Int, status: RunStatus, eventCount: Int, supersededEventCount: Int,
        createdAt: Date, updatedAt: Date
    ) {
        self.config = config
        self.tenant = tenant
        self.stateSnapshot = stateSnapshot
        self.snapshotSequence = snapshotSequence
        self.pendingEvents = pendingEvents
        self.version = version
        self.status = status
        self.eventCount = eventCount
        self.supersededEventCount = supersededEventCount
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The run's id.
    public var runID: String { self.config.runID }
    /// The run's key: its tenant and id.
    public var key: RunKey { RunKey(tenant: self.tenant, runID: self.runID) }
}
