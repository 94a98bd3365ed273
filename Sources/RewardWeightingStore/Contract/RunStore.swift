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
/// ``SQLiteRunStore`` and ``InMemoryRunStore`` today.
public protocol RunStore: Sendable {
    /// Creates a run of `tenant` at ``StoredRun/version`` 1 with no events.
    /// - Parameters:
    ///   - initialState: the state before any event (``WeightingPolicy/initialState``), the first snapshot.
    /// - Throws: ``RunStoreError/Code/alreadyExists`` when a run with the config's id exists (whatever its
    ///   config: comparing them is the caller's business).
    func createRun(_ config: RunConfig, tenant: String, initialState: RunState) async throws(RunStoreError)
        -> StoredRun

    /// Loads a run: config, state snapshot with the events logged after it, version, status and event counts.
    /// - Throws: ``RunStoreError/Code/notFound``; ``RunStoreError/Code/corrupt`` for a row that does not decode.
    func loadRun(_ runID: String) async throws(RunStoreError) -> StoredRun

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
    ///   and step is stored (Scalarize summaries excepted: a step may have several). Nothing is written then.
    func appendEvents(
        _ events: [(event: RunEvent, decision: Decision, state: RunState)], runID: String, expectedVersion: Int
    ) async throws(RunStoreError) -> [StoredEvent]

    /// The non-superseded events of one kind at any of `steps`, in sequence order: at most one per step for
    /// gradient and checkpoint reports, any number of Scalarize summaries. One read for a batch of idempotency
    /// look-ups. Does not check that the run exists (an unknown run has no events).
    func activeEvents(runID: String, kind: RunEvent.Kind, steps: [Int]) async throws(RunStoreError) -> [StoredEvent]

    /// The run's events with a sequence number `≥ fromSequence`, in log order, superseded ones included (and
    /// flagged).
    /// - Parameters:
    ///   - limit: the most events to return, or `nil` for all.
    /// - Throws: ``RunStoreError/Code/notFound``.
    func events(runID: String, fromSequence: Int, limit: Int?) async throws(RunStoreError) -> [StoredEvent]

    /// Rewinds a run (`ResumeRun`): marks its non-superseded events with a step `> fromStep` superseded (they
    /// stay in the log, readable) and stores the rewound state, incrementing the version, in one transaction.
    /// - Parameters:
    ///   - state: the replay of the events with step `≤ fromStep` (``WeightingPolicy/resume(_:fromStep:)``).
    ///   - expectedVersion: the version `state` was computed from.
    /// - Returns: how many events were marked superseded.
    /// - Throws: ``RunStoreError/Code/notFound``; ``RunStoreError/Code/conflict``.
    func resume(
        runID: String, fromStep: Int, state: RunState, expectedVersion: Int
    ) async throws(RunStoreError) -> Int

    /// Archives a run: it stays readable and refuses mutations. Archiving an archived run changes nothing.
    /// - Returns: the run as archived.
    /// - Throws: ``RunStoreError/Code/notFound``.
    func archiveRun(_ runID: String) async throws(RunStoreError) -> StoredRun
}
