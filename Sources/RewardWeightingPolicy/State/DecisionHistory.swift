import RewardWeightingCore

/// A run's whole weight and checkpoint histories, read back from its log: the weight update of every gradient
/// decision that made one and every checkpoint decision, in step order.
///
/// A run's state keeps only the latest entries of each (``RecentHistory``); the rest is in the decisions of its
/// logged events. What the state cannot answer for a step older than its window — the weights and `r_pareto`
/// that scalarise it (``scalarization(atStep:initialWeights:)``), its checkpoint, the Pareto buffer right after it
/// (``WeightingPolicy/paretoBuffer(of:afterStep:)-(DecisionHistory,_)``) — is answered from here by the same rules.
public struct DecisionHistory: Hashable, Sendable {
    /// Every weight update, in step order.
    public private(set) var weightUpdates: [WeightUpdate] = []
    /// Every checkpoint decision, in step order.
    public private(set) var checkpoints: [CheckpointDecision] = []

    /// The histories in `decisions`: the decisions of a run's events that are not superseded, in log order,
    /// from its creation on (the fold of which is the run's state).
    public init(_ decisions: some Sequence<Decision>) {
        self.append(contentsOf: decisions)
    }

    /// Adds the histories in `decisions`, the decisions of the run's next events (not superseded, in log order).
    public mutating func append(contentsOf decisions: some Sequence<Decision>) {
        for decision in decisions {
            switch decision {
            case .gradients(let gradients): if let update = gradients.update { self.weightUpdates.append(update) }
            case .checkpoint(let checkpoint): self.checkpoints.append(checkpoint)
            case .scalarizeSummary, .created, .resumed, .archived: break
            }
        }
    }

    /// The weights and meta-reward that scalarise the rewards of `step`, by the rules of
    /// ``RunState/scalarization(atStep:)``, for any step. O(log n).
    /// - Parameter initialWeights: the run's initial weights (``RunState/initialWeights``).
    public func scalarization(atStep step: Int, initialWeights: [Double]) -> StepScalarization {
        StepScalarization(
            step: step,
            update: indexOfLast(in: self.weightUpdates) { $0.step <= step }.map { self.weightUpdates[$0] },
            checkpoint: indexOfLast(in: self.checkpoints) { $0.step < step }.map { self.checkpoints[$0] },
            initialWeights: initialWeights)
    }

    /// The decision of the checkpoint of `step`, if the run has one. O(log n).
    public func checkpoint(atStep step: Int) -> CheckpointDecision? {
        guard let index = indexOfLast(in: self.checkpoints, where: { $0.step <= step }),
            self.checkpoints[index].step == step
        else { return nil }
        return self.checkpoints[index]
    }
}

extension StepScalarization {
    /// The scalarisation of `step` from the latest weight update at a step `≤ step` and the latest checkpoint at
    /// a step `< step` (`nil`: none; the initial weights and `r_pareto = 1`).
    init(step: Int, update: WeightUpdate?, checkpoint: CheckpointDecision?, initialWeights: [Double]) {
        // Every stored weight vector is valid: it came out of a WeightVector or was checked when decoded.
        let weights = try! WeightVector(update?.weights ?? initialWeights, field: "state.weights")
        self.init(
            step: step, weights: weights, weightsStep: update?.step, metaReward: checkpoint?.metaReward ?? 1,
            metaRewardStep: checkpoint?.step)
    }
}
