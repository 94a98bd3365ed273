import RewardWeightingCore

/// A run's Pareto buffer as it stood after one of its checkpoints: the reference point and the checkpoints
/// whose points are on the buffer's front, in the order they entered.
///
/// The current buffer is the state's (``RunState/paretoBufferSteps`` name its checkpoints); an earlier one is
/// folded from the run's checkpoint decisions exactly as ``WeightingPolicy`` built the buffer: the checkpoint
/// that became the reference point sets it; each checkpoint that entered the buffer is added and the points it
/// dominates drop out. No decision is re-made: which points entered, and their ΔHV, are read
/// from the decisions, so the buffer after any past checkpoint can be shown (a retried `ReportCheckpoint`
/// reply shows the buffer as of *its* checkpoint). Its hypervolume and contributions are kernel results: the
/// service's read models compute them from ``maximisedReferencePoint`` and ``maximisedPoints``.
public struct ParetoBuffer: Hashable, Sendable {
    /// The reference point in the objectives' own units (minimised objectives not negated), if set yet.
    public let referencePoint: [Double]?
    /// The step of the checkpoint that became the reference point (`nil` when the config gave it).
    public let referenceStep: Int?
    /// The checkpoints whose points form the front, in the order they entered the buffer.
    public let points: [CheckpointDecision]
    /// The reference point in the maximisation convention, as the kernels take it.
    public let maximisedReferencePoint: [Double]?

    /// The front's points in the maximisation convention, in ``points`` order.
    public var maximisedPoints: [[Double]] { self.points.map(\.point) }
}

extension ParetoBuffer {
    /// The checkpoints on the buffer after `checkpoints` (decisions in step order), in the order they entered:
    /// each checkpoint that entered is added and the points it dominates drop out, as ``WeightingPolicy`` built it.
    static func fold(_ checkpoints: some Sequence<CheckpointDecision>, dimension k: Int) -> [CheckpointDecision] {
        var points: [CheckpointDecision] = []
        for checkpoint in checkpoints {
            guard checkpoint.enteredBuffer, checkpoint.point.count == k,
                let kept = ParetoFront.indicesAdding(checkpoint.point, to: points.map(\.point))
            else { continue }
            points = kept.map { $0 < points.count ? points[$0] : checkpoint }
        }
        return points
    }
}

extension WeightingPolicy {
    /// The Pareto buffer of `state` after the checkpoint of `step` (after every checkpoint when `nil`).
    ///
    /// The current buffer (`nil`, or a step at or after the latest checkpoint) is read from the state in
    /// `O(b log n)` for `b` points and `n` checkpoints; an earlier one is folded from the checkpoints up to `step`.
    public func paretoBuffer(of state: RunState, afterStep step: Int? = nil) -> ParetoBuffer {
        let space = self.config.space
        let reference: [Double]?
        let referenceStep: Int?
        let points: [CheckpointDecision]
        if let step, step < state.lastCheckpointStep ?? Int.min {
            let upTo = state.checkpoints.prefix { $0.step <= step }
            let becameReference = upTo.last { $0.becameReference }
            reference =
                becameReference?.point
                ?? self.config.method.hypervolumeSettings?.referencePoint.map { given in
                    zip(given, space.directions).map { value, direction in direction.sign * value }
                }
            referenceStep = becameReference?.step
            points = ParetoBuffer.fold(upTo, dimension: self.config.dimension)
        } else {
            reference = state.referencePoint
            referenceStep = state.referenceStep
            // Every step of the buffer names one of the state's checkpoints (checked when a state is decoded).
            points = state.paretoBufferSteps.compactMap { state.checkpoint(atStep: $0) }
        }
        return ParetoBuffer(
            referencePoint: reference.map {
                zip($0, space.directions).map { value, direction in direction.sign * value }
            },
            referenceStep: referenceStep, points: points, maximisedReferencePoint: reference)
    }
}
