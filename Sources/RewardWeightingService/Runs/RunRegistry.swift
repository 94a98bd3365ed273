import Logging
import RewardWeightingCore
import RewardWeightingKernels
import RewardWeightingPolicy
import RewardWeightingStore
import Synchronization

/// The ``RunActor`` of every active run this process has touched, created lazily from the store and cached,
/// so that all requests for a run meet the same actor.
///
/// Archived runs are not cached: their actors only refuse mutations and replay stored events, so one is made
/// per request and dropped. An active run that nobody has looked up for a while and that no stream watches is
/// dropped too (``evictIdle(before:)``), and loaded again on its next call, as after a restart: memory follows
/// the runs in use, not every run touched since start.
///
/// The cache is a `Mutex`-guarded dictionary rather than an actor: every trainer call looks its run up here,
/// and a look-up that finds the actor returns it without a hop to another executor. A miss loads the run from
/// the store outside the lock and keeps the first actor inserted, so concurrent first requests still meet one
/// actor.
final class RunRegistry: Sendable {
    private let store: any RunStore
    private let kernels: any KernelBackend
    private let logger: Logger
    private let watchBufferLimit: Int
    private let maxBufferSize: Int
    private let summaryCacheLimit: Int
    private let summaryCacheSteps: Int
    private let metrics: ServiceMetrics
    private let runs = Mutex<[RunKey: RunActor]>([:])

    init(
        store: any RunStore, kernels: any KernelBackend, logger: Logger, watchBufferLimit: Int,
        summaryCacheLimit: Int, summaryCacheSteps: Int, metrics: ServiceMetrics, maxBufferSize: Int
    ) {
        self.maxBufferSize = maxBufferSize
        self.metrics = metrics
        self.store = store
        self.kernels = kernels
        self.logger = logger
        self.watchBufferLimit = watchBufferLimit
        self.summaryCacheLimit = summaryCacheLimit
        self.summaryCacheSteps = summaryCacheSteps
    }

    /// The actor of the run `key` names, loading the run on first use.
    /// - Throws: ``ServiceError/Code/notFound`` (field `run_id`) for an unknown run; store failures.
    func actor(for key: RunKey) async throws(ServiceError) -> RunActor {
        // Touched under the lock, so that an eviction sees every hand-out before it.
        if let run = self.runs.withLock({ runs in
            runs[key].map {
                $0.activity.touch(); return $0
            }
        }) {
            return run
        }
        try Self.checkRunID(key.runID)
        let stored: StoredRun
        do {
            stored = try await self.store.loadRun(key)
        } catch {
            throw ServiceError(error)
        }
        let loaded = try RunReplay.run(from: stored)
        let candidate = self.makeActor(loaded)
        guard loaded.status == .active else { return candidate }
        // Another request may have loaded it while this one was suspended: keep the first actor.
        let (run, inserted, count) = self.runs.withLock { runs in
            if let existing = runs[key] {
                existing.activity.touch()
                return (existing, false, runs.count)
            }
            runs[key] = candidate
            return (candidate, true, runs.count)
        }
        self.metrics.activeRuns(count)
        if inserted {
            self.logger.debug(
                "run loaded",
                metadata: ["run_id": "\(key.runID)", "tenant": "\(key.tenant)", "version": "\(loaded.version)"])
        }
        return run
    }

    /// Caches the actor of a run that was just created, unless a request already loaded it.
    func adopt(_ run: Run) {
        guard run.status == .active else { return }
        let actor = self.makeActor(run)
        let count = self.runs.withLock { runs in
            if runs[run.key] == nil { runs[run.key] = actor }
            return runs.count
        }
        self.metrics.activeRuns(count)
    }

    /// A malformed run id is `INVALID_ARGUMENT` naming `run_id` (only ids that miss the cache are checked: a
    /// cached id was valid when its run was created).
    static func checkRunID(_ runID: String) throws(ServiceError) {
        do throws(ValidationError) {
            try RunConfig.checkRunID(runID)
        } catch {
            throw ServiceError(error)
        }
    }

    private func makeActor(_ run: Run) -> RunActor {
        RunActor(
            run: run, store: self.store, kernels: self.kernels, logger: self.logger,
            watchBufferLimit: self.watchBufferLimit, summaryCacheLimit: self.summaryCacheLimit,
            summaryCacheSteps: self.summaryCacheSteps, metrics: self.metrics, maxBufferSize: self.maxBufferSize)
    }

    /// Drops the cached actor of `key` if it is `run` (after archiving).
    func evict(_ key: RunKey, ifItIs run: RunActor) {
        let count = self.runs.withLock { runs in
            if runs[key] === run { runs[key] = nil }
            return runs.count
        }
        self.metrics.activeRuns(count)
    }

    /// The cached actor of `key`, if there is one (no store access).
    func cachedActor(for key: RunKey) -> RunActor? {
        self.runs.withLock { $0[key] }
    }

    /// The cached actors.
    var cached: [RunActor] { self.runs.withLock { Array($0.values) } }

    /// Drops every cached run last handed out before `cutoff` that no stream watches
    /// (``RunActor/closeIfUnwatched()``). A call that still holds a dropped actor finishes on it; the next call
    /// loads the run from the store into a new actor, with an empty summary cache (retries are then answered from
    /// the log, as after a restart).
    /// - Returns: how many runs were dropped.
    @discardableResult
    func evictIdle(before cutoff: ContinuousClock.Instant) -> Int {
        let (evicted, count) = self.runs.withLock { runs in
            let idle = runs.filter { $0.value.activity.isIdle(before: cutoff) && $0.value.closeIfUnwatched() }
            for key in idle.keys { runs[key] = nil }
            return (idle.count, runs.count)
        }
        if evicted > 0 {
            self.metrics.activeRuns(count)
            self.metrics.runsEvicted(evicted)
            self.logger.debug("idle runs evicted", metadata: ["evicted": "\(evicted)", "cached": "\(count)"])
        }
        return evicted
    }
}
