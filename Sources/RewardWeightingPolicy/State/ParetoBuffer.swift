import RewardWeightingCore

/// A run's Pareto buffer as it stood after one of its checkpoints: the reference point and the checkpoints
/// whose points are on the buffer's front, in the order they entered.
///
/// It is folded from the run's checkpoint decisions exactly as ``WeightingPolicy`` built the buffer: the
/// checkpoint that became the reference point sets it; each checkpoint that entered the buffer is added and
/// the points it dominates drop out. No decision is re-made: which points entered, and their ΔHV, are read
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

extension WeightingPolicy {
    /// The Pareto buffer of `state` after the checkpoint of `step` (after every checkpoint when `nil`).
    public func paretoBuffer(of state: RunState, afterStep step: Int? = nil) -> ParetoBuffer {
        let k = self.config.dimension
        let space = self.config.space
        var reference: [Double]? = self.config.method.hypervolumeSettings?.referencePoint.map { given in
            zip(given, space.directions).map { value, direction in direction.sign * value }
        }
        var referenceStep: Int?
        var points: [CheckpointDecision] = []
        for checkpoint in state.checkpoints where step.map({ checkpoint.step <= $0 }) ?? true {
            if checkpoint.becameReference {
                reference = checkpoint.point
                referenceStep = checkpoint.step
            }
            guard checkpoint.enteredBuffer,
                let matrix = try? ObjectiveMatrix(rows: points.map(\.point) + [checkpoint.point], dimension: k)
            else { continue }
            points = ParetoFront.nondominatedIndices(of: matrix).map { $0 < points.count ? points[$0] : checkpoint }
        }
        return ParetoBuffer(
            referencePoint: reference.map {
                zip($0, space.directions).map { value, direction in direction.sign * value }
            },
            referenceStep: referenceStep, points: points, maximisedReferencePoint: reference)
    }
}
