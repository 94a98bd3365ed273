import RewardWeightingCore
import RewardWeightingPolicy
import RewardWeightingStore

/// A run's history as rows, read from its log, one per step at which something was recorded: the weights in
/// effect at it, the gradient update (η_t, I) or checkpoint decision (ΔHV, r_pareto) of that step, the rewards
/// its Scalarize calls weighted (per-objective mean and standard deviation) and the cosine matrix of its Gram
/// matrix — what a dashboard plots.
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
        /// N, the number of responses the step's Scalarize calls weighted (0 when it had none).
        public let scalarizedResponses: Int
        /// The mean of each objective's rewards over all the step's Scalarize calls (the count-weighted mean
        /// of their means), if it had any.
        public let rewardMeans: [Double]?
        /// The population standard deviation of each objective's rewards over all the step's Scalarize calls
        /// (pooled: `√(Σ n_c (s_c² + (m_c − m)²) / Σ n_c)` over calls `c`), if it had any and each recorded
        /// one (summaries recorded before the service kept it have none).
        public let rewardStandardDeviations: [Double]?
        /// The cosine matrix of the step's Gram matrix (``GramMatrix/cosines``), if it reported gradients.
        public let cosines: [[Double?]]?
        /// The gradients' norms `√G_ii` of the step's Gram matrix (``GramMatrix/gradientNorms``), if it reported
        /// gradients.
        public var gradientNorms: [Double]? = nil
        /// `‖g_i‖ / max_j ‖g_j‖` (``GramMatrix/gradientNormRatios``), if it reported gradients that are not all 0.
        public var gradientNormRatios: [Double]? = nil
    }

    /// The rows, in step order.
    public let rows: [Row]

    /// The history of `run`, limited to steps in `from...to` (either bound open when `nil`).
    /// - Parameter events: the run's log from sequence 1 on (the weights of a step come from the latest update at
    ///   or before it, however old); superseded events and events after the run's ``Run/eventCount`` are ignored,
    ///   so that every row agrees with `run`.
    public static func of(_ run: Run, events: [StoredEvent], from: Int? = nil, to: Int? = nil) -> StepHistory {
        let history = DecisionHistory(of: run, log: events)
        let initialWeights = run.state.initialWeights
        let inRange = { (step: Int) in (from.map { step >= $0 } ?? true) && (to.map { step <= $0 } ?? true) }
        let updates = Dictionary(history.weightUpdates.map { ($0.step, $0) }, uniquingKeysWith: { _, last in last })
        let checkpoints = Dictionary(history.checkpoints.map { ($0.step, $0) }, uniquingKeysWith: { _, last in last })
        var summaries: [Int: [ScalarizeSummary]] = [:]
        var grams: [Int: GramMatrix] = [:]
        for stored in events where !stored.isSuperseded && stored.sequence <= run.eventCount && inRange(stored.step) {
            switch stored.event {
            case .scalarizeSummary(let summary): summaries[summary.step, default: []].append(summary)
            case .gradients(let report): grams[report.step] = report.gram
            default: break
            }
        }
        let steps = Set(updates.keys).union(checkpoints.keys).union(summaries.keys).union(grams.keys)
            .filter(inRange)
        return StepHistory(
            rows: steps.sorted().map { step in
                let pooled = PooledRewards(summaries[step] ?? [])
                return Row(
                    step: step,
                    weights: history.scalarization(atStep: step, initialWeights: initialWeights).weights.values,
                    learningRate: updates[step]?.learningRate, influence: updates[step]?.influence,
                    deltaHypervolume: checkpoints[step]?.deltaHypervolume, metaReward: checkpoints[step]?.metaReward,
                    scalarizedResponses: pooled.count, rewardMeans: pooled.means,
                    rewardStandardDeviations: pooled.standardDeviations, cosines: grams[step]?.cosines,
                    gradientNorms: grams[step]?.gradientNorms, gradientNormRatios: grams[step]?.gradientNormRatios)
            })
    }
}

/// The rewards of several Scalarize calls of one step as one batch: the total count, and the per-objective
/// mean and population standard deviation of all their rows, from each call's count, means and deviations.
private struct PooledRewards {
    let count: Int
    let means: [Double]?
    let standardDeviations: [Double]?

    init(_ summaries: [ScalarizeSummary]) {
        guard let first = summaries.first else {
            (self.count, self.means, self.standardDeviations) = (0, nil, nil)
            return
        }
        if summaries.count == 1 {
            (self.count, self.means, self.standardDeviations) =
                (first.count, first.objectiveMeans, first.objectiveStandardDeviations)
            return
        }
        let total = summaries.reduce(0) { $0 + $1.count }
        let n = Double(total)
        let k = first.objectiveMeans.count
        let means = (0..<k).map { j in
            summaries.reduce(0.0) { $0 + Double($1.count) / n * $1.objectiveMeans[j] }
        }
        self.count = total
        self.means = means
        let deviations = summaries.compactMap(\.objectiveStandardDeviations)
        guard deviations.count == summaries.count else {
            self.standardDeviations = nil
            return
        }
        self.standardDeviations = (0..<k).map { j in
            zip(summaries, deviations).reduce(0.0) { sum, pair in
                let (summary, deviation) = pair
                let offset = summary.objectiveMeans[j] - means[j]
                return sum + Double(summary.count) / n * (deviation[j] * deviation[j] + offset * offset)
            }.squareRoot()
        }
    }
}
