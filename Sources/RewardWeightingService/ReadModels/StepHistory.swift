import RewardWeightingPolicy

/// A run's history as rows, one per step at which something was decided: the weights in effect after it, and
/// the gradient update (η_t, I) or checkpoint decision (ΔHV, r_pareto) of that step — what a dashboard plots.
public struct StepHistory: Hashable, Sendable {
    /// One step's decisions.
    public struct Row: Hashable, Sendable {
        /// The trainer step.
        public let step: Int
        /// The weights that scalarise this step's rewards.
        public let weights: [Double]
        /// The learning rate `η_t` of the step's weight update, if it had one.
        public let learningRate: Double?
        /// The mean influence `Ī = G·1` the step's update used, if it had one.
        public let influence: [Double]?
        /// The ΔHV of the step's checkpoint, if it had one.
        public let deltaHypervolume: Double?
        /// The `r_pareto` its checkpoint set for the later steps, if it had one.
        public let metaReward: Double?
    }

    /// The rows, in step order.
    public let rows: [Row]

    /// The history of `run`, limited to steps in `from...to` (either bound open when `nil`).
    public static func of(_ run: Run, from: Int? = nil, to: Int? = nil) -> StepHistory {
        let state = run.state
        let updates = Dictionary(state.weightHistory.map { ($0.step, $0) }, uniquingKeysWith: { _, last in last })
        let checkpoints = Dictionary(state.checkpoints.map { ($0.step, $0) }, uniquingKeysWith: { _, last in last })
        let steps = Set(updates.keys).union(checkpoints.keys).filter { step in
            (from.map { step >= $0 } ?? true) && (to.map { step <= $0 } ?? true)
        }
        return StepHistory(
            rows: steps.sorted().map { step in
                Row(
                    step: step, weights: state.scalarization(atStep: step).weights.values,
                    learningRate: updates[step]?.learningRate, influence: updates[step]?.influence,
                    deltaHypervolume: checkpoints[step]?.deltaHypervolume, metaReward: checkpoints[step]?.metaReward)
            })
    }
}
