import RewardWeightingCore

/// The state of one run: the fold of its events over ``init(config:)`` (``WeightingPolicy/replay(_:)``).
///
/// Only ``WeightingPolicy`` changes a state, and every value in it comes out of the core's validated types, so
/// it holds no NaN or ∞. Decoding checks the same invariants (finite values, K entries everywhere, weights
/// that are valid weights, increasing steps, summaries that agree with the histories) and throws a
/// ``ValidationError`` whose field starts with `state.` when a stored state breaks one.
///
/// A state's size does not grow with the run's length: of the weight and checkpoint histories it keeps the
/// latest ``RecentHistory/capacity`` entries (``recentWeightUpdates``, ``recentCheckpoints``), and the Pareto
/// buffer's own checkpoints. Older entries are read from the run's log (``DecisionHistory``) by the few reads
/// that need them. States stored before, with whole histories, decode to the same state a replay gives now.
///
/// Points of the hypervolume method (``referencePoint``, ``paretoBuffer``, ``CheckpointDecision/point``) are
/// kept **in the maximisation convention**: the coordinates of minimised objectives are negated (exactly;
/// no normalisation), as every kernel expects. ``WeightingPolicy/paretoFront(of:)`` maps the buffer back to the
/// reported units. Weights are kept exactly as the update produced them; they are turned into a
/// ``WeightVector`` (which renormalises, a change of at most a few ulps) each time they are used, the same way
/// on the live path and on replay, so the state stays bit-identical.
public struct RunState: Codable, Hashable, Sendable {
    /// The weights in effect for the next Scalarize calls (the latest update's, or the initial weights).
    public internal(set) var weights: [Double]
    /// The run's initial weights, normalised.
    public let initialWeights: [Double]
    /// The latest weight updates of a gradient run, in step order (empty for the other methods); the older ones
    /// are in the run's log (``DecisionHistory/weightUpdates``).
    public internal(set) var recentWeightUpdates: RecentHistory<WeightUpdate>
    /// The gradient reports accumulated since the last update.
    public internal(set) var gradientAccumulator: GradientAccumulator
    /// The hypervolume reference point in the maximisation convention: from the config, or the first
    /// checkpoint's scores; `nil` until one of them exists.
    public internal(set) var referencePoint: [Double]?
    /// The step of the checkpoint that became the reference point, or `nil` (config reference or none yet).
    public internal(set) var referenceStep: Int?
    /// The decisions of the checkpoints whose points form the Pareto buffer `B`, in the order they entered.
    /// States stored before it was kept get it when decoded, from their whole checkpoint history.
    public internal(set) var paretoBufferCheckpoints: [CheckpointDecision]
    /// HV of ``paretoBuffer`` against ``referencePoint``, as the sum of the ΔHV of every point that entered it,
    /// kept for runs with the ``HypervolumeScale/relative`` scale only (0 for every other run). States stored
    /// before it existed read it as 0; only runs created since can use that scale.
    public internal(set) var bufferHypervolume: Double
    /// The current `r_pareto`: the latest checkpoint's meta-reward, 1 before any.
    public internal(set) var metaReward: Double
    /// The step of the checkpoint that set ``metaReward``, or `nil` before any.
    public internal(set) var metaRewardStep: Int?
    /// The latest checkpoint decisions, in step order; the older ones are in the run's log
    /// (``DecisionHistory/checkpoints``).
    public internal(set) var recentCheckpoints: RecentHistory<CheckpointDecision>
    /// The step of the last gradient report applied.
    public internal(set) var lastGradientStep: Int?
    /// The step of the last checkpoint report applied.
    public internal(set) var lastCheckpointStep: Int?
    /// The highest step of a recorded Scalarize summary.
    public internal(set) var scalarizedThroughStep: Int?
    /// The recorded Scalarize summary of the highest step (the last one recorded for that step).
    public internal(set) var latestScalarizeSummary: ScalarizeSummary?
    /// How many reports (gradients, checkpoints, Scalarize summaries) have been applied; life-cycle entries
    /// do not count.
    public internal(set) var appliedEventCount: Int
    /// For runs whose Tchebycheff scalarisation tracks its ideal point: the component-wise maximum of the rewards
    /// of every batch recorded before the first batch of step ``scalarizedThroughStep``, frozen for that step;
    /// `nil` otherwise or before such a batch.
    public internal(set) var idealPointBeforeLatestStep: [Double]?
    /// The same over every recorded batch, whatever its step.
    public internal(set) var idealPointOfRecordedBatches: [Double]?

    /// The state of a new run, before any event: the config's initial weights, `r_pareto = 1`, the config's
    /// reference point (mapped to the maximisation convention) if it gives one, an empty buffer.
    public init(config: RunConfig) {
        let k = config.dimension
        self.weights = config.initialWeights.values
        self.initialWeights = config.initialWeights.values
        self.recentWeightUpdates = RecentHistory()
        self.gradientAccumulator = GradientAccumulator(dimension: k)
        self.referencePoint = config.method.hypervolumeSettings?.referencePoint.map { reference in
            zip(reference, config.objectives).map { value, objective in objective.direction.sign * value }
        }
        self.referenceStep = nil
        self.paretoBufferCheckpoints = []
        self.bufferHypervolume = 0
        self.metaReward = 1
        self.metaRewardStep = nil
        self.recentCheckpoints = RecentHistory()
        self.lastGradientStep = nil
        self.lastCheckpointStep = nil
        self.scalarizedThroughStep = nil
        self.latestScalarizeSummary = nil
        self.appliedEventCount = 0
        self.idealPointBeforeLatestStep = nil
        self.idealPointOfRecordedBatches = nil
    }

    /// K, the number of objectives.
    public var dimension: Int { self.initialWeights.count }

    /// The last applied step of a kind of event (for Scalarize summaries, the highest recorded step); `nil`
    /// for the life-cycle kinds, which the state does not track.
    public func lastAppliedStep(of kind: RunEvent.Kind) -> Int? {
        switch kind {
        case .gradients: self.lastGradientStep
        case .checkpoint: self.lastCheckpointStep
        case .scalarizeSummary: self.scalarizedThroughStep
        case .created, .resumed, .archived: nil
        }
    }

    /// The latest step of any report applied (0 for a run without reports): how far `ResumeRun` may rewind
    /// to, and the step an archive records.
    public var latestReportedStep: Int {
        RunEvent.Kind.reports.compactMap { self.lastAppliedStep(of: $0) }.max() ?? 0
    }

    /// The Pareto buffer `B`: the non-dominated checkpoint points that improved the hypervolume, in the
    /// maximisation convention, in the order they entered (the points of ``paretoBufferCheckpoints``).
    public var paretoBuffer: [[Double]] { self.paretoBufferCheckpoints.map(\.point) }

    /// The weights and meta-reward that scalarise the rewards of `step`, by the paper's timing rules:
    /// - weights: those of the latest update at a step `≤ step` (a gradient report's update applies to its own
    ///   step's rewards), or the initial weights;
    /// - `r_pareto`: that of the latest checkpoint at a step `< step` (the checkpoint after step `s` applies
    ///   to steps `> s`), or 1 before any.
    ///
    /// `nil` when the answer is older than the kept histories (a step before the oldest of the latest
    /// ``RecentHistory/capacity`` updates or checkpoints): ``DecisionHistory/scalarization(atStep:initialWeights:)``
    /// answers it from the run's log, by the same rules. O(log ``RecentHistory/capacity``).
    public func scalarization(atStep step: Int) -> StepScalarization? {
        guard self.keepsScalarization(ofStep: step) else { return nil }
        let update: WeightUpdate?
        switch self.recentWeightUpdates.last(where: { $0.step <= step }) {
        case .found(let found): update = found
        case .none: update = nil
        case .beforeWindow: return nil
        }
        let checkpoint: CheckpointDecision?
        switch self.recentCheckpoints.last(where: { $0.step < step }) {
        case .found(let found): checkpoint = found
        case .none: checkpoint = nil
        case .beforeWindow: return nil
        }
        return StepScalarization(
            step: step, update: update, checkpoint: checkpoint, initialWeights: self.initialWeights)
    }

    /// Whether the kept histories reach back to the weights and `r_pareto` of `step`: whether
    /// ``scalarization(atStep:)`` answers it. O(1).
    public func keepsScalarization(ofStep step: Int) -> Bool {
        (self.recentWeightUpdates.isComplete || self.recentWeightUpdates.first.map { $0.step <= step } ?? false)
            && (self.recentCheckpoints.isComplete || self.recentCheckpoints.first.map { $0.step < step } ?? false)
    }

    /// The latest checkpoint decision, if the run has one.
    public var latestCheckpoint: CheckpointDecision? { self.recentCheckpoints.last }

    /// The tracked ideal point that applies to a batch of `step`, before the batch's own maxima are taken in. For
    /// the latest recorded step: the maximum over every batch recorded before that step's first batch, frozen
    /// when it arrived, so that every batch of the step, a retry included, sees the same point whatever arrives
    /// meanwhile. For a new step (and for a batch older than the latest step): the maximum over every batch
    /// recorded so far. `nil` before any.
    public func trackedIdealPoint(beforeStep step: Int) -> [Double]? {
        guard let latest = self.scalarizedThroughStep, step != latest else {
            return self.scalarizedThroughStep == nil ? nil : self.idealPointBeforeLatestStep
        }
        return self.idealPointOfRecordedBatches
    }

    /// Takes a recorded batch's per-objective maxima into the tracked ideal point; called before
    /// ``scalarizedThroughStep`` moves to the batch's step.
    mutating func trackIdealPoint(_ maxima: [Double], atStep step: Int) {
        if step > (self.scalarizedThroughStep ?? Int.min) {
            self.idealPointBeforeLatestStep = self.idealPointOfRecordedBatches  // frozen for the new latest step
        }
        self.idealPointOfRecordedBatches = componentwiseMaximum(self.idealPointOfRecordedBatches, maxima)
    }

    private enum CodingKeys: String, CodingKey {
        case weights
        case initialWeights = "initial_weights"
        case recentWeightUpdates = "recent_weight_updates"
        case weightHistory = "weight_history"  // the whole history, in states stored before the window
        case gradientAccumulator = "gradient_accumulator"
        case referencePoint = "reference_point"
        case referenceStep = "reference_step"
        case paretoBufferCheckpoints = "pareto_buffer_checkpoints"
        case paretoBuffer = "pareto_buffer"  // in states stored before the buffer's checkpoints were kept
        case paretoBufferSteps = "pareto_buffer_steps"  // idem
        case bufferHypervolume = "buffer_hypervolume"
        case metaReward = "meta_reward"
        case metaRewardStep = "meta_reward_step"
        case recentCheckpoints = "recent_checkpoints"
        case checkpoints  // the whole history, in states stored before the window
        case lastGradientStep = "last_gradient_step"
        case lastCheckpointStep = "last_checkpoint_step"
        case scalarizedThroughStep = "scalarized_through_step"
        case latestScalarizeSummary = "latest_scalarize_summary"
        case appliedEventCount = "applied_event_count"
        case idealPointBeforeLatestStep = "ideal_point_before_latest_step"
        case idealPointOfRecordedBatches = "ideal_point_of_recorded_batches"
    }

    /// Decodes a stored state and checks its invariants (see the type's documentation).
    /// - Throws: `DecodingError` for a malformed document, ``ValidationError`` (field `state.…`) for a state
    ///   that breaks an invariant.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.weights = try c.decode([Double].self, forKey: .weights)
        self.initialWeights = try c.decode([Double].self, forKey: .initialWeights)
        self.recentWeightUpdates =
            try c.decodeIfPresent(RecentHistory<WeightUpdate>.self, forKey: .recentWeightUpdates)
            ?? RecentHistory(try c.decode([WeightUpdate].self, forKey: .weightHistory))
        self.gradientAccumulator = try c.decode(GradientAccumulator.self, forKey: .gradientAccumulator)
        self.referencePoint = try c.decodeIfPresent([Double].self, forKey: .referencePoint)
        self.referenceStep = try c.decodeIfPresent(Int.self, forKey: .referenceStep)
        self.bufferHypervolume = try c.decodeIfPresent(Double.self, forKey: .bufferHypervolume) ?? 0
        self.metaReward = try c.decode(Double.self, forKey: .metaReward)
        self.metaRewardStep = try c.decodeIfPresent(Int.self, forKey: .metaRewardStep)
        if let recent = try c.decodeIfPresent(RecentHistory<CheckpointDecision>.self, forKey: .recentCheckpoints) {
            self.recentCheckpoints = recent
            self.paretoBufferCheckpoints = try c.decode([CheckpointDecision].self, forKey: .paretoBufferCheckpoints)
        } else {
            // A state stored with its whole checkpoint history: the buffer's checkpoints are named by their steps,
            // or, stored before the steps were kept, each point is that of the latest checkpoint with it.
            let checkpoints = try c.decode([CheckpointDecision].self, forKey: .checkpoints)
            let points = try c.decode([[Double]].self, forKey: .paretoBuffer)
            let steps = try c.decodeIfPresent([Int].self, forKey: .paretoBufferSteps)
            let history = DecisionHistory(checkpoints.map(Decision.checkpoint))
            if let steps, steps.count != points.count {
                throw stateError("state.pareto_buffer_steps", "do not name the checkpoints of the buffer's points")
            }
            self.recentCheckpoints = RecentHistory(checkpoints)
            self.paretoBufferCheckpoints = try points.enumerated().map { index, point in
                let found =
                    steps.map { index < $0.count ? history.checkpoint(atStep: $0[index]) : nil }
                    ?? checkpoints.last { $0.point == point }
                guard let found, found.point == point else {
                    throw stateError("state.pareto_buffer_steps", "do not name the checkpoints of the buffer's points")
                }
                return found
            }
        }
        self.lastGradientStep = try c.decodeIfPresent(Int.self, forKey: .lastGradientStep)
        self.lastCheckpointStep = try c.decodeIfPresent(Int.self, forKey: .lastCheckpointStep)
        self.scalarizedThroughStep = try c.decodeIfPresent(Int.self, forKey: .scalarizedThroughStep)
        self.latestScalarizeSummary = try c.decodeIfPresent(ScalarizeSummary.self, forKey: .latestScalarizeSummary)
        self.appliedEventCount = try c.decode(Int.self, forKey: .appliedEventCount)
        self.idealPointBeforeLatestStep = try c.decodeIfPresent([Double].self, forKey: .idealPointBeforeLatestStep)
        self.idealPointOfRecordedBatches = try c.decodeIfPresent(
            [Double].self, forKey: .idealPointOfRecordedBatches)
        try self.checkInvariants()
    }

    /// Encodes the state (the keys of ``init(from:)``, without those only older states have).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(self.weights, forKey: .weights)
        try c.encode(self.initialWeights, forKey: .initialWeights)
        try c.encode(self.recentWeightUpdates, forKey: .recentWeightUpdates)
        try c.encode(self.gradientAccumulator, forKey: .gradientAccumulator)
        try c.encodeIfPresent(self.referencePoint, forKey: .referencePoint)
        try c.encodeIfPresent(self.referenceStep, forKey: .referenceStep)
        try c.encode(self.paretoBufferCheckpoints, forKey: .paretoBufferCheckpoints)
        try c.encode(self.bufferHypervolume, forKey: .bufferHypervolume)
        try c.encode(self.metaReward, forKey: .metaReward)
        try c.encodeIfPresent(self.metaRewardStep, forKey: .metaRewardStep)
        try c.encode(self.recentCheckpoints, forKey: .recentCheckpoints)
        try c.encodeIfPresent(self.lastGradientStep, forKey: .lastGradientStep)
        try c.encodeIfPresent(self.lastCheckpointStep, forKey: .lastCheckpointStep)
        try c.encodeIfPresent(self.scalarizedThroughStep, forKey: .scalarizedThroughStep)
        try c.encodeIfPresent(self.latestScalarizeSummary, forKey: .latestScalarizeSummary)
        try c.encode(self.appliedEventCount, forKey: .appliedEventCount)
        try c.encodeIfPresent(self.idealPointBeforeLatestStep, forKey: .idealPointBeforeLatestStep)
        try c.encodeIfPresent(self.idealPointOfRecordedBatches, forKey: .idealPointOfRecordedBatches)
    }

    /// Checks what every state built by the policy satisfies.
    private func checkInvariants() throws(ValidationError) {
        let k = self.initialWeights.count
        _ = try WeightVector(self.initialWeights, field: "state.initial_weights")
        try checkWeights(self.weights, dimension: k, field: "state.weights")
        guard self.weights == (self.recentWeightUpdates.last?.weights ?? self.initialWeights) else {
            throw stateError("state.weights", "differ from the latest entry of recent_weight_updates")
        }
        var previousStep: Int?
        for (i, update) in self.recentWeightUpdates.enumerated() {
            let field = "state.recent_weight_updates.latest[\(i)]"
            try checkWeights(update.weights, dimension: k, field: "\(field).weights")
            try checkFinite(update.influence, dimension: k, field: "\(field).influence")
            if let logits = update.logits {
                try checkFinite(logits, dimension: k, field: "\(field).logits")
            }
            if let residuals = update.logitResiduals {
                try checkFinite(residuals, dimension: k, field: "\(field).logit_residuals")
            }
            guard (update.logits == nil) == (update.logitResiduals == nil) else {
                throw stateError("\(field).logits", "and logit_residuals come together")
            }
            guard update.learningRate.isFinite, update.learningRate >= 0, update.stepSize.isFinite,
                update.stepSize >= 0, update.accumulatedSteps >= 1
            else {
                throw stateError(field, "has an invalid learning rate, step size or accumulated step count")
            }
            if let previousStep, update.step <= previousStep {
                throw stateError("\(field).step", "is \(update.step), not after the previous update's step")
            }
            previousStep = update.step
        }
        try checkFinite(
            self.gradientAccumulator.influenceSum, dimension: k, field: "state.gradient_accumulator.influence_sum")
        if let gramSum = self.gradientAccumulator.gramSum {
            try checkFinite(gramSum, dimension: k * k, field: "state.gradient_accumulator.gram_sum")
        }
        guard self.gradientAccumulator.count >= 0 else {
            throw stateError("state.gradient_accumulator.count", "is negative")
        }
        if let referencePoint = self.referencePoint {
            try checkFinite(referencePoint, dimension: k, field: "state.reference_point")
        }
        previousStep = nil
        for (i, checkpoint) in self.paretoBufferCheckpoints.enumerated() {
            let field = "state.pareto_buffer_checkpoints[\(i)]"
            try checkCheckpoint(checkpoint, dimension: k, field: field)
            guard checkpoint.enteredBuffer else { throw stateError(field, "did not enter the buffer") }
            if let previousStep, checkpoint.step <= previousStep {
                throw stateError("\(field).step", "is \(checkpoint.step), not after the previous point's step")
            }
            previousStep = checkpoint.step
            if case .found(let recorded) = self.recentCheckpoints.last(where: { $0.step <= checkpoint.step }),
                recorded.step == checkpoint.step, recorded != checkpoint
            {
                throw stateError(field, "differs from the decision of the checkpoint of step \(checkpoint.step)")
            }
        }
        if !self.paretoBufferCheckpoints.isEmpty && self.referencePoint == nil {
            throw stateError("state.pareto_buffer", "is not empty but there is no reference point")
        }
        previousStep = nil
        for (i, checkpoint) in self.recentCheckpoints.enumerated() {
            let field = "state.recent_checkpoints.latest[\(i)]"
            try checkCheckpoint(checkpoint, dimension: k, field: field)
            if let previousStep, checkpoint.step <= previousStep {
                throw stateError("\(field).step", "is \(checkpoint.step), not after the previous checkpoint's step")
            }
            previousStep = checkpoint.step
        }
        guard self.metaReward == (self.latestCheckpoint?.metaReward ?? 1),
            self.metaRewardStep == self.latestCheckpoint?.step
        else {
            throw stateError("state.meta_reward", "differs from the latest checkpoint's")
        }
        guard self.lastCheckpointStep == self.latestCheckpoint?.step else {
            throw stateError("state.last_checkpoint_step", "differs from the latest checkpoint's step")
        }
        if let summary = self.latestScalarizeSummary {
            try checkFinite(summary.objectiveMeans, dimension: k, field: "state.latest_scalarize_summary")
        }
        guard self.bufferHypervolume.isFinite, self.bufferHypervolume >= 0 else {
            throw stateError("state.buffer_hypervolume", "is \(self.bufferHypervolume); it must be finite and ≥ 0")
        }
        if let ideal = self.idealPointBeforeLatestStep {
            try checkFinite(ideal, dimension: k, field: "state.ideal_point_before_latest_step")
        }
        if let ideal = self.idealPointOfRecordedBatches {
            try checkFinite(ideal, dimension: k, field: "state.ideal_point_of_recorded_batches")
        }
        guard self.appliedEventCount >= 0 else {
            throw stateError("state.applied_event_count", "is negative")
        }
    }
}

/// The component-wise maximum of two optional vectors of the same length (the other when one is `nil`).
func componentwiseMaximum(_ a: [Double]?, _ b: [Double]?) -> [Double]? {
    guard let a else { return b }
    guard let b else { return a }
    return zip(a, b).map { Swift.max($0, $1) }
}

private func stateError(_ field: String, _ problem: String) -> ValidationError {
    ValidationError(code: .outOfRange, field: field, reason: "\(problem)")
}

private func checkFinite(_ values: [Double], dimension k: Int, field: String) throws(ValidationError) {
    guard values.count == k else {
        throw ValidationError(
            code: .dimensionMismatch, field: field, reason: "has \(values.count) values, expected K = \(k)")
    }
    _ = try ObjectiveVector(values, field: field)
}

private func checkWeights(_ values: [Double], dimension k: Int, field: String) throws(ValidationError) {
    try checkFinite(values, dimension: k, field: field)
    _ = try WeightVector(values, field: field)
}

private func checkCheckpoint(
    _ checkpoint: CheckpointDecision, dimension k: Int, field: String
) throws(ValidationError) {
    try checkFinite(checkpoint.scores, dimension: k, field: "\(field).scores")
    try checkFinite(checkpoint.point, dimension: k, field: "\(field).point")
    guard checkpoint.metaReward.isFinite, checkpoint.metaReward > 0, checkpoint.deltaHypervolume.isFinite,
        checkpoint.deltaHypervolume >= 0
    else {
        throw stateError(field, "has an invalid meta-reward or hypervolume improvement")
    }
}
