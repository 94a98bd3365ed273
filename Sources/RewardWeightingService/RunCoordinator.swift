import Foundation
import Logging
import RewardWeightingCore
import RewardWeightingKernels
import RewardWeightingPolicy
import RewardWeightingStore

/// The layer between the transports and the policy (design §2: transport → validation → **RunCoordinator** →
/// kernels → policy → store → reply). Transports hand it validated core values and the caller's
/// ``Principal``, and map its ``ServiceError``s to their statuses; it knows nothing of gRPC or HTTP. The read
/// models (``ParetoFront``, ``StepHistory``, ``RunListing``) are computed here too, so every transport shows the
/// same thing.
///
/// **Per-run serialisation.** Each active run has one actor, created lazily from the store and cached: the
/// mutations of a run happen one at a time, in arrival order, while different runs proceed in parallel.
///
/// **Idempotency.** Every mutating call names a (run, kind, step). A retry with the same payload returns the
/// stored reply and changes nothing; a different payload for the run's last applied step of that kind is
/// ``ServiceError/Code/alreadyExists``; a step below it is ``ServiceError/Code/failedPrecondition`` (resume the
/// run first). A new report is applied by the policy and stored — event, decision and new state in one
/// transaction — before the reply is returned. A call that fails changes nothing.
///
/// **Several processes** (replicas sharing a database) are safe: a write that finds the run changed reloads it
/// and starts over, so a step is never applied twice. Watch streams only see the events applied by this
/// process, and reads (``getRun(_:as:)``, ``listRuns(pageSize:pageToken:order:filter:as:)``,
/// ``events(runID:fromSequence:limit:as:)``) go to the store.
///
/// **Kernels** run on the ``KernelBackend`` (in-process by default): the policy says what a report needs
/// measured, the backend computes it, the policy applies the result.
public struct RunCoordinator: Sendable {
    /// The page size of ``listRuns(pageSize:pageToken:order:)`` when 0 is asked.
    public static let defaultPageSize = 50
    /// The largest page size of ``listRuns(pageSize:pageToken:order:)``; larger requests get this many.
    public static let maximumPageSize = 1000
    /// How many live events a watcher may leave unread before its stream ends with
    /// ``ServiceError/Code/resourceExhausted``.
    public static let defaultWatchBufferLimit = 1024

    private let store: any RunStore
    private let kernels: any KernelBackend
    private let logger: Logger
    private let registry: RunRegistry
    private let metrics: ServiceMetrics
    /// The limits every call is checked against.
    public let limits: ServiceLimits

    /// Creates a coordinator over a store.
    /// - Parameters:
    ///   - watchBufferLimit: how many live events a watcher may leave unread (see ``defaultWatchBufferLimit``).
    ///   - summaryCacheLimit: how many recent Scalarize summaries a run keeps in memory to answer retries without
    ///     reading the store (see ``defaultSummaryCacheLimit``).
    ///   - summaryCacheSteps: of how many of its latest summarised steps a run keeps the summaries in memory (see
    ///     ``defaultSummaryCacheSteps``); a retry of an older step reads the store.
    ///   - kernels: where the kernels run; in this process by default.
    ///   - metrics: where the service's own metrics go (``ServiceMetrics``); nowhere by default.
    ///   - limits: the sizes and counts a call may reach (``ServiceLimits``); the defaults by default.
    public init(
        store: any RunStore, kernels: any KernelBackend = InProcessKernels(), logger: Logger,
        watchBufferLimit: Int = RunCoordinator.defaultWatchBufferLimit,
        summaryCacheLimit: Int = RunCoordinator.defaultSummaryCacheLimit,
        summaryCacheSteps: Int = RunCoordinator.defaultSummaryCacheSteps, metrics: ServiceMetrics = .disabled,
        limits: ServiceLimits = .default
    ) {
        self.limits = limits
        let measured = MeasuredKernels(backend: kernels, metrics: metrics)
        self.store = store
        self.kernels = measured
        self.logger = logger
        self.metrics = metrics
        self.registry = RunRegistry(
            store: store, kernels: measured, logger: logger, watchBufferLimit: max(1, watchBufferLimit),
            summaryCacheLimit: max(1, summaryCacheLimit), summaryCacheSteps: max(1, summaryCacheSteps),
            metrics: metrics, maxBufferSize: limits.maxBufferSize)
    }

    /// Recent Scalarize summaries kept per run: 8192.
    public static let defaultSummaryCacheLimit = 8192

    /// Of how many of its latest summarised steps a run keeps the Scalarize summaries: 8, so that the cache does
    /// not grow with a run's length (a retry comes within seconds; 8 steps cover it).
    public static let defaultSummaryCacheSteps = 8

    // MARK: - Runs

    /// `CreateRun`, idempotent by run id.
    /// - Returns: the run, and whether this call created it (`false`: a run with the same config existed).
    /// - Throws: ``ServiceError/Code/alreadyExists`` (field `run_id`) when the run exists with another config.
    public func createRun(
        _ config: RunConfig, as principal: Principal = .open
    ) async throws(ServiceError) -> (run: Run, created: Bool) {
        try principal.checkMayWrite()
        guard config.dimension <= self.limits.maxObjectives else {
            throw ServiceLimits.exceeded(
                field: "config.objectives", "the run has \(config.dimension) objectives", key: "maxObjectives",
                value: self.limits.maxObjectives)
        }
        let count: Int
        do {
            count = try await self.store.countRuns(tenant: principal.tenant)
        } catch {
            throw ServiceError(error)
        }
        if count >= self.limits.maxRunsPerTenant {
            // A retry of a creation that succeeded gets its run, whatever the count.
            if let existing = try? await self.getRun(config.runID, as: principal), existing.config == config {
                return (existing, false)
            }
            throw ServiceLimits.exceeded(
                field: "run_id", "tenant \(principal.tenant) has \(count) runs", key: "maxRunsPerTenant",
                value: self.limits.maxRunsPerTenant)
        }
        let initialState = WeightingPolicy(config: config).initialState
        let stored: StoredRun
        do {
            stored = try await self.store.createRun(config, tenant: principal.tenant, initialState: initialState)
        } catch let error where error.code == .alreadyExists {
            let existing = try await self.getRun(config.runID, as: principal)
            guard existing.config == config else {
                throw ServiceError(
                    code: .alreadyExists, field: "run_id",
                    reason: "run \(quoted(config.runID)) exists already with a different config",
                    cause: error)
            }
            return (existing, false)
        } catch {
            throw ServiceError(error)
        }
        let run = try RunReplay.run(from: stored)
        self.metrics.eventsApplied(.created)
        self.registry.adopt(run)
        self.logger.info(
            "run created", metadata: ["run_id": "\(config.runID)", "method": "\(config.method.name.rawValue)"])
        return (run, true)
    }

    /// `GetRun`: the run as stored, its pending events folded (``RunReplay``).
    ///
    /// A run this process holds in memory is answered from memory when the store's version of it is the one in
    /// memory (one indexed read of its `runs` row): its actor's run is then, field for field, what the store
    /// holds, since the actor changes its run only once a write is durable. That spares the read of the snapshot
    /// and the fold of the events after it, whose cost grows with the run's log. When another process (a
    /// replica, a second server on the same SQLite file) wrote since, the run is read from the store.
    /// - Throws: ``ServiceError/Code/invalidArgument`` (field `run_id`) for an id that no run can have;
    ///   ``ServiceError/Code/notFound`` (field `run_id`).
    public func getRun(_ runID: String, as principal: Principal = .open) async throws(ServiceError) -> Run {
        try RunRegistry.checkRunID(runID)
        let key = principal.key(of: runID)
        if let actor = self.registry.cachedActor(for: key) {
            // The copy first, then the stored version: equal versions mean the copy was current at that read.
            let resident = await actor.run
            let version: Int
            do {
                version = try await self.store.version(of: resident.key)
            } catch {
                throw ServiceError(error)
            }
            if version == resident.version { return resident }
        }
        let stored: StoredRun
        do {
            stored = try await self.store.loadRun(key)
        } catch {
            throw ServiceError(error)
        }
        return try RunReplay.run(from: stored)
    }

    /// `ListRuns`: the runs that pass `filter` (archived runs included unless filtered out), a full page at a
    /// time: the store applies the filter.
    /// - Parameters:
    ///   - pageSize: 0 for ``defaultPageSize``; above ``maximumPageSize``, that many.
    ///   - pageToken: `nil` or empty for the first page, else the previous page's ``RunListing/nextPageToken``
    ///     (valid only with the same order and filter).
    ///   - filter: which runs, always within the principal's tenant (whatever `filter.tenant` says), unless the
    ///     principal ``Principal/listsEveryTenant`` (an admin that chose no tenant): then `filter.tenant` or every
    ///     tenant.
    /// - Throws: ``ServiceError/Code/invalidArgument`` for a negative `page_size` or a foreign `page_token`.
    public func listRuns(
        pageSize: Int, pageToken: String?, order: RunListOrder = .runID, filter: RunFilter = .all,
        as principal: Principal = .open
    ) async throws(ServiceError) -> RunListing {
        var filter = filter
        if !principal.listsEveryTenant { filter.tenant = principal.tenant }
        guard pageSize >= 0 else {
            throw ServiceError(
                code: .invalidArgument, field: "page_size",
                reason: "is \(pageSize); it must not be negative")
        }
        let size = pageSize == 0 ? Self.defaultPageSize : min(pageSize, Self.maximumPageSize)
        let token = pageToken.flatMap { $0.isEmpty ? nil : $0 }
        let page: RunPage
        do {
            page = try await self.store.listRuns(pageSize: size, pageToken: token, order: order, filter: filter)
        } catch {
            throw ServiceError(error)
        }
        var runs: [Run] = []
        runs.reserveCapacity(page.runs.count)
        for stored in page.runs { runs.append(try RunReplay.run(from: stored)) }
        return RunListing(runs: runs, nextPageToken: page.nextPageToken)
    }

    /// `ArchiveRun`: the run stays readable and refuses every later mutation. The archive is logged as the
    /// run's last event (with `reason`), its watch streams get it and then end. Archiving an archived run
    /// changes nothing.
    /// - Returns: the run as archived and the sequence number of its archive event.
    /// - Throws: ``ServiceError/Code/notFound``.
    public func archive(
        runID: String, reason: String = "", as principal: Principal = .open
    ) async throws(ServiceError) -> (run: Run, sequence: Int) {
        try principal.checkMayWrite()
        let actor = try await self.registry.actor(for: principal.key(of: runID))
        let archived = try await actor.archive(reason: reason)
        self.registry.evict(actor.key, ifItIs: actor)
        return archived
    }

    // MARK: - Trainer calls

    /// `Scalarize`: the rewards of `step` weighted with the run's weights and `r_pareto` for that step
    /// (``WeightingPolicy/scalarize(_:groupIDs:atStep:in:)``). Never changes the weights. Unless `validation`,
    /// the call's ``ScalarizeSummary`` is recorded in the log for dashboards (an identical retry records
    /// nothing more; a step may have several different summaries).
    /// - Throws: ``ServiceError/Code/invalidArgument`` (`step`, `rewards`, `group_ids`);
    ///   ``ServiceError/Code/failedPrecondition`` for an archived run (unless `validation`);
    ///   ``ServiceError/Code/notFound``.
    public func scalarize(
        runID: String, step: Int, rewards: ObjectiveMatrix, groupIDs: [Int]?, validation: Bool,
        as principal: Principal = .open
    ) async throws(ServiceError) -> ScalarizeResult {
        try await self.recordScalarization(
            runID: runID, step: step, rewards: rewards, groupIDs: groupIDs, validation: validation, as: principal
        ).result
    }

    /// As ``scalarize(runID:step:rewards:groupIDs:validation:)``, with the sequence number of the recorded
    /// summary in the run's log (the stored one's for an identical retry; 0 for `validation`).
    public func recordScalarization(
        runID: String, step: Int, rewards: ObjectiveMatrix, groupIDs: [Int]?, validation: Bool,
        as principal: Principal = .open
    ) async throws(ServiceError) -> (result: ScalarizeResult, sequence: Int) {
        // A validation batch records nothing: a read, which a viewer may make.
        if !validation { try principal.checkMayWrite() }
        guard rewards.storage.count <= self.limits.maxBatchValues else {
            throw ServiceLimits.exceeded(
                field: "rewards.values", "the batch has \(rewards.storage.count) values (N×K)", key: "maxBatchValues",
                value: self.limits.maxBatchValues)
        }
        let run = try await self.registry.actor(for: principal.key(of: runID))
        return try await run.scalarize(step: step, rewards: rewards, groupIDs: groupIDs, validation: validation)
    }

    /// `ReportGradients`: applies a gradient report (see ``WeightingPolicy``), or returns the stored decision of
    /// an identical earlier report.
    /// - Throws: ``ServiceError/Code/invalidArgument`` (wrong K, an update that overflows);
    ///   ``ServiceError/Code/failedPrecondition`` (not a gradient run, a step below the last applied one, an
    ///   archived run); ``ServiceError/Code/alreadyExists`` (the last applied step with a different payload);
    ///   ``ServiceError/Code/notFound``.
    public func reportGradients(
        runID: String, report: GradientReport, as principal: Principal = .open
    ) async throws(ServiceError) -> GradientDecision {
        try await self.recordGradients(runID: runID, report: report, as: principal).decision
    }

    /// As ``reportGradients(runID:report:)``, with the sequence number of the event in the run's log (the
    /// stored one's, for a retry).
    public func recordGradients(
        runID: String, report: GradientReport, as principal: Principal = .open
    ) async throws(ServiceError) -> (decision: GradientDecision, sequence: Int) {
        try principal.checkMayWrite()
        let run = try await self.registry.actor(for: principal.key(of: runID))
        let stored = try await run.report(.gradients(report))
        guard case .gradients(let gradients) = stored.decision else {
            throw Self.mismatchedDecision(stored.decision, runID: runID, expected: .gradients)
        }
        return (gradients, stored.sequence)
    }

    /// As ``recordGradients(runID:report:as:)`` for a trainer that sends its K projected gradient vectors: the
    /// Gram matrix `G = P·Pᵀ` is computed on the kernel backend, and only it is recorded.
    /// - Parameter gradients: the K vectors as the rows of a K×D matrix.
    /// - Throws: ``ServiceError/Code/invalidArgument`` (field `gradients`) for an inner product that overflows;
    ///   as ``recordGradients(runID:report:as:)``.
    public func recordGradients(
        runID: String, step: Int, projectedGradients gradients: ObjectiveMatrix, learningRate: Double?,
        as principal: Principal = .open
    ) async throws(ServiceError) -> (decision: GradientDecision, sequence: Int) {
        try principal.checkMayWrite()
        return try await self.recordGradients(runID: runID, step: step, learningRate: learningRate, as: principal) {
            () async throws(KernelError) in try await self.kernels.gram(ofGradients: gradients)
        }
    }

    /// `ReportProjectedGradients`: as ``recordGradients(runID:report:as:)`` for K float32 vectors of length D
    /// that `slices` streams (``RewardWeightingCore/Float32GramAccumulator``): `G = M·Mᵀ` is computed on the kernel
    /// backend as the slices arrive, then recorded as if the trainer had sent G. The run, its method and K are
    /// checked before any slice is read.
    /// - Throws: ``ServiceError/Code/notFound``; ``ServiceError/Code/failedPrecondition`` (not a gradient run,
    ///   an archived run) and ``ServiceError/Code/invalidArgument`` (field `gram` for another K) before the
    ///   slices; then the kernel's errors (fields `slice.offset`, `slice.float32_values`, `slices`), and those of
    ///   ``recordGradients(runID:report:as:)``.
    public func recordGradients(
        runID: String, step: Int, float32Gradients objectives: Int, dimension: Int, learningRate: Double?,
        slices: @escaping @Sendable (Float32GradientSliceWriter) async throws(KernelError) -> Void,
        as principal: Principal = .open
    ) async throws(ServiceError) -> (decision: GradientDecision, sequence: Int) {
        try principal.checkMayWrite()
        let actor = try await self.registry.actor(for: principal.key(of: runID))
        try await actor.checkActive()
        do throws(PolicyError) {
            try WeightingPolicy(config: await actor.run.config).checkGradients(ofDimension: objectives)
        } catch {
            throw ServiceError(error)
        }
        return try await self.recordGradients(runID: runID, step: step, learningRate: learningRate, as: principal) {
            () async throws(KernelError) in
            try await self.kernels.gram(ofFloat32Gradients: objectives, dimension: dimension, slices: slices)
        }
    }

    /// Records the gradient report of the Gram matrix that `gram` computes on the kernel backend.
    private func recordGradients(
        runID: String, step: Int, learningRate: Double?, as principal: Principal,
        gram: () async throws(KernelError) -> GramMatrix
    ) async throws(ServiceError) -> (decision: GradientDecision, sequence: Int) {
        let computed: GramMatrix
        do throws(KernelError) {
            computed = try await gram()
        } catch {
            throw ServiceError(error)
        }
        let report: GradientReport
        do throws(ValidationError) {
            report = try GradientReport(step: step, gram: computed, learningRate: learningRate)
        } catch {
            throw ServiceError(error)
        }
        return try await self.recordGradients(runID: runID, report: report, as: principal)
    }

    /// `ReportCheckpoint`: applies a checkpoint report (see ``WeightingPolicy``), or returns the stored decision
    /// of an identical earlier report.
    /// - Throws: as ``reportGradients(runID:report:)``, without the method restriction (every method takes
    ///   checkpoints).
    public func reportCheckpoint(
        runID: String, report: CheckpointReport, as principal: Principal = .open
    ) async throws(ServiceError) -> CheckpointDecision {
        try await self.recordCheckpoint(runID: runID, report: report, as: principal).decision
    }

    /// As ``reportCheckpoint(runID:report:as:)``, with the sequence number of the event in the run's log (the
    /// stored one's, for a retry) and the Pareto front right after this checkpoint (from the run's state in
    /// memory, also for a retry answered from the log).
    public func recordCheckpoint(
        runID: String, report: CheckpointReport, as principal: Principal = .open
    ) async throws(ServiceError) -> (decision: CheckpointDecision, sequence: Int, front: ParetoFront) {
        try principal.checkMayWrite()
        let actor = try await self.registry.actor(for: principal.key(of: runID))
        let stored = try await actor.report(.checkpoint(report))
        guard case .checkpoint(let checkpoint) = stored.decision else {
            throw Self.mismatchedDecision(stored.decision, runID: runID, expected: .checkpoint)
        }
        let front = try await ParetoFront.of(
            await actor.run, afterStep: checkpoint.step, kernels: self.kernels, store: self.store)
        return (checkpoint, stored.sequence, front)
    }

    /// `ResumeRun`: after a trainer restarted from its checkpoint of `fromStep`, rewinds the run to the replay
    /// of its events with step `≤ fromStep` (``WeightingPolicy/resume(_:fromStep:)``); the later events stay in
    /// the log, marked superseded, the rewind is logged as a resumed event (streamed to watchers), and the
    /// trainer reports `fromStep + 1` next. When no event has a step after `fromStep` — a resume to the latest
    /// step, or a retry with nothing reported since — nothing changes and nothing is logged; a second resume to
    /// the same step after steps were reported again rewinds again (and is logged again).
    /// - Returns: the run after the resume, how many events it marked superseded, and the sequence number of
    ///   the resume event (the run's last sequence number when nothing changed).
    /// - Throws: ``ServiceError/Code/invalidArgument`` (field `from_step`) for a negative step;
    ///   ``ServiceError/Code/failedPrecondition`` for an archived run (field `run_id`) or a `from_step` after the
    ///   run's latest step of any kind (field `from_step`; 0 for a run without events);
    ///   ``ServiceError/Code/notFound``.
    public func resume(
        runID: String, fromStep: Int, as principal: Principal = .open
    ) async throws(ServiceError) -> (run: Run, supersededEvents: Int, sequence: Int) {
        try principal.checkMayWrite()
        guard fromStep >= 0 else {
            throw ServiceError(
                code: .invalidArgument, field: "from_step",
                reason: "is \(fromStep); it must be at least 0")
        }
        let run = try await self.registry.actor(for: principal.key(of: runID))
        return try await run.resume(fromStep: fromStep)
    }

    // MARK: - History

    /// The run's log from sequence number `fromSequence` on (0 and 1 both mean the start), superseded events
    /// included and flagged.
    /// - Parameters:
    ///   - limit: the most events to return, `≥ 1`, or `nil` for all.
    /// - Throws: ``ServiceError/Code/invalidArgument`` (`from_sequence`, `limit`); ``ServiceError/Code/notFound``.
    public func events(
        runID: String, fromSequence: Int = 1, limit: Int? = nil, as principal: Principal = .open
    ) async throws(ServiceError) -> [StoredEvent] {
        try RunRegistry.checkRunID(runID)
        try Self.checkSequence(fromSequence)
        if let limit, limit < 1 {
            throw ServiceError(
                code: .invalidArgument, field: "limit", reason: "is \(limit); it must be at least 1")
        }
        do {
            return try await self.store.events(run: principal.key(of: runID), fromSequence: fromSequence, limit: limit)
        } catch {
            throw ServiceError(error)
        }
    }

    /// `WatchRun`: the stored events from `fromSequence` on (superseded ones flagged), then every event the run
    /// applies, as it is committed, in log order. The stream ends when the caller stops iterating (cancellation
    /// unregisters it), when the run is archived, or at ``finishWatches()``; it ends with
    /// ``ServiceError/Code/resourceExhausted`` when the caller falls more than the watch buffer limit behind
    /// (watch again from the next sequence number). Life-cycle events are streamed too: a resumed event tells
    /// a live watcher that the events it saw with a step after the resume's are superseded (they are sent as
    /// recorded, not superseded); an archived event is the last one.
    /// - Parameter fromSequence: the first sequence number to stream, or `nil` for the live events only (those
    ///   committed after the call).
    /// - Throws: ``ServiceError/Code/invalidArgument`` (`from_sequence`); ``ServiceError/Code/notFound``.
    public func watch(
        runID: String, fromSequence: Int? = 1, as principal: Principal = .open
    ) async throws(ServiceError) -> AsyncThrowingStream<StoredEvent, any Error> {
        if let fromSequence { try Self.checkSequence(fromSequence) }
        while true {
            let run = try await self.registry.actor(for: principal.key(of: runID))
            // `nil`: the run's actor was evicted as idle between the look-up and the watch; the next look-up
            // loads a new one.
            if let stream = try await run.watch(fromSequence: fromSequence) { return stream }
        }
    }

    /// Drops the runs that no call has used for `timeout` and that no stream watches from this process's memory,
    /// every `interval` (by default a quarter of `timeout`, at most a minute), until the calling task is
    /// cancelled. A dropped run is loaded from the store again on its next call, with an empty summary cache
    /// (retries are answered from the log, as after a restart), so nothing a caller sees changes but the latency
    /// of that call.
    public func evictIdleRuns(after timeout: Duration, every interval: Duration? = nil) async {
        let period = interval ?? min(timeout / 4, .seconds(60))
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: period)
            } catch {
                return
            }
            self.registry.evictIdle(before: .now - timeout)
        }
    }

    /// How many runs this process holds in memory now (``evictIdleRuns(after:every:)`` drops the idle ones).
    public var cachedRunCount: Int { self.registry.cached.count }

    /// Keeps this process's runs up to date with the writes of the other processes that share its store, until
    /// the calling task is cancelled: every cached run that another process wrote is caught up (its `WatchRun`
    /// streams get the events, its reads and next writes start from the new state), and after a gap in the
    /// store's feed every cached run is re-checked. Returns at once for a store without a feed
    /// (``RunChangeFeed``): one process owns it and makes every write itself.
    public func followStoreChanges() async {
        guard let feed = self.store as? any RunChangeFeed else { return }
        let registry = self.registry
        await feed.followChanges(
            onChange: { change in
                await registry.cachedActor(for: change.run)?.catchUp(toVersion: change.version)
            },
            onGap: {
                for actor in registry.cached { await actor.catchUp(toVersion: nil) }
            })
    }

    // MARK: - Read models

    /// The run's Pareto front after its checkpoint of `step` (after every checkpoint when `nil`), with its
    /// hypervolume and, when asked, each point's exclusive contribution.
    /// - Throws: ``ServiceError/Code/notFound``; kernel failures.
    public func front(
        runID: String, afterStep step: Int? = nil, contributions: Bool = false, as principal: Principal = .open
    ) async throws(ServiceError) -> ParetoFront {
        try await ParetoFront.of(
            try await self.getRun(runID, as: principal), afterStep: step, contributions: contributions,
            kernels: self.kernels, store: self.store)
    }

    /// The Pareto front of a run already read (``getRun(_:as:)``, ``listRuns(pageSize:pageToken:order:filter:as:)``)
    /// after its checkpoint of `step` (after every checkpoint when `nil`).
    /// - Throws: kernel failures.
    public func front(
        of run: Run, afterStep step: Int? = nil, contributions: Bool = false
    ) async throws(ServiceError) -> ParetoFront {
        try await ParetoFront.of(
            run, afterStep: step, contributions: contributions, kernels: self.kernels, store: self.store)
    }

    /// The hypervolume of the run's buffer right after the checkpoint event `stored` (of a run of the principal's
    /// tenant); `nil` for other events and for checkpoints the run no longer holds (superseded by a resume).
    ///
    /// The buffer is the run's state's when the state keeps the checkpoint; an older one is folded from the run's
    /// log, which `tracking` keeps for the stream (``WatchedBufferHypervolumes``), so that a `WatchRun` stream
    /// replaying a long log reads it once and folds each checkpoint once. A resumed event passed through here
    /// clears `tracking` (the log it read has changed).
    /// - Parameter tracking: the stream's log and fold so far; a new value at the stream's start.
    public func bufferHypervolume(
        after stored: StoredEvent, as principal: Principal = .open, tracking: inout WatchedBufferHypervolumes
    ) async throws(ServiceError) -> Double? {
        if case .resumed = stored.decision { tracking.reset() }
        guard case .checkpoint(let checkpoint) = stored.decision, !stored.isSuperseded else { return nil }
        let actor = try await self.registry.actor(for: principal.key(of: stored.runID))
        let run = await actor.run
        var buffer: ParetoBuffer?
        switch run.state.recentCheckpoints.last(where: { $0.step <= checkpoint.step }) {
        case .found(let kept):
            // The state keeps the run's checkpoints from `kept` on: this one is the run's only if it is `kept`.
            guard kept == checkpoint else { return nil }
            buffer = WeightingPolicy(config: run.config).paretoBuffer(of: run.state, afterStep: checkpoint.step)
        case .none:
            return nil
        case .beforeWindow:
            break
        }
        if buffer == nil {
            buffer = try await tracking.buffer(after: checkpoint, of: run, store: self.store)
        }
        guard let buffer else { return nil }
        return try await ParetoFront.of(
            buffer, dimension: run.config.dimension, contributions: false, kernels: self.kernels
        ).hypervolume
    }

    /// The run's decisions as one row per step (``StepHistory``), limited to steps in `from...to`.
    /// - Throws: ``ServiceError/Code/notFound``; ``ServiceError/Code/unavailable`` while the store is.
    public func history(
        runID: String, from: Int? = nil, to: Int? = nil, as principal: Principal = .open
    ) async throws(ServiceError) -> StepHistory {
        try await self.history(of: try await self.getRun(runID, as: principal), from: from, to: to)
    }

    /// The history of a run already read (``getRun(_:as:)``), limited to steps in `from...to`: the run's state
    /// and its log up to the run's event count.
    /// - Throws: ``ServiceError/Code/unavailable`` while the store is.
    public func history(of run: Run, from: Int? = nil, to: Int? = nil) async throws(ServiceError) -> StepHistory {
        let events: [StoredEvent]
        do {
            events = try await self.store.events(run: run.key, fromSequence: 1, limit: run.eventCount)
        } catch {
            throw ServiceError(error)
        }
        return StepHistory.of(run, events: events, from: from, to: to)
    }

    /// How many watch streams of the run are open (0 for a run no stream watches): for dashboards of the
    /// service itself, and for tests that must know a live watch has subscribed.
    public func watcherCount(runID: String, as principal: Principal = .open) async -> Int {
        guard let run = self.registry.cachedActor(for: principal.key(of: runID)) else { return 0 }
        return await run.watcherCount
    }

    /// Ends every open watch stream normally, e.g. at graceful shutdown, so that server-streaming calls return.
    public func finishWatches() async {
        for run in self.registry.cached {
            await run.finishWatchers()
        }
    }

    // MARK: - Helpers

    private static func checkSequence(_ fromSequence: Int) throws(ServiceError) {
        guard fromSequence >= 0 else {
            throw ServiceError(
                code: .invalidArgument, field: "from_sequence",
                reason: "is \(fromSequence); it must be at least 0")
        }
    }

    private static func mismatchedDecision(
        _ decision: Decision, runID: String, expected: RunEvent.Kind
    ) -> ServiceError {
        ServiceError(
            code: .internal, field: "decision",
            reason: "run \(quoted(runID)) answered a \(expected.rawValue) report with a "
                + "\(decision.kind.rawValue) decision")
    }
}
