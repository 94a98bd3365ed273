import RewardWeightingAPI
import RewardWeightingCore
import RewardWeightingPolicy

/// The Pareto buffer of a run as it was after any of its checkpoints, for the wire (`ParetoBuffer`).
///
/// ``RunState`` keeps the current buffer as bare points; the wire also wants each point's step and ΔHV, and a
/// `ReportCheckpoint` reply (also a retried one) wants the buffer as of *its* checkpoint. Both come from the
/// run's checkpoint decisions (``RunState/checkpoints``), folded the way ``WeightingPolicy`` built the buffer:
/// the checkpoint that became the reference point sets it; each one that entered the buffer is added and the
/// points it dominates are dropped (``ParetoFront/nondominatedIndices(of:)``). No decision is re-made here: which
/// points entered, and their ΔHV, are read from the decisions. Points are reported in their natural units (the
/// scores as reported), the hypervolume in the maximisation convention.
struct ParetoBufferHistory {
    private let config: RunConfig
    private let state: RunState

    /// The history of a run's buffer, from its configuration and current state.
    init(config: RunConfig, state: RunState) {
        self.config = config
        self.state = state
    }

    /// The buffer after the checkpoint of `step` (after every checkpoint when `nil`).
    func buffer(afterStep step: Int? = nil) -> Rewardweighting_V1_ParetoBuffer {
        let k = self.config.dimension
        var reference = self.config.method.hypervolumeSettings?.referencePoint.map { given in
            zip(given, self.config.objectives).map { value, objective in objective.direction.sign * value }
        }
        var referenceStep: Int?
        var points: [CheckpointDecision] = []
        for checkpoint in self.state.checkpoints where step.map({ checkpoint.step <= $0 }) ?? true {
            if checkpoint.becameReference {
                reference = checkpoint.point
                referenceStep = checkpoint.step
            }
            guard checkpoint.enteredBuffer else { continue }
            let candidates = points.map(\.point) + [checkpoint.point]
            guard let matrix = try? ObjectiveMatrix(rows: candidates, dimension: k) else { continue }
            points = ParetoFront.nondominatedIndices(of: matrix).map { $0 < points.count ? points[$0] : checkpoint }
        }

        var buffer = Rewardweighting_V1_ParetoBuffer()
        if let reference {
            buffer.referencePoint = zip(reference, self.config.objectives).map { value, objective in
                objective.direction.sign * value
            }
            if let vector = try? ObjectiveVector(reference),
                let matrix = try? ObjectiveMatrix(rows: points.map(\.point), dimension: k),
                let volume = try? Hypervolume.volume(of: matrix, reference: vector)
            {
                buffer.hypervolume = volume
            }
        }
        if let referenceStep { buffer.referenceStep = Int64(referenceStep) }
        buffer.points = points.map { checkpoint in
            var point = Rewardweighting_V1_ParetoPoint()
            point.step = Int64(checkpoint.step)
            point.scores = checkpoint.scores
            point.hypervolumeContribution = checkpoint.deltaHypervolume
            return point
        }
        return buffer
    }

    /// Whether the state holds the decision of the checkpoint of `step` with these scores (it does not once a
    /// resume superseded it).
    func contains(step: Int, scores: [Double]) -> Bool {
        self.state.checkpoints.contains { $0.step == step && $0.scores == scores }
    }
}
