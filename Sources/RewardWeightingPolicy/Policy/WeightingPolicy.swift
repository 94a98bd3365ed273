import RewardWeightingCore

/// A run as a deterministic state machine: ``apply(_:to:)`` folds one event into a ``RunState`` and says
/// what it did; ``replay(_:)`` folds a whole event log. Pure: no I/O, no clock, no randomness — the same
/// config and events give the same state, bit for bit, on every machine.
///
/// **The rules** (the paper's Alg. 1 and 2, as its reference code times them):
/// - ``WeightingMethod/gradient(_:)``: a gradient report at step `t` adds `I = G·1` to the accumulator; when
///   `t % W == 0` the mean `Ī` updates `w ← softmax(log w + (η_t/μ)·Ī)` (``MirrorDescent``), with
///   `η_t` = the reported rate or `η·λ(t − 1)`. The new weights scalarise steps `≥ t`.
/// - ``WeightingMethod/hypervolume(_:)``: the weights never change. The first checkpoint becomes the
///   reference point unless the config gives one; every other checkpoint `v` at step `s` gets
///   `ΔHV = max(0, HV(B ∪ {v}) − HV(B))`, enters the buffer `B` iff `ΔHV > 0` (which then keeps only its
///   non-dominated points), and sets `r_pareto = f(ΔHV)` for the steps `> s`.
/// - ``WeightingMethod/fixed``: the weights never change, `r_pareto = 1`.
/// - Checkpoint reports are accepted by every method (the buffer is tracked for dashboards, `r_pareto` stays
///   1 outside the hypervolume method). Gradient reports are ``PolicyError/Code/wrongMethod`` outside the
///   gradient method: they cost the trainer K extra backward passes per step, so a run that ignores them
///   says so.
///
/// **Steps** are the trainer's global steps: gradients `≥ 1` (verl's 1-based `global_steps`; the schedule
/// needs them), checkpoints and Scalarize `≥ 0` (step 0 is the initial model's validation).
///
/// **Ordering, retries, resume.** Within a kind, gradient and checkpoint steps must strictly increase:
/// a lower step is ``PolicyError/Code/stepOutOfOrder`` (`FAILED_PRECONDITION`), an equal one
/// ``PolicyError/Code/duplicateStep`` (`ALREADY_EXISTS`). The policy does not recognise retries: the store
/// answers a retry (same run, kind, step and payload digest) with the stored decision before calling the
/// policy, and only new reports reach it. Steps of different kinds are independent. Scalarize summaries are
/// informational and never refused for their step (a step may have several, in any order). A trainer that
/// restarts from an older checkpoint calls `ResumeRun(from_step)`: ``resume(_:fromStep:)`` refolds the
/// events with step `≤ from_step`; the store marks the later ones superseded.
///
/// **Life-cycle entries** of the log (``RunEvent/created(_:)``, ``RunEvent/resumed(_:)``,
/// ``RunEvent/archived(_:)``) fold to no change: a rewind is the superseding of later events, which the
/// store records, and a run's status is not part of its state.
///
/// **Errors.** A failed ``apply(_:to:)`` returns nothing and leaves the caller's state as it was (value
/// semantics); see ``PolicyError`` for the status each code maps to.
public struct WeightingPolicy: Hashable, Sendable {
    /// The run's configuration.
    public let config: RunConfig

    /// The policy of a run.
    public init(config: RunConfig) {
        self.config = config
    }

    /// The state before any event (``RunState/init(config:)``).
    public var initialState: RunState { RunState(config: self.config) }

    /// The kernel computation `event` needs before it can be applied to `state`, or `nil` when it needs none.
    ///
    /// The service runs the query on its kernel backend and passes the result to ``apply(_:to:measured:)``;
    /// only a checkpoint that does not become the reference point needs one (its ΔHV against the buffer).
    /// - Throws: the ``PolicyError`` that applying the event would throw for its K or its step, so that no
    ///   kernel runs for a report the run refuses.
    public func measurement(for event: RunEvent, in state: RunState) throws(PolicyError) -> KernelQuery? {
        try self.checkOwnership(of: state)
        guard case .checkpoint(let report) = event else { return nil }
        return try self.hypervolumeQuery(for: report, in: state)
    }

    /// Applies one event to `state` with the kernel results it needs (``measurement(for:in:)``): the live
    /// path gets them from a kernel backend, a replay from the event's recorded decision
    /// (``KernelMeasurements/recorded(in:)``).
    ///
    /// - Returns: the new state and what the event did.
    /// - Throws: ``PolicyError``: `invalidArgument` (wrong K, an update that overflows), `wrongMethod`,
    ///   `stepOutOfOrder`, `duplicateStep`, `inconsistentState` (a state not started from this config, or a
    ///   measurement missing or not finite).
    public func apply(
        _ event: RunEvent, to state: RunState, measured: KernelMeasurements
    ) throws(PolicyError) -> (state: RunState, decision: Decision) {
        try self.checkOwnership(of: state)
        var next = state
        let decision: Decision
        switch event {
        case .gradients(let report):
            decision = .gradients(try self.applyGradients(report, to: &next))
        case .checkpoint(let report):
            decision = .checkpoint(try self.applyCheckpoint(report, to: &next, measured: measured))
        case .scalarizeSummary(let summary):
            try self.recordScalarizeSummary(summary, in: &next)
            decision = .scalarizeSummary(summary)
        case .created(let creation):
            // Life-cycle entries fold to no change: the state is what the reports made it.
            return (state, .created(creation))
        case .resumed(let resumption):
            return (state, .resumed(resumption))
        case .archived(let archival):
            return (state, .archived(archival))
        }
        next.appliedEventCount += 1
        return (next, decision)
    }

    /// Applies one event to `state`, computing what it needs with the core's kernels in this process: the
    /// measurement of ``measurement(for:in:)`` handed to ``apply(_:to:measured:)``. For offline use (tests,
    /// `rwctl`, simulations); the service measures through its kernel backend instead.
    ///
    /// - Returns: the new state and what the event did.
    /// - Throws: as ``apply(_:to:measured:)``.
    public func apply(
        _ event: RunEvent, to state: RunState
    ) throws(PolicyError) -> (state: RunState, decision: Decision) {
        try self.apply(event, to: state, measured: try self.measureInProcess(event, in: state))
    }

    /// Folds a recorded log — each event with the decision it produced — over `state`, taking every kernel
    /// result from the decisions (``KernelMeasurements/recorded(in:)``): no kernel runs, and the state is the
    /// one the live path reached, bit for bit.
    /// - Throws: the first event's ``PolicyError``.
    public func refold(
        _ log: some Sequence<(event: RunEvent, decision: Decision)>, over state: RunState
    ) throws(PolicyError) -> RunState {
        var state = state
        for entry in log {
            state = try self.apply(entry.event, to: state, measured: .recorded(in: entry.decision)).state
        }
        return state
    }

    /// The measurement of `event` computed with the core's kernels in this process.
    private func measureInProcess(_ event: RunEvent, in state: RunState) throws(PolicyError) -> KernelMeasurements {
        switch try self.measurement(for: event, in: state) {
        case nil:
            return .none
        case .hypervolumeImprovement(let candidate, let buffer, let reference):
            do throws(ValidationError) {
                return KernelMeasurements(
                    hypervolumeImprovement: try Hypervolume.improvement(
                        adding: candidate, to: buffer, reference: reference))
            } catch {
                throw PolicyError(.inconsistentState, wrapping: error)
            }
        }
    }

    /// Folds `events`, in order, over the initial state: the state a run reaches through them. The stored
    /// snapshot of a run equals `replay` of its (not superseded) events, bit for bit.
    /// - Throws: the first event's ``PolicyError``.
    public func replay(_ events: some Sequence<RunEvent>) throws(PolicyError) -> RunState {
        var state = self.initialState
        for event in events {
            state = try self.apply(event, to: state).state
        }
        return state
    }

    /// ``replay(_:)`` for a config.
    public static func replay(config: RunConfig, events: some Sequence<RunEvent>) throws(PolicyError) -> RunState {
        try WeightingPolicy(config: config).replay(events)
    }

    /// The state after `ResumeRun(from_step)`: the replay of the events with step `≤ fromStep`, in order (the
    /// trainer restarts from its checkpoint of `fromStep` and reports `fromStep + 1` next). A `fromStep` at or
    /// beyond the last event's step changes nothing.
    /// - Throws: ``PolicyError``: `invalidArgument` (field `from_step`) for `fromStep < 0`; the replay's errors.
    public func resume(_ events: some Sequence<RunEvent>, fromStep: Int) throws(PolicyError) -> RunState {
        guard fromStep >= 0 else {
            throw PolicyError(
                code: .invalidArgument, field: "from_step", reason: "is \(fromStep); it must be at least 0")
        }
        return try self.replay(events.lazy.filter { $0.step <= fromStep })
    }

    /// ``resume(_:fromStep:)`` over a recorded log: the refold (``refold(_:over:)``) of the entries with step
    /// `≤ fromStep` over the initial state, with every kernel result taken from the recorded decisions.
    /// - Throws: ``PolicyError``: `invalidArgument` (field `from_step`) for `fromStep < 0`; the refold's errors.
    public func resume(
        recorded log: some Sequence<(event: RunEvent, decision: Decision)>, fromStep: Int
    ) throws(PolicyError) -> RunState {
        guard fromStep >= 0 else {
            throw PolicyError(
                code: .invalidArgument, field: "from_step", reason: "is \(fromStep); it must be at least 0")
        }
        return try self.refold(log.lazy.filter { $0.event.step <= fromStep }, over: self.initialState)
    }

    /// The Pareto buffer of `state` in the objectives' own units (minimised objectives no longer negated), in
    /// the order the points entered: the run's current front for dashboards.
    public func paretoFront(of state: RunState) -> [[Double]] {
        state.paretoBuffer.map { point in
            zip(point, self.config.objectives).map { value, objective in objective.direction.sign * value }
        }
    }

    /// Refuses a step that is not after the last applied step of its kind.
    func checkOrder(_ step: Int, after last: Int?, kind: String) throws(PolicyError) {
        guard let last else { return }
        if step < last {
            throw PolicyError(
                code: .stepOutOfOrder, field: "step",
                reason: "is \(step), below the last applied \(kind) step \(last); a trainer that restarted "
                    + "from an earlier checkpoint must resume the run from that step first")
        }
        if step == last {
            throw PolicyError(
                code: .duplicateStep, field: "step",
                reason: "\(kind) for step \(step) were already applied with a different payload")
        }
    }

    /// Refuses a state that was not started from this config (another K or other initial weights).
    func checkOwnership(of state: RunState) throws(PolicyError) {
        guard state.dimension == self.config.dimension else {
            throw PolicyError(
                code: .inconsistentState, field: "state",
                reason: "has K = \(state.dimension) objectives but run \(quoted(self.config.runID)) has "
                    + "K = \(self.config.dimension)")
        }
        guard state.initialWeights == self.config.initialWeights.values else {
            throw PolicyError(
                code: .inconsistentState, field: "state",
                reason: "its initial weights differ from those of run \(quoted(self.config.runID)); it belongs "
                    + "to another run")
        }
    }
}
