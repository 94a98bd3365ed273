import RewardWeightingCore
import RewardWeightingPolicy
import RewardWeightingTestSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The math objectives of the paper: accuracy (max), mean response length (min), clarity (max).
let mathObjectives = [
    Objective(name: "accuracy", direction: .maximize),
    Objective(name: "response_length", direction: .minimize),
    Objective(name: "clarity", direction: .maximize),
]

/// A config known to be valid.
func makeConfig(
    _ method: WeightingMethod, objectives: [Objective] = mathObjectives, initialWeights: [Double]? = nil,
    normalization: RewardNormalization = .disabled
) -> RunConfig {
    try! RunConfig(
        runID: "test-run", objectives: objectives, method: method, initialWeights: initialWeights,
        normalization: normalization)
}

/// Gradient settings known to be valid.
func gradientMethod(
    learningRate: Double = 1e-6, mu: Double = 1e-5, schedule: LearningRateSchedule? = nil, accumulationSteps: Int = 1
) -> WeightingMethod {
    .gradient(
        try! GradientSettings(
            learningRate: learningRate, mu: mu, schedule: schedule, accumulationSteps: accumulationSteps))
}

/// The hypervolume method with default settings, or a given reference point.
func hypervolumeMethod(referencePoint: [Double]? = nil, metaReward: MetaReward = .tanh) -> WeightingMethod {
    .hypervolume(try! HypervolumeSettings(metaReward: metaReward, referencePoint: referencePoint))
}

/// A gradient event known to be valid.
func gradients(_ step: Int, _ rows: [[Double]], learningRate: Double? = nil) -> RunEvent {
    .gradients(try! GradientReport(step: step, gram: try! GramMatrix(rows: rows), learningRate: learningRate))
}

/// A diagonal Gram matrix, whose influence is exactly its diagonal.
func diagonal(_ values: [Double]) -> [[Double]] {
    values.indices.map { i in values.indices.map { j in i == j ? values[i] : 0 } }
}

/// A checkpoint event known to be valid.
func checkpoint(_ step: Int, _ scores: [Double]) -> RunEvent {
    .checkpoint(try! CheckpointReport(step: step, scores: scores))
}

/// A Scalarize summary event known to be valid.
func summary(_ step: Int, dimension k: Int = 3) -> RunEvent {
    .scalarizeSummary(
        try! ScalarizeSummary(
            step: step, count: 4, objectiveMeans: Array(repeating: 0.5, count: k), meanScalarized: 0.5,
            weights: Array(repeating: 1 / Double(k), count: k), metaReward: 1))
}

extension WeightingPolicy {
    /// Applies `events` one by one, returning every decision and the final state.
    func fold(_ events: [RunEvent], from start: RunState? = nil) throws -> (state: RunState, decisions: [Decision]) {
        var state = start ?? self.initialState
        var decisions: [Decision] = []
        for event in events {
            let result = try self.apply(event, to: state)
            state = result.state
            decisions.append(result.decision)
        }
        return (state, decisions)
    }
}

extension Decision {
    var gradients: GradientDecision? {
        if case .gradients(let decision) = self { return decision }
        return nil
    }
    var checkpoint: CheckpointDecision? {
        if case .checkpoint(let decision) = self { return decision }
        return nil
    }
}

/// `|actual − expected| ≤ tolerance·max(|expected|, scale)`.
func isClose(_ actual: Double, _ expected: Double, relative tolerance: Double = 1e-12, scale: Double = 1) -> Bool {
    abs(actual - expected) <= tolerance * max(abs(expected), scale)
}

/// The largest absolute difference between two vectors of equal length.
func maxDifference(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count)
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}

/// Softmax of logits, written independently of the library: `exp(l_i − max l) / Σ exp(l_k − max l)`.
func softmax(_ logits: [Double]) -> [Double] {
    let m = logits.max()!
    let e = logits.map { exp($0 - m) }
    let s = e.reduce(0, +)
    return e.map { $0 / s }
}
