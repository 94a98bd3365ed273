import Foundation
import Logging
import RewardWeightingCore
import RewardWeightingKernels
import RewardWeightingPolicy
import RewardWeightingStore

/// One run, live: its policy, its last committed state, and its watchers.
///
/// Every mutation runs under the actor's **serialisation lock** (``serialized(_:)``, ``SerialLock``), from the
/// idempotency look-up to the store's commit, because an actor alone is reentrant at each `await` and two
/// reports of the same step could otherwise both pass the look-up. Different runs have different actors and
/// proceed in parallel.
///
/// A mutation: look up the stored event of the same (kind, step) — an identical payload returns its stored
/// decision and changes nothing —, else ask the policy what the report needs measured, run that on the kernel
/// backend, apply the policy with the result (a refused report changes nothing), persist event + decision +
/// new state in one store transaction, and only then adopt the new state, publish to the watchers and reply
/// (durable before acknowledged). When the store reports that the run changed under it (another process wrote
/// it), the actor refreshes the run and starts over, at most ``maximumAttempts`` times.
///
/// Scalarize calls are committed in groups (`RunActor+GroupCommit.swift`); recent summaries are remembered
/// to answer retries (``ScalarizeSummaryCache``); watchers are an ``EventBroadcaster``.
actor RunActor {
    /// How many times a mutation is tried against a run that other writers keep changing.
    static let maximumAttempts = 3

    let runID: String
    /// The run's key in the store: its tenant and id.
    let key: RunKey
    /// The run's policy (built on use from the run's config, so that the actor does not hold the config twice).
    var policy: WeightingPolicy { WeightingPolicy(config: self.run.config) }
    let store: any RunStore
    let kernels: any KernelBackend
    let logger: RunLogger
    let metrics: ServiceMetrics
    private let watchers: EventBroadcaster
    /// When the registry last handed the actor out (its idle eviction reads it).
    nonisolated let activity = RunActivity()
    /// The last committed state of the run.
    private(set) var run: Run

    private var lock = SerialLock()

    /// Scalarize calls waiting for their group commit, in arrival order.
    var queuedScalarizations: [ScalarizationTicket] = []
    /// Whether a caller has taken on the next group commit and not yet drained the queue.
    var isScalarizationCommitScheduled = false
    /// Recent summaries, to answer retries without a store read.
    var summaryCache: ScalarizeSummaryCache

    /// The most points the run's Pareto buffer may hold (``ServiceLimits/maxBufferSize``).
    let maxBufferSize: Int

    init(
        run: Run, store: any RunStore, kernels: any KernelBackend, logger: Logger, watchBufferLimit: Int,
        summaryCacheLimit: Int, summaryCacheSteps: Int, metrics: ServiceMetrics, maxBufferSize: Int
    ) {
        self.maxBufferSize = maxBufferSize
        self.metrics = metrics
        self.runID = run.runID
        self.key = run.key
        self.run = run
        self.summaryCache = ScalarizeSummaryCache(
            limit: summaryCacheLimit, steps: summaryCacheSteps, above: run.state)
        self.store = store
        self.kernels = kernels
        self.logger = RunLogger(base: logger, runID: run.runID)
        self.watchers = EventBroadcaster(runID: run.runID, liveBufferLimit: watchBufferLimit)
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

    /// Rewinds the run to `fromStep` (`ResumeRun`): the state becomes the refold of the non-superseded events
    /// with step `≤ fromStep`, the later ones are marked superseded, and the rewind is logged as a resumed
    /// event, which the watchers get. Nothing to supersede (a retry, or a resume to the latest step): nothing
    /// changes and nothing is logged.
    /// - Returns: the run after the resume, how many events it superseded, and the sequence number of the
    ///   resume event (the run's last sequence number when nothing changed).
    func resume(fromStep: Int) async throws(ServiceError) -> (run: Run, supersededEvents: Int, sequence: Int) {
        typealias Outcome = (run: Run, supersededEvents: Int, sequence: Int)
        return try await self.serialized { () async throws(ServiceError) -> Outcome in
            try await self.retryingStaleWrites { () async throws(ServiceError) -> Outcome in
                try self.checkActive()
                let latest = self.run.state.latestReportedStep
                guard fromStep <= latest else {
                    throw ServiceError(
                        code: .failedPrecondition, field: "from_step",
                        reason: "is \(fromStep), after the run's latest step \(latest); a trainer resumes from a "
                            + "step it has reported")
                }
                let active = try await self.mappingStoreErrors { () async throws(RunStoreError) in
                    try await self.store.events(run: self.key, fromSequence: 1, limit: nil)
                }
                .filter { !$0.isSuperseded }
                let superseded = active.count { $0.step > fromStep }
                guard superseded > 0 else { return (self.run, 0, self.run.eventCount) }
                let rewound = try RunReplay.rewoundState(of: self.run.config, events: active, fromStep: fromStep)
                let resumption: RunResumption
                do throws(ValidationError) {
                    resumption = try RunResumption(
                        fromStep: fromStep, supersededEvents: superseded, weights: rewound.weights,
                        metaReward: rewound.metaReward)
                } catch {
                    throw ServiceError(
                        code: .internal, field: "state",
                        reason: "the rewound state of run \(quoted(self.runID)) is not valid: \(error)", cause: error)
                }
                let stored = try await self.mappingStoreErrors { () async throws(RunStoreError) in
                    try await self.store.resume(
                        run: self.key, resumption: resumption, state: rewound, expectedVersion: self.run.version)
                }
                // Reloads the rewound run and sends the resume event to the watchers.
                try await self.refresh()
                self.metrics.eventsApplied(.resumed)
                self.logger.info(
                    "run resumed", metadata: ["from_step": "\(fromStep)", "superseded_events": "\(superseded)"])
                return (self.run, superseded, stored.sequence)
            }
        }
    }

    /// Archives the run, logs the archive event with `reason`, sends it to the watchers and ends their
    /// streams. Archiving an archived run changes nothing.
    /// - Returns: the run as archived and the sequence number of its archive event: its last event, as nothing
    ///   is logged after it (for a run archived before archives were logged, its last event).
    func archive(reason: String) async throws(ServiceError) -> (run: Run, sequence: Int) {
        try await self.serialized { () async throws(ServiceError) -> (run: Run, sequence: Int) in
            let archival: RunArchival
            do throws(ValidationError) {
                archival = try RunArchival(step: self.run.state.latestReportedStep, reason: reason)
            } catch {
                throw ServiceError(error)
            }
            let archived = try await self.mappingStoreErrors { () async throws(RunStoreError) in
                try await self.store.archiveRun(self.key, archival: archival)
            }
            self.run = try RunReplay.run(from: archived.run)
            if let event = archived.event {
                self.metrics.eventsApplied(.archived)
                self.watchers.publish(event)
                self.logger.info("run archived", metadata: reason.isEmpty ? [:] : ["reason": "\(reason)"])
            }
            self.watchers.finishAll()
            return (self.run, archived.event?.sequence ?? self.run.eventCount)
        }
    }

    /// The run's events from `fromSequence` on, then — until the stream is cancelled, the run archived or the
    /// service shut down — every event it applies, in log order. Taken under the lock, so that no event falls
    /// between the stored ones and the live ones.
    /// - Parameter fromSequence: the first sequence number, or `nil` for the live events only (those after the
    ///   log as it is now).
    /// - Returns: the stream, or `nil` when the registry has evicted this actor meanwhile (``closeIfUnwatched()``):
    ///   the caller looks the run up again and watches its new actor, which every later write goes through.
    func watch(fromSequence: Int?) async throws(ServiceError) -> EventBroadcaster.Stream? {
        try await self.serialized { () async throws(ServiceError) -> EventBroadcaster.Stream? in
            let backlog: [StoredEvent]
            if let fromSequence {
                backlog = try await self.mappingStoreErrors { () async throws(RunStoreError) in
                    try await self.store.events(run: self.key, fromSequence: fromSequence, limit: nil)
                }
            } else {
                backlog = []
            }
            return self.watchers.subscribe(backlog: backlog, finished: self.run.status == .archived)
        }
    }

    /// Ends every watch stream of the run (shutdown).
    func finishWatchers() {
        self.watchers.finishAll()
    }

    /// How many watch streams are open.
    var watcherCount: Int { self.watchers.count }

    /// Closes the actor to new watchers if none watches it now, so that the registry can drop it: a watch that
    /// arrives later gets `nil` and watches the run's next actor instead. Writes still work on a closed actor
    /// (a call that held it when it was dropped finishes on it; the store's version check keeps any later actor
    /// of the run consistent with it).
    /// - Returns: whether it is closed (no watcher).
    nonisolated func closeIfUnwatched() -> Bool {
        self.watchers.closeIfUnwatched()
    }

    // MARK: - Steps of a mutation

    /// The stored event that `event` repeats: same kind and step, equal payload, not superseded. A report whose
    /// step is after the last applied step of its kind cannot repeat one (the state is the fold of the
    /// non-superseded events), so only reports at or below it cost a look-up.
    private func storedRetry(of event: RunEvent) async throws(ServiceError) -> StoredEvent? {
        guard let last = self.run.state.lastAppliedStep(of: event.kind), event.step <= last else { return nil }
        let candidates = try await self.mappingStoreErrors { () async throws(RunStoreError) in
            try await self.store.activeEvents(run: self.key, kind: event.kind, steps: [event.step])
        }
        // A different payload falls through to the policy, which refuses it: `duplicateStep` (ALREADY_EXISTS)
        // at the last step, `stepOutOfOrder` (FAILED_PRECONDITION) below it.
        return candidates.first { $0.event == event }
    }

    /// Measures what `event` needs on the kernel backend, applies it with the policy, persists it with its
    /// decision and the new state, adopts the state and publishes the event.
    private func apply(_ event: RunEvent) async throws(ServiceError) -> StoredEvent {
        let state = self.run.state
        let query: KernelQuery?
        do throws(PolicyError) {
            query = try self.policy.measurement(for: event, in: state)
        } catch {
            throw ServiceError(error)
        }
        let measured = try await self.kernels.measure(query)
        // The lock is held across the kernel call: the state it measured is still the run's.
        let next: (state: RunState, decision: Decision)
        do throws(PolicyError) {
            next = try self.policy.apply(event, to: state, measured: measured)
        } catch {
            throw ServiceError(error)
        }
        let points = next.state.paretoBuffer.count
        if points > self.maxBufferSize && points > state.paretoBuffer.count {
            throw ServiceLimits.exceeded(
                field: "scores", "the Pareto buffer would hold \(points) points", key: "maxBufferSize",
                value: self.maxBufferSize)
        }
        return try await self.commit([(event, next.decision, next.state)])[0]
    }

    /// Persists applied events (each with its decision and the state after it) in one store transaction, then
    /// adopts the last state and publishes the events. Nothing changes when the store refuses them.
    func commit(
        _ events: [(event: RunEvent, decision: Decision, state: RunState)]
    ) async throws(ServiceError) -> [StoredEvent] {
        guard let last = events.last else { return [] }
        let current = self.run
        let start = ContinuousClock.now
        let stored = try await self.mappingStoreErrors { () async throws(RunStoreError) in
            try await self.store.appendEvents(events, run: self.key, expectedVersion: current.version)
        }
        self.metrics.storeCommit(events: stored.count, duration: ContinuousClock.now - start)
        for kind in RunEvent.Kind.reports {
            let count = stored.count { $0.kind == kind }
            if count > 0 { self.metrics.eventsApplied(kind, count: count) }
        }
        self.run = Run(
            config: current.config, tenant: current.tenant, state: last.state,
            version: current.version + events.count, status: current.status, eventCount: stored.last!.sequence,
            supersededEventCount: current.supersededEventCount, createdAt: current.createdAt,
            updatedAt: stored.last!.createdAt)
        self.summaryCache.remember(stored)
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

    func checkActive() throws(ServiceError) {
        guard self.run.status == .active else {
            throw ServiceError(
                code: .failedPrecondition, field: "run_id",
                reason: "run \(quoted(self.runID)) is archived; it takes no more reports")
        }
    }

    /// Runs `body` serialised, and hands its error, if any, to `ifFailing`.
    func serialized(
        _ body: () async throws(ServiceError) -> Void, ifFailing: (ServiceError) -> Void
    ) async {
        do throws(ServiceError) {
            try await self.serialized(body)
        } catch {
            ifFailing(error)
        }
    }

    /// Brings the run up to the store's, after another process wrote it, and sends the events this actor had
    /// not seen to its watchers, in log order. Usually only the events logged since are read and folded in
    /// (``RunReplay/run(_:advancedBy:)``); after a resume or an archive the run is loaded whole, then exactly the
    /// events up to it are read.
    /// - Returns: the events this actor had not seen.
    @discardableResult
    func refresh() async throws(ServiceError) -> [StoredEvent] {
        let seen = self.run.eventCount
        let newer = try await self.mappingStoreErrors { () async throws(RunStoreError) in
            try await self.store.events(run: self.key, fromSequence: seen + 1, limit: nil)
        }
        let missed: [StoredEvent]
        if let advanced = RunReplay.run(self.run, advancedBy: newer) {
            self.run = advanced
            missed = newer
        } else {
            // The run first, then exactly the events up to it: a write committed in between is the next
            // refresh's.
            let stored = try await self.mappingStoreErrors { () async throws(RunStoreError) in
                try await self.store.loadRun(self.key)
            }
            self.run = try RunReplay.run(from: stored)
            let read = newer.last?.sequence ?? seen
            let rest =
                self.run.eventCount > read
                ? try await self.mappingStoreErrors { () async throws(RunStoreError) in
                    try await self.store.events(
                        run: self.key, fromSequence: read + 1, limit: self.run.eventCount - read)
                } : []
            missed = (newer + rest).filter { $0.sequence <= self.run.eventCount }
        }
        self.summaryCache.reset(above: self.run.state)
        for event in missed { self.watchers.publish(event) }
        if self.run.status == .archived { self.watchers.finishAll() }
        return missed
    }

    // MARK: - Serialisation and retries

    /// Runs `body` when no other serialised body of this actor is running, in arrival order. The lock is held
    /// across `body`'s suspension points, which is what the actor alone does not give.
    func serialized<T: Sendable>(
        _ body: () async throws(ServiceError) -> T
    ) async throws(ServiceError) -> T {
        if !self.lock.tryAcquire() {
            await withCheckedContinuation { self.lock.enqueue($0) }
        }
        defer { self.lock.release() }
        return try await body()
    }

    /// Runs `body`; when the store says the run changed under it, refreshes the run and runs `body` again.
    func retryingStaleWrites<T: Sendable>(
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
                try await self.refresh()
            }
        }
    }

    func mappingStoreErrors<T: Sendable>(
        _ body: () async throws(RunStoreError) -> T
    ) async throws(ServiceError) -> T {
        do {
            return try await body()
        } catch {
            throw ServiceError(error)
        }
    }
}
