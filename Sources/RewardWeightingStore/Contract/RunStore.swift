import RewardWeightingPolicy

/// Where runs and their event logs live: a `runs` row per run holding its configuration and current state
/// snapshot, and an append-only `run_events` log. Replaying a run's non-superseded events from its config
/// reproduces its snapshot bit for bit.
///
/// A store only maps values to rows: it applies no policy and folds no events. The caller (the service's
/// `RunCoordinator`) computes the new state with ``WeightingPolicy`` and hands the store the event, the decision
/// and the new state together, and it folds a loaded run's pending events over its state snapshot
/// (``StoredRun``). The store writes them in **one transaction**, guarded by the run's ``StoredRun/version``
/// (optimistic concurrency: a write names the version it read, and fails with ``RunStoreError/Code/conflict``
/// if another writer got there first). A failed write changes nothing.
///
/// Every method throws ``RunStoreError``; an unknown run is ``RunStoreError/Code/notFound`` (field `run_id`).
///
/// Every store passes one conformance suite (`Tests/RewardWeightingStoreTests/RunStoreConformanceTests.swift`):
/// ``SQLiteRunStore``, ``InMemoryRunStore`` and `PostgresRunStore` (module RewardWeightingPostgres).
public protocol RunStore: Sendable {
    /// Creates a run of `tenant` at ``StoredRun/version`` 1 whose log holds one event, its creation
    /// (``RunEvent/created(_:)`` with the config, sequence 1, step 0), in one transaction.
    /// - Parameters:
    ///   - initialState: the state before any report (``WeightingPolicy/initialState``), the first snapshot
    ///     (at sequence 1: the creation folds to no change).
    /// - Throws: ``RunStoreError/Code/alreadyExists`` when `tenant` has a run with the config's id (whatever its
    ///   config: comparing them is the caller's business). Another tenant's run of the same id is no conflict.
    func createRun(_ config: RunConfig, tenant: String, initialState: RunState) async throws(RunStoreError)
        -> StoredRun

    /// Loads a run: config, state snapshot with the events logged after it, version, status and event counts.
    /// - Throws: ``RunStoreError/Code/notFound``; ``RunStoreError/Code/corrupt`` for a row that does not decode.
    func loadRun(_ run: RunKey) async throws(RunStoreError) -> StoredRun

    /// The run's current ``StoredRun/version`` alone, without its state or events: what a caller that holds the
    /// run in memory compares with its copy's version to know whether that copy is still the stored run.
    /// - Throws: ``RunStoreError/Code/notFound``.
    func version(of run: RunKey) async throws(RunStoreError) -> Int

    /// How many runs `tenant` has, active and archived (for the runs-per-tenant limit).
    func countRuns(tenant: String) async throws(RunStoreError) -> Int

    /// Lists the runs that pass `filter`, archived ones included unless filtered out, a page at a time. The
    /// filter is applied in the store, so a page holds `pageSize` runs unless it is the last.
    /// - Parameters:
    ///   - pageSize: the most runs to return, `≥ 1`.
    ///   - pageToken: `nil` for the first page, else a ``RunPage/nextPageToken`` of the same order and filter.
    /// - Throws: ``RunStoreError/Code/invalidArgument`` for a page size below 1 (field `page_size`) or a token
    ///   that this store did not issue for this order and filter (field `page_token`).
    func listRuns(
        pageSize: Int, pageToken: String?, order: RunListOrder, filter: RunFilter
    ) async throws(RunStoreError) -> RunPage

    /// Appends applied events, in order, with their decisions and the state after each, in one transaction:
    /// all or none. The version increases by the number of events; they get consecutive sequence numbers.
    /// Concurrent Scalarize summaries are committed together this way (one fsync for many).
    /// - Parameters:
    ///   - events: each event, its decision and the state after it, in the order they were applied. A store
    ///     may write the last state only every few events (``StateSnapshotPolicy``); the events after its last
    ///     snapshot are then returned as ``StoredRun/pendingEvents`` on load.
    ///   - expectedVersion: the version the first state was computed from.
    /// - Returns: the stored events, in order.
    /// - Throws: ``RunStoreError/Code/notFound``; ``RunStoreError/Code/conflict`` when the run's version is not
    ///   `expectedVersion`; ``RunStoreError/Code/alreadyExists`` when a non-superseded event of the same kind
    ///   and step is stored, for the kinds that allow one per step (``RunEvent/Kind/isUniquePerStep``).
    ///   Nothing is written then.
    func appendEvents(
        _ events: [(event: RunEvent, decision: Decision, state: RunState)], run: RunKey, expectedVersion: Int
    ) async throws(RunStoreError) -> [StoredEvent]

    /// The non-superseded events of one kind at any of `steps`, in sequence order: at most one per step for
    /// gradient and checkpoint reports, any number of Scalarize summaries. One read for a batch of idempotency
    /// look-ups. Does not check that the run exists (an unknown run has no events).
    func activeEvents(run: RunKey, kind: RunEvent.Kind, steps: [Int]) async throws(RunStoreError) -> [StoredEvent]

    /// The run's events with a sequence number `≥ fromSequence`, in log order, superseded ones included (and
    /// flagged).
    /// - Parameters:
    ///   - limit: the most events to return, or `nil` for all.
    /// - Throws: ``RunStoreError/Code/notFound``.
    func events(run: RunKey, fromSequence: Int, limit: Int?) async throws(RunStoreError) -> [StoredEvent]

    /// Rewinds a run (`ResumeRun`), in one transaction: marks its non-superseded events with a step
    /// `> resumption.fromStep` superseded (they stay in the log, readable), appends the rewind as a
    /// ``RunEvent/resumed(_:)`` event, stores the rewound state as the snapshot at that event, and increments
    /// the version.
    /// - Parameters:
    ///   - resumption: the rewind, with the number of events it supersedes, as the caller counted them in the
    ///     log of `expectedVersion`.
    ///   - state: the replay of the events with step `≤ fromStep` (``WeightingPolicy/resume(_:fromStep:)``).
    ///   - expectedVersion: the version `state` was computed from.
    /// - Returns: the stored resume event.
    /// - Throws: ``RunStoreError/Code/notFound``; ``RunStoreError/Code/conflict`` when the run's version is not
    ///   `expectedVersion`, or the log does not hold `resumption.supersededEvents` events to supersede.
    func resume(
        run: RunKey, resumption: RunResumption, state: RunState, expectedVersion: Int
    ) async throws(RunStoreError) -> StoredEvent

    /// Archives a run, in one transaction: sets its status, appends `archival` as a ``RunEvent/archived(_:)``
    /// event and increments the version. The run stays readable and refuses mutations. Archiving an archived
    /// run changes nothing (and `archival` is dropped).
    /// - Returns: the run as archived, and the stored archive event (`nil` when the run was archived already).
    /// - Throws: ``RunStoreError/Code/notFound``.
    func archiveRun(
        _ run: RunKey, archival: RunArchival
    ) async throws(RunStoreError) -> (run: StoredRun, event: StoredEvent?)
}

extension RunStore {
    /// ``loadRun(_:)`` of a run of the default tenant (``RunStoreDefaults/tenant``).
    public func loadRun(_ runID: String) async throws(RunStoreError) -> StoredRun {
        try await self.loadRun(RunKey(runID: runID))
    }

    /// ``appendEvents(_:run:expectedVersion:)`` to a run of the default tenant.
    public func appendEvents(
        _ events: [(event: RunEvent, decision: Decision, state: RunState)], runID: String, expectedVersion: Int
    ) async throws(RunStoreError) -> [StoredEvent] {
        try await self.appendEvents(events, run: RunKey(runID: runID), expectedVersion: expectedVersion)
    }

    /// ``activeEvents(run:kind:steps:)`` of a run of the default tenant.
    public func activeEvents(
        runID: String, kind: RunEvent.Kind, steps: [Int]
    ) async throws(RunStoreError) -> [StoredEvent] {
        try await self.activeEvents(run: RunKey(runID: runID), kind: kind, steps: steps)
    }

    /// ``events(run:fromSequence:limit:)`` of a run of the default tenant.
    public func events(runID: String, fromSequence: Int, limit: Int?) async throws(RunStoreError) -> [StoredEvent] {
        try await self.events(run: RunKey(runID: runID), fromSequence: fromSequence, limit: limit)
    }

    /// ``resume(run:resumption:state:expectedVersion:)`` of a run of the default tenant.
    public func resume(
        runID: String, resumption: RunResumption, state: RunState, expectedVersion: Int
    ) async throws(RunStoreError) -> StoredEvent {
        try await self.resume(
            run: RunKey(runID: runID), resumption: resumption, state: state, expectedVersion: expectedVersion)
    }

    /// ``archiveRun(_:archival:)`` of a run of the default tenant.
    public func archiveRun(
        _ runID: String, archival: RunArchival
    ) async throws(RunStoreError) -> (run: StoredRun, event: StoredEvent?) {
        try await self.archiveRun(RunKey(runID: runID), archival: archival)
    }
}
