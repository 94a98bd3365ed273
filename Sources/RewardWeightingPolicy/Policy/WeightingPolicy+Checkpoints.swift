import RewardWeightingCore

extension WeightingPolicy {
    /// Alg. 1 for one checkpoint report `v` at step `s` (see ``CheckpointDecision``):
    ///
    ///     no reference point yet:  reference ← v;  ΔHV = 0;  r_pareto stays 1
    ///     otherwise:               ΔHV = max(0, HV(B ∪ {v}) − HV(B));  r_pareto = f(ΔHV);
    ///                              if ΔHV > 0:  B ← non-dominated(B ∪ {v})
    ///
    /// in the maximisation convention (minimised objectives negated, no normalisation); under a
    /// ``HypervolumeScale`` other than raw, `f` sees the scaled ΔHV. `ΔHV` is measured by the
    /// caller (``measurement(for:in:)`` says what to compute; ``Hypervolume/improvement(adding:to:reference:)``
    /// is the kernel): exact, and 0 for a point that is not strictly better
    /// than the reference everywhere or that the buffer dominates (where the reference code raises for some
    /// such points, see notes/reference-code.md §1). `f` is the run's ``MetaReward``; outside the hypervolume
    /// method `r_pareto` stays 1.
    func applyCheckpoint(
        _ report: CheckpointReport, to state: inout RunState, measured: KernelMeasurements
    ) throws(PolicyError) -> CheckpointDecision {
        try self.checkCheckpoint(report, in: state)
        let s = report.step
        let point = self.maximisationPoint(of: report)
        var deltaHypervolume = 0.0
        var scaledDeltaHypervolume: Double?
        let metaReward: Double
        var enteredBuffer = false
        // The buffer's points that stay when the checkpoint enters it (indices; its own is the buffer's count).
        var keptInBuffer: [Int]?
        let becameReference = state.referencePoint == nil
        if state.referencePoint != nil {
            guard let measuredImprovement = measured.hypervolumeImprovement else {
                throw PolicyError(
                    code: .inconsistentState, field: "measurements",
                    reason: "the checkpoint of step \(s) was applied without its ΔHV")
            }
            // The kernels are exact on finite inputs, so a ΔHV that is not finite is an overflow: scores whose
            // boxes against the reference point exceed a Double (e.g. spans of 1e103 in each of K = 3 objectives,
            // ∞ − ∞ once the buffer's own volume overflows). The report is refused; the run keeps its buffer.
            guard measuredImprovement.isFinite else {
                throw PolicyError(
                    code: .invalidArgument, field: "scores",
                    reason: "the hypervolume gain of the checkpoint of step \(s) overflows a Double "
                        + "(ΔHV = \(measuredImprovement)); rescale the objectives or set a reference point closer to "
                        + "the scores")
            }
            guard measuredImprovement >= 0 else {
                throw PolicyError(
                    code: .inconsistentState, field: "measurements",
                    reason: "the ΔHV of the checkpoint of step \(s) is \(measuredImprovement)")
            }
            deltaHypervolume = measuredImprovement
            let bufferBefore = state.paretoBuffer
            if deltaHypervolume > 0 {
                // The buffer is non-dominated and free of duplicates, so adding one point is one pass over it
                // (the same buffer a recomputation of the front of buffer + [point] gives).
                if let kept = ParetoFront.indicesAdding(point, to: bufferBefore) {
                    enteredBuffer = true
                    keptInBuffer = kept
                } else {
                    // A point that a buffer point weakly dominates adds exactly 0; a positive value there is
                    // rounding, and "enters iff ΔHV > 0" must hold exactly.
                    deltaHypervolume = 0
                }
            }
            // HV(B) is kept only where it is used (the relative scale), so other runs are not refused for it.
            let tracksVolume = self.config.method.hypervolumeSettings?.scale == .relative
            let volume = tracksVolume ? state.bufferHypervolume + deltaHypervolume : 0
            guard volume.isFinite else {
                throw PolicyError(
                    code: .invalidArgument, field: "scores",
                    reason: "the buffer's hypervolume with the checkpoint of step \(s) overflows a Double; rescale "
                        + "the objectives or set a reference point closer to the scores")
            }
            if case .hypervolume(let settings) = self.config.method {
                var measured = deltaHypervolume
                if settings.scale != .raw, let reference = state.referencePoint {
                    measured = settings.scale.scaled(
                        deltaHypervolume, candidate: point, buffer: bufferBefore, reference: reference,
                        bufferHypervolume: state.bufferHypervolume)
                    scaledDeltaHypervolume = measured
                }
                metaReward = settings.metaReward(measured)
            } else {
                metaReward = 1
            }
            state.bufferHypervolume = volume
        } else {
            state.referencePoint = point
            state.referenceStep = s
            metaReward = state.metaReward
        }
        let isHypervolumeRun = self.config.method.name == .hypervolume
        let decision = CheckpointDecision(
            step: s, scores: report.scores, point: point, deltaHypervolume: deltaHypervolume,
            metaReward: metaReward, enteredBuffer: enteredBuffer, becameReference: becameReference,
            bufferSize: keptInBuffer?.count ?? state.paretoBufferCheckpoints.count,
            isLate: isHypervolumeRun && (state.scalarizedThroughStep.map { $0 > s } ?? false),
            scaledDeltaHypervolume: scaledDeltaHypervolume)
        if let keptInBuffer {
            let buffer = state.paretoBufferCheckpoints
            state.paretoBufferCheckpoints = keptInBuffer.map { $0 < buffer.count ? buffer[$0] : decision }
        }
        state.recentCheckpoints.append(decision)
        state.metaReward = metaReward
        state.metaRewardStep = s
        state.lastCheckpointStep = s
        return decision
    }

    /// The ΔHV query of a checkpoint against the buffer of `state`, or `nil` when it becomes the reference point.
    func hypervolumeQuery(
        for report: CheckpointReport, in state: RunState
    ) throws(PolicyError) -> KernelQuery? {
        try self.checkCheckpoint(report, in: state)
        guard let reference = state.referencePoint else { return nil }
        do throws(ValidationError) {
            return .hypervolumeImprovement(
                candidate: try ObjectiveVector(self.maximisationPoint(of: report), field: "scores"),
                buffer: try ObjectiveMatrix(
                    rows: state.paretoBuffer, dimension: self.config.dimension, field: "state.pareto_buffer"),
                reference: try ObjectiveVector(reference, field: "state.reference_point"))
        } catch {
            throw PolicyError(.inconsistentState, wrapping: error)
        }
    }

    /// Refuses a checkpoint of the wrong K or out of order.
    private func checkCheckpoint(_ report: CheckpointReport, in state: RunState) throws(PolicyError) {
        let k = self.config.dimension
        guard report.scores.count == k else {
            let error = ValidationError(
                code: .dimensionMismatch, field: "scores",
                reason: "has \(report.scores.count) values but run \(quoted(self.config.runID)) has K = \(k)")
            throw PolicyError(.invalidArgument, wrapping: error)
        }
        try self.checkOrder(report.step, after: state.lastCheckpointStep, kind: "checkpoint")
    }

    /// The scores in the maximisation convention (minimised objectives negated).
    private func maximisationPoint(of report: CheckpointReport) -> [Double] {
        zip(report.scores, self.config.objectives).map { value, objective in objective.direction.sign * value }
    }
}
