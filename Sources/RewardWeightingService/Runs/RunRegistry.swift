import Logging
import RewardWeightingKernels
import RewardWeightingStore

/// The ``RunActor`` of every active run this process has touched, created lazily from the store and cached,
/// so that all requests for a run meet the same actor.
///
/// Archived runs are not cached: their actors only refuse mutations and replay stored events, so one is made
/// per request and dropped.
actor RunRegistry {
    private let store: any RunStore
    private let kernels: any KernelBackend
    private let logger: Logger
    private let watchBufferLimit: Int
    private let summaryCacheLimit: Int
    private var runs: [String: RunActor] = [:]

    init(
        store: any RunStore, kernels: any KernelBackend, logger: Logger, watchBufferLimit: Int,
        summaryCacheLimit: Int
    ) {
        self.store = store
        self.kernels = kernels
        self.logger = logger
        self.watchBufferLimit = watchBufferLimit
        self.summaryCacheLimit = summaryCacheLimit
    }

    /// The actor of `runID`, loading the run on first use.
    /// - Throws: ``ServiceError/Code/notFound`` (field `run_id`) for an unknown run; store failures.
    func actor(for runID: String) async throws(ServiceError) -> RunActor {
        if let run = self.runs[runID] { return run }
        let stored: StoredRun
        do {
            stored = try await self.store.loadRun(runID)
        } catch {
            throw ServiceError(error)
        }
        let loaded = try RunReplay.run(from: stored)
        // Another request may have loaded it while this one was suspended: keep the first actor.
        if let run = self.runs[runID] { return run }
        let run = self.makeActor(loaded)
        if loaded.status == .active {
            self.runs[runID] = run
            self.logger.debug("run loaded", metadata: ["run_id": "\(runID)", "version": "\(loaded.version)"])
        }
        return run
    }

    /// Caches the actor of a run that was just created, unless a request already loaded it.
    func adopt(_ run: Run) {
        guard self.runs[run.runID] == nil, run.status == .active else { return }
        self.runs[run.runID] = self.makeActor(run)
    }

    private func makeActor(_ run: Run) -> RunActor {
        RunActor(
            run: run, store: self.store, kernels: self.kernels, logger: self.logger,
            watchBufferLimit: self.watchBufferLimit, summaryCacheLimit: self.summaryCacheLimit)
    }

    /// Drops the cached actor of `runID` if it is `run` (after archiving).
    func evict(_ runID: String, ifItIs run: RunActor) {
        if self.runs[runID] === run { self.runs[runID] = nil }
    }

    /// The cached actors.
    var cached: [RunActor] { Array(self.runs.values) }
}
