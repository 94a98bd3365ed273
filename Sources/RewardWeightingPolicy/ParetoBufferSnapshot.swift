import RewardWeightingCore

/// A run's Pareto buffer as it stood after one of its checkpoints: the reference point, the checkpoints
/// whose points are on the buffer's front (in the order they entered), and the front's hypervolume.
///
/// It is folded from the run's checkpoint decisions exactly as ``WeightingPolicy`` built the buffer: the
/// checkpoint that became the reference point sets it; each checkpoint that entered the buffer is added and
/// the points it dominates drop out. No decision is re-made: which points entered, and their ΔHV, are read
/// from the decisions, so the buffer after any past checkpoint can be shown (a retried `ReportCheckpoint`
/// reply shows the buffer as of *its* checkpoint).
public struct ParetoBufferSnapshot: Hashable, Sendable {
    /// The reference point in the objectives' own units (minimised objectives not negated), if set yet.
    public let referencePoint: [Double]?
    /// The step of the checkpoint that became the reference point (`nil` when the config gave it).
    public let referenceStep: Int?
    /// The checkpoints whose points form the front, in the order they entered the buffer.
    public let points: [CheckpointDecision]
    /// The front's hypervolume against the reference point, in the maximisation convention (0 without one).
    public let hypervolume: Double
}

extension WeightingPolicy {
    /// The Pareto buffer of `state` after the checkpoint of `step` (after every checkpoint when `nil`).
    public func paretoBuffer(of state: RunState, afterStep step: Int? = nil) -> ParetoBufferSnapshot {
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
        var volume = 0.0
        if let reference, let vector = try? ObjectiveVector(reference),
            let matrix = try? ObjectiveMatrix(rows: points.map(\.point), dimension: k),
            let computed = try? Hypervolume.volume(of: matrix, reference: vector)
        {
            volume = computed
        }
        return ParetoBufferSnapshot(
            referencePoint: reference.map {
                zip($0, space.directions).map { value, direction in direction.sign * value }
            },
            referenceStep: referenceStep, points: points, hypervolume: volume)
    }
}
