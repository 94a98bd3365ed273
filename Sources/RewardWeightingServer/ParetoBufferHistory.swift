import RewardWeightingAPI
import RewardWeightingPolicy

/// A run's Pareto buffer for the wire (`ParetoBuffer`), as it stood after any of its checkpoints. The fold
/// itself is the policy's (``WeightingPolicy/paretoBuffer(of:afterStep:)``); this only maps it.
struct ParetoBufferHistory {
    private let policy: WeightingPolicy
    private let state: RunState

    /// The history of a run's buffer, from its configuration and current state.
    init(config: RunConfig, state: RunState) {
        self.policy = WeightingPolicy(config: config)
        self.state = state
    }

    /// The buffer after the checkpoint of `step` (after every checkpoint when `nil`).
    func buffer(afterStep step: Int? = nil) -> Rewardweighting_V1_ParetoBuffer {
        let snapshot = self.policy.paretoBuffer(of: self.state, afterStep: step)
        var buffer = Rewardweighting_V1_ParetoBuffer()
        if let reference = snapshot.referencePoint {
            buffer.referencePoint = reference
            buffer.hypervolume = snapshot.hypervolume
        }
        if let referenceStep = snapshot.referenceStep { buffer.referenceStep = Int64(referenceStep) }
        buffer.points = snapshot.points.map { checkpoint in
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
