import RewardWeightingCore

/// The state of one run: the fold of its events over ``init(config:)`` (``WeightingPolicy/replay(_:)``).
///
/// Only ``WeightingPolicy`` changes a state, and every value in it comes out of the core's validated types, so
/// it holds no NaN or ∞. Decoding checks the same invariants (finite values, K entries everywhere, weights
/// that are valid weights, increasing steps, summaries that agree with the histories) and throws a
/// ``ValidationError`` whose field starts with `state.` when a stored state breaks one.
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
    /// Every weight update of a gradient run, in step order (empty for the other methods).
    public internal(set) var weightHistory: AppendOnlyHistory<WeightUpdate>
    /// The gradient reports accumulated since the last update.
    public internal(set) var gradientAccumulator: GradientAccumulator
    /// The hypervolume reference point in the maximisation convention: from the config, or the first
    /// checkpoint's scores; `nil` until one of them exists.
    public internal(set) var referencePoint: [Double]?
    /// The step of the checkpoint that became the reference point, or `nil` (config reference or none yet).
    public internal(set) var referenceStep: Int?
    /// The Pareto buffer `B`: the non-dominated checkpoint points that improved the hypervolume, in the
    /// maximisation convention, in the order they entered.
    public internal(set) var paretoBuffer: [[Double]]
    /// The step of the checkpoint behind each point of ``paretoBuffer``, in the same order: what lets the
    /// current front be shown from ``checkpoints`` in `O(b log n)` instead of folding every checkpoint again.
    /// States stored before it existed get it when decoded: each point's step is that of the latest checkpoint
    /// with that point.
    public internal(set) var paretoBufferSteps: [Int]
    /// HV of ``paretoBuffer`` against ``referencePoint``, as the sum of the ΔHV of every point that entered it,
    /// kept for runs with the ``HypervolumeScale/relative`` scale only (0 for every other run). States stored
    /// before it existed read it as 0; only runs created since can use that scale.
    public internal(set) var bufferHypervolume: Double
    /// The current `r_pareto`: the latest checkpoint's meta-reward, 1 before any.
    public internal(set) var metaReward: Double
    /// The step of the checkpoint that set ``metaReward``, or `nil` before any.
    public internal(set) var metaRewardStep: Int?
    /// Every checkpoint decision, in step order.
    public internal(set) var checkpoints: AppendOnlyHistory<CheckpointDecision>
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
        self.weightHistory = AppendOnlyHistory()
        self.gradientAccumulator = GradientAccumulator(dimension: k)
        self.referencePoint = config.method.hypervolumeSettings?.referencePoint.map { reference in
            zip(reference, config.objectives).map { value, objective in objective.direction.sign * value }
        }
        self.referenceStep = nil
        self.paretoBuffer = []
        self.paretoBufferSteps = []
        self.bufferHypervolume = 0
        self.metaReward = 1
        self.metaRewardStep = nil
        self.checkpoints = AppendOnlyHistory()
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

    /// The weights and meta-reward that scalarise the rewards of `step`, by the paper's timing rules:
    /// - weights: those of the latest update at a step `≤ step` (a gradient report's update applies to its own
    ///   step's rewards), or the initial weights;
    /// - `r_pareto`: that of the latest checkpoint at a step `< step` (the checkpoint after step `s` applies
    ///   to steps `> s`), or 1 before any.
    ///
    /// Any step can be asked, also one older than the latest reports: the answer comes from the histories.
    /// O(log n) in the number of updates and checkpoints.
    public func scalarization(atStep step: Int) -> StepScalarization {
        let update = lastIndex(in: self.weightHistory) { $0.step <= step }
        let checkpoint = lastIndex(in: self.checkpoints) { $0.step < step }
        let values = update.map { self.weightHistory[$0].weights } ?? self.initialWeights
        // Every stored weight vector is valid: it came out of a WeightVector or was checked when decoded.
        let weights = try! WeightVector(values, field: "state.weights")
        return StepScalarization(
            step: step,
            weights: weights,
            weightsStep: update.map { self.weightHistory[$0].step },
            metaReward: checkpoint.map { self.checkpoints[$0].metaReward } ?? 1,
            metaRewardStep: checkpoint.map { self.checkpoints[$0].step })
    }

    /// The decision of the checkpoint of `step`, if the run has one. O(log n) in the number of checkpoints.
    public func checkpoint(atStep step: Int) -> CheckpointDecision? {
        guard let index = lastIndex(in: self.checkpoints, where: { $0.step <= step }),
            self.checkpoints[index].step == step
        else { return nil }
        return self.checkpoints[index]
    }

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
        case weightHistory = "weight_history"
        case gradientAccumulator = "gradient_accumulator"
        case referencePoint = "reference_point"
        case referenceStep = "reference_step"
        case paretoBuffer = "pareto_buffer"
        case paretoBufferSteps = "pareto_buffer_steps"
        case bufferHypervolume = "buffer_hypervolume"
        case metaReward = "meta_reward"
        case metaRewardStep = "meta_reward_step"
        case checkpoints
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
        self.weightHistory = try c.decode(AppendOnlyHistory<WeightUpdate>.self, forKey: .weightHistory)
        self.gradientAccumulator = try c.decode(GradientAccumulator.self, forKey: .gradientAccumulator)
        self.referencePoint = try c.decodeIfPresent([Double].self, forKey: .referencePoint)
        self.referenceStep = try c.decodeIfPresent(Int.self, forKey: .referenceStep)
        self.paretoBuffer = try c.decode([[Double]].self, forKey: .paretoBuffer)
        self.bufferHypervolume = try c.decodeIfPresent(Double.self, forKey: .bufferHypervolume) ?? 0
        self.metaReward = try c.decode(Double.self, forKey: .metaReward)
        self.metaRewardStep = try c.decodeIfPresent(Int.self, forKey: .metaRewardStep)
        self.checkpoints = try c.decode(AppendOnlyHistory<CheckpointDecision>.self, forKey: .checkpoints)
        if let steps = try c.decodeIfPresent([Int].self, forKey: .paretoBufferSteps) {
            self.paretoBufferSteps = steps
        } else {
            // A state stored before the steps were kept: each point is that of the latest checkpoint with it.
            let checkpoints = self.checkpoints
            self.paretoBufferSteps = self.paretoBuffer.map { point in
                checkpoints.last { $0.point == point }?.step ?? -1
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

    /// Checks what every state built by the policy satisfies.
    private func checkInvariants() throws(ValidationError) {
        let k = self.initialWeights.count
        _ = try WeightVector(self.initialWeights, field: "state.initial_weights")
        try checkWeights(self.weights, dimension: k, field: "state.weights")
        guard self.weights == (self.weightHistory.last?.weights ?? self.initialWeights) else {
            throw stateError("state.weights", "differ from the latest entry of weight_history")
        }
        var previousStep: Int?
        for (i, update) in self.weightHistory.enumerated() {
            let field = "state.weight_history[\(i)]"
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
        for (i, point) in self.paretoBuffer.enumerated() {
            try checkFinite(point, dimension: k, field: "state.pareto_buffer[\(i)]")
        }
        guard self.paretoBufferSteps.count == self.paretoBuffer.count,
            zip(self.paretoBufferSteps, self.paretoBuffer).allSatisfy({ step, point in
                self.checkpoint(atStep: step)?.point == point
            })
        else {
            throw stateError("state.pareto_buffer_steps", "do not name the checkpoints of the buffer's points")
        }
        if !self.paretoBuffer.isEmpty && self.referencePoint == nil {
            throw stateError("state.pareto_buffer", "is not empty but there is no reference point")
        }
        previousStep = nil
        for (i, checkpoint) in self.checkpoints.enumerated() {
            let field = "state.checkpoints[\(i)]"
            try checkFinite(checkpoint.scores, dimension: k, field: "\(field).scores")
            try checkFinite(checkpoint.point, dimension: k, field: "\(field).point")
            guard checkpoint.metaReward.isFinite, checkpoint.metaReward > 0, checkpoint.deltaHypervolume.isFinite,
                checkpoint.deltaHypervolume >= 0
            else {
                throw stateError(field, "has an invalid meta-reward or hypervolume improvement")
            }
            if let previousStep, checkpoint.step <= previousStep {
                throw stateError("\(field).step", "is \(checkpoint.step), not after the previous checkpoint's step")
            }
            previousStep = checkpoint.step
        }
        guard self.metaReward == (self.checkpoints.last?.metaReward ?? 1),
            self.metaRewardStep == self.checkpoints.last?.step
        else {
            throw stateError("state.meta_reward", "differs from the latest checkpoint's")
        }
        guard self.lastCheckpointStep == self.checkpoints.last?.step else {
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

/// The index of the last element that satisfies `isBefore`, for a predicate that holds on a prefix of
/// `elements` (steps sorted in increasing order, compared with a bound). O(log n).
private func lastIndex<Elements: RandomAccessCollection<Element>, Element>(
    in elements: Elements, where isBefore: (Element) -> Bool
) -> Int? where Elements.Index == Int {
    var low = 0
    var high = elements.count
    while low < high {
        let middle = (low + high) / 2
        if isBefore(elements[middle]) { low = middle + 1 } else { high = middle }
    }
    return low == 0 ? nil : low - 1
}
