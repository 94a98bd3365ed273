import Foundation
import Logging
import RewardWeightingCore
import RewardWeightingPolicy
import RewardWeightingStore

/// One run, live: its policy, its last committed snapshot, and its watchers.
///
/// Every mutation runs under the actor's **serialisation lock** (``serialized(_:)``), from the idempotency
/// look-up to the store's commit, because an actor alone is reentrant at each `await` and two reports of the
/// same step could otherwise both pass the look-up. Different runs have different actors and proceed in
/// parallel.
///
/// A mutation: look up the stored event of the same (kind, step) — an identical payload returns its stored
/// decision and changes nothing —, else apply the policy to the snapshot (a refused report changes nothing),
/// persist event + decision + new snapshot in one store transaction, and only then adopt the new snapshot,
/// publish to the watchers and reply (durable before acknowledged). When the store reports that the run changed
/// under it (another process wrote it), the actor reloads the run and starts over, at most
/// ``maximumAttempts`` times.
actor RunActor {
    /// How many times a mutation is tried against a run that other writers keep changing.
    static let maximumAttempts = 3

    let runID: String
    private let policy: WeightingPolicy
    private let store: any RunStore
    private let logger: Logger
    private let watchers: EventBroadcaster
    /// The last committed state of the run.
    private(set) var snapshot: RunSnapshot

    private var isBusy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// Scalarize calls waiting for their group commit, in arrival order.
    private var queuedScalarizations: [ScalarizationTicket] = []
    /// Whether a caller has taken on the next group commit and not yet drained the queue.
    private var isScalarizationCommitScheduled = false

    /// The Scalarize summaries this actor committed at steps ≥ ``summaryCacheHorizon``, by content. The log holds
    /// no other summary at those steps (the horizon starts above the last summarised step and is reset whenever
    /// the run is reloaded, e.g. after another writer changed it), so a retry there is answered from memory;
    /// below the horizon the store is read.
    private var recentSummaries: [RunEvent: Int] = [:]
    private var summaryCacheHorizon: Int
    /// The most summaries kept in ``recentSummaries``; beyond it the older half is dropped and the horizon rises.
    private let summaryCacheLimit: Int

    init(snapshot: RunSnapshot, store: any RunStore, logger: Logger, watchBufferLimit: Int, summaryCacheLimit: Int) {
        self.runID = snapshot.runID
        self.policy = WeightingPolicy(config: snapshot.config)
        self.snapshot = snapshot
        self.summaryCacheHorizon = Self.horizon(above: snapshot.state)
        self.summaryCacheLimit = summaryCacheLimit
        self.store = store
        var logger = logger
        logger[metadataKey: "run_id"] = "\(snapshot.runID)"
        self.logger = logger
        self.watchers = EventBroadcaster(runID: snapshot.runID, liveBufferLimit: watchBufferLimit)
    }

    // MARK: - Operations

    /// Applies a gradient or checkpoint report, or returns the stored decision of an identical earlier one.
    func report(_ event: RunEvent) async throws(ServiceError) -> StoredEvent {
        try await self.serialized { () async throws(ServiceError) -> StoredEvent in
            try await self.retryingStaleWrites { () async throws(ServiceError) -> StoredEvent in
                if let stored = try await self.storedRetry(of: event) {
                    self.logger.debug(
                        "retry answered from the log",
                        metadata: ["kind": "\(event.kind.rawValue)", "step": "\(event.step)"])
                    return stored
                }
                try self.checkActive()
                return try await self.apply(event)
            }
        }
    }

    /// Scalarize: a pure read of the weights and `r_pareto`; unless `validation`, the call's summary is recorded
    /// (once: an identical retry records nothing more). Returns the scalarisation and the sequence number of its
    /// summary in the log (the stored one's for an identical retry; 0 for `validation`, which records nothing).
    ///
    /// **Group commit.** Concurrent calls on one run are committed together: the first caller to find no commit
    /// scheduled takes the serialisation lock and, once it has it, commits every call queued by then in one
    /// store transaction (one fsync), in arrival order; the others wait for that commit. Each call is still
    /// durable before it is answered, and the log is what one-at-a-time processing would have written.
    func scalarize(
        step: Int, rewards: ObjectiveMatrix, groupIDs: [Int]?, validation: Bool
    ) async throws(ServiceError) -> (result: ScalarizeResult, sequence: Int) {
        if validation {
            return (try self.computeScalarization(step: step, rewards: rewards, groupIDs: groupIDs, in: nil), 0)
        }
        let ticket = ScalarizationTicket(step: step, rewards: rewards, groupIDs: groupIDs)
        self.queuedScalarizations.append(ticket)
        if self.isScalarizationCommitScheduled {
            if ticket.outcome == nil {
                await withCheckedContinuation { ticket.waiter = $0 }
            }
        } else {
            self.isScalarizationCommitScheduled = true
            try await self.serialized { () async throws(ServiceError) in
                let batch = self.queuedScalarizations
                self.queuedScalarizations = []
                self.isScalarizationCommitScheduled = false
                let outcomes: [Result<(result: ScalarizeResult, sequence: Int), ServiceError>]
                do throws(ServiceError) {
                    outcomes = try await self.retryingStaleWrites { () async throws(ServiceError) in
                        try await self.commitScalarizations(batch)
                    }
                } catch {
                    outcomes = Array(repeating: .failure(error), count: batch.count)
                }
                for (queued, outcome) in zip(batch, outcomes) { queued.resolve(outcome) }
            }
        }
        return try ticket.outcome!.get()
    }

    /// Scalarises a batch of queued calls against the snapshot, in order, and commits the new summaries in one
    /// transaction. A call's own error (e.g. its group ids) fails that call only; a store error fails them all.
    private func commitScalarizations(
        _ batch: [ScalarizationTicket]
    ) async throws(ServiceError) -> [Result<(result: ScalarizeResult, sequence: Int), ServiceError>] {
        try self.checkActive()
        enum Outcome {
            case answered(ScalarizeResult, sequence: Int)
            case committing(ScalarizeResult, index: Int)
            case failed(ServiceError)
        }
        // Every call's scalarisation (summaries do not change weights or r_pareto, so the committed state serves).
        let computed = batch.map { call in
            Result { () throws(ServiceError) -> (result: ScalarizeResult, event: RunEvent) in
                let result = try self.computeScalarization(
                    step: call.step, rewards: call.rewards, groupIDs: call.groupIDs, in: nil)
                return (result, RunEvent.scalarizeSummary(result.summary))
            }
        }
        // One read for the idempotency look-ups of the whole batch: the summaries already logged at the steps of
        // calls at or below the last summarised step (only those can repeat a logged one).
        // Steps at or above the cache's horizon are answered from memory.
        let lastStep = self.snapshot.state.lastAppliedStep(of: .scalarizeSummary)
        let horizon = self.summaryCacheHorizon
        let lookUpSteps = computed.compactMap { item -> Int? in
            guard case .success(let value) = item, let lastStep, value.event.step <= lastStep,
                value.event.step < horizon
            else { return nil }
            return value.event.step
        }
        var logged: [RunEvent: StoredEvent] = [:]
        for stored in try await self.mappingStoreErrors({ () async throws(RunStoreError) in
            try await self.store.activeEvents(runID: self.runID, kind: .scalarizeSummary, steps: lookUpSteps)
        }) where logged[stored.event] == nil {
            logged[stored.event] = stored
        }
        var state = self.snapshot.state
        var outcomes: [Outcome] = []
        var newEvents: [(event: RunEvent, decision: Decision, state: RunState)] = []
        var indexOfEvent: [RunEvent: Int] = [:]
        for item in computed {
            do throws(ServiceError) {
                let (result, event) = try item.get()
                if let index = indexOfEvent[event] {
                    outcomes.append(.committing(result, index: index))  // a duplicate in the same batch
                } else if let stored = logged[event] {
                    outcomes.append(.answered(result, sequence: stored.sequence))
                } else if event.step >= horizon, let sequence = self.recentSummaries[event] {
                    outcomes.append(.answered(result, sequence: sequence))
                } else {
                    let next: (state: RunState, decision: Decision)
                    do {
                        next = try self.policy.apply(event, to: state)
                    } catch {
                        throw ServiceError(error)
                    }
                    state = next.state
                    indexOfEvent[event] = newEvents.count
                    outcomes.append(.committing(result, index: newEvents.count))
                    newEvents.append((event, next.decision, next.state))
                }
            } catch {
                outcomes.append(.failed(error))
            }
        }
        let stored = try await self.commit(newEvents)
        return outcomes.map { outcome in
            switch outcome {
            case .answered(let result, let sequence): .success((result, sequence))
            case .committing(let result, let index): .success((result, stored[index].sequence))
            case .failed(let error): .failure(error)
            }
        }
    }

    /// Rewinds the run to `fromStep` (`ResumeRun`): the state becomes the replay of the non-superseded events
    /// with step `≤ fromStep`, and the later ones are marked superseded. Nothing to supersede: nothing changes.
    func resume(fromStep: Int) async throws(ServiceError) -> RunSnapshot {
        try await self.serialized { () async throws(ServiceError) -> RunSnapshot in
            try await self.retryingStaleWrites { () async throws(ServiceError) -> RunSnapshot in
                try self.checkActive()
                let active = try await self.mappingStoreErrors { () async throws(RunStoreError) in
                    try await self.store.events(runID: self.runID, fromSequence: 1, limit: nil)
                }
                .filter { !$0.isSuperseded }
                guard active.contains(where: { $0.step > fromStep }) else { return self.snapshot }
                let events = active.map(\.event)
                let state: RunState
                do throws(PolicyError) {
                    state = try self.policy.resume(events, fromStep: fromStep)
                } catch {
                    throw ServiceError(error)
                }
                let superseded = try await self.mappingStoreErrors { () async throws(RunStoreError) in
                    try await self.store.resume(
                        runID: self.runID, fromStep: fromStep, state: state, expectedVersion: self.snapshot.version)
                }
                try await self.reload()
                self.logger.info(
                    "run resumed", metadata: ["from_step": "\(fromStep)", "superseded_events": "\(superseded)"])
                return self.snapshot
            }
        }
    }

    /// Archives the run and ends its watch streams.
    func archive() async throws(ServiceError) -> RunSnapshot {
        try await self.serialized { () async throws(ServiceError) -> RunSnapshot in
            let wasActive = self.snapshot.status == .active
            self.snapshot = try await self.mappingStoreErrors { () async throws(RunStoreError) in
                try await self.store.archiveRun(self.runID)
            }
            self.watchers.finishAll()
            if wasActive { self.logger.info("run archived") }
            return self.snapshot
        }
    }

    /// The run's events from `fromSequence` on, then — until the stream is cancelled, the run archived or the
    /// service shut down — every event it applies, in log order. Taken under the lock, so that no event falls
    /// between the stored ones and the live ones.
    func watch(fromSequence: Int) async throws(ServiceError) -> EventBroadcaster.Stream {
        try await self.serialized { () async throws(ServiceError) -> EventBroadcaster.Stream in
            let backlog = try await self.mappingStoreErrors { () async throws(RunStoreError) in
                try await self.store.events(runID: self.runID, fromSequence: fromSequence, limit: nil)
            }
            return self.watchers.subscribe(backlog: backlog, finished: self.snapshot.status == .archived)
        }
    }

    /// Ends every watch stream of the run (shutdown).
    func finishWatchers() {
        self.watchers.finishAll()
    }

    /// How many watch streams are open.
    var watcherCount: Int { self.watchers.count }

    // MARK: - Steps of a mutation

    /// The stored event that `event` repeats: same kind and step, equal payload, not superseded. A report whose
    /// step is after the last applied step of its kind cannot repeat one (the state is the fold of the
    /// non-superseded events), so only reports at or below it cost a look-up.
    private func storedRetry(of event: RunEvent) async throws(ServiceError) -> StoredEvent? {
        guard let last = self.snapshot.state.lastAppliedStep(of: event.kind), event.step <= last else { return nil }
        let candidates = try await self.mappingStoreErrors { () async throws(RunStoreError) in
            try await self.store.activeEvents(runID: self.runID, kind: event.kind, step: event.step)
        }
        // A different payload falls through to the policy, which refuses it: `duplicateStep` (ALREADY_EXISTS)
        // at the last step, `stepOutOfOrder` (FAILED_PRECONDITION) below it.
        return candidates.first { $0.event == event }
    }

    /// Applies `event` with the policy, persists it with its decision and the new snapshot, adopts the snapshot
    /// and publishes the event.
    private func apply(_ event: RunEvent) async throws(ServiceError) -> StoredEvent {
        let next: (state: RunState, decision: Decision)
        do {
            next = try self.policy.apply(event, to: self.snapshot.state)
        } catch {
            throw ServiceError(error)
        }
        return try await self.commit([(event, next.decision, next.state)])[0]
    }

    /// Persists applied events (each with its decision and the state after it) in one store transaction, then
    /// adopts the last state and publishes the events. Nothing changes when the store refuses them.
    private func commit(
        _ events: [(event: RunEvent, decision: Decision, state: RunState)]
    ) async throws(ServiceError) -> [StoredEvent] {
        guard let last = events.last else { return [] }
        let current = self.snapshot
        let stored = try await self.mappingStoreErrors { () async throws(RunStoreError) in
            try await self.store.appendEvents(events, runID: self.runID, expectedVersion: current.version)
        }
        self.snapshot = RunSnapshot(
            config: current.config, state: last.state, version: current.version + events.count,
            status: current.status, eventCount: stored.last!.sequence,
            supersededEventCount: current.supersededEventCount, createdAt: current.createdAt,
            updatedAt: stored.last!.createdAt)
        self.remember(stored)
        for event in stored {
            self.watchers.publish(event)
            self.logger.debug(
                "event applied",
                metadata: [
                    "kind": "\(event.event.kind.rawValue)", "step": "\(event.event.step)",
                    "sequence": "\(event.sequence)",
                ])
        }
        return stored
    }

    /// The scalarisation of a batch against `state` (the snapshot's when `nil`).
    private func computeScalarization(
        step: Int, rewards: ObjectiveMatrix, groupIDs: [Int]?, in state: RunState?
    ) throws(ServiceError) -> ScalarizeResult {
        do {
            return try self.policy.scalarize(
                rewards, groupIDs: groupIDs, atStep: step, in: state ?? self.snapshot.state)
        } catch {
            throw ServiceError(error)
        }
    }

    private func checkActive() throws(ServiceError) {
        guard self.snapshot.status == .active else {
            throw ServiceError(
                code: .failedPrecondition, field: "run_id",
                message: "run_id: run '\(self.runID)' is archived; it takes no more reports")
        }
    }

    private func reload() async throws(ServiceError) {
        self.snapshot = try await self.mappingStoreErrors { () async throws(RunStoreError) in
            try await self.store.loadRun(self.runID)
        }
        self.recentSummaries = [:]
        self.summaryCacheHorizon = Self.horizon(above: self.snapshot.state)
    }

    /// The first step above every logged Scalarize summary of `state`.
    private static func horizon(above state: RunState) -> Int {
        state.lastAppliedStep(of: .scalarizeSummary).map { $0 + 1 } ?? Int.min
    }

    /// Remembers committed summaries at or above the horizon, dropping the older half when over the limit.
    private func remember(_ stored: [StoredEvent]) {
        for event in stored where event.event.kind == .scalarizeSummary && event.step >= self.summaryCacheHorizon {
            self.recentSummaries[event.event] = event.sequence
        }
        guard self.recentSummaries.count > self.summaryCacheLimit else { return }
        let steps = self.recentSummaries.keys.map(\.step).sorted()
        let cutoff = steps[steps.count / 2]
        self.recentSummaries = self.recentSummaries.filter { $0.key.step > cutoff }
        self.summaryCacheHorizon = cutoff + 1
    }

    // MARK: - Serialisation and retries

    /// Runs `body` when no other serialised body of this actor is running, in arrival order. The lock is held
    /// across `body`'s suspension points, which is what the actor alone does not give.
    private func serialized<T: Sendable>(
        _ body: () async throws(ServiceError) -> T
    ) async throws(ServiceError) -> T {
        if self.isBusy {
            await withCheckedContinuation { self.waiting.append($0) }
        } else {
            self.isBusy = true
        }
        defer {
            // Hand the lock to the next waiter directly, or release it.
            if self.waiting.isEmpty {
                self.isBusy = false
            } else {
                self.waiting.removeFirst().resume()
            }
        }
        return try await body()
    }

    /// Runs `body`; when the store says the run changed under it, reloads the run and runs `body` again.
    private func retryingStaleWrites<T: Sendable>(
        _ body: () async throws(ServiceError) -> T
    ) async throws(ServiceError) -> T {
        var attempt = 1
        while true {
            do throws(ServiceError) {
                return try await body()
            } catch {
                guard error.isStaleWrite, attempt < Self.maximumAttempts else { throw error }
                self.logger.warning(
                    "the run changed under a write; reloading it", metadata: ["attempt": "\(attempt)"])
                attempt += 1
                try await self.reload()
            }
        }
    }

    private func mappingStoreErrors<T: Sendable>(
        _ body: () async throws(RunStoreError) -> T
    ) async throws(ServiceError) -> T {
        do {
            return try await body()
        } catch {
            throw ServiceError(error)
        }
    }
}

/// A queued Scalarize call: its request, then its outcome, which its caller waits for. Used only on the run's
/// actor.
private final class ScalarizationTicket {
    let step: Int
    let rewards: ObjectiveMatrix
    let groupIDs: [Int]?
    private(set) var outcome: Result<(result: ScalarizeResult, sequence: Int), ServiceError>?
    /// The caller waiting for the outcome, resumed by ``resolve(_:)``.
    var waiter: CheckedContinuation<Void, Never>?

    init(step: Int, rewards: ObjectiveMatrix, groupIDs: [Int]?) {
        self.step = step
        self.rewards = rewards
        self.groupIDs = groupIDs
    }

    func resolve(_ outcome: Result<(result: ScalarizeResult, sequence: Int), ServiceError>) {
        self.outcome = outcome
        self.waiter?.resume()
        self.waiter = nil
    }
}
