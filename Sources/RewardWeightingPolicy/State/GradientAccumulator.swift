/// The influences `I = G·1` of the gradient reports received since a gradient run's last update
/// (accumulation over W steps, the reference code's `weight_accumulation_steps`).
public struct GradientAccumulator: Codable, Hashable, Sendable {
    /// `Σ I` over the accumulated reports, K values (all 0 when ``count`` is 0).
    public internal(set) var influenceSum: [Double]
    /// How many reports are accumulated.
    public internal(set) var count: Int

    /// An empty accumulator for K objectives.
    init(dimension: Int) {
        self.influenceSum = Array(repeating: 0, count: dimension)
        self.count = 0
    }

    /// Adds one report's influence.
    mutating func add(_ influence: [Double]) {
        for i in self.influenceSum.indices { self.influenceSum[i] += influence[i] }
        self.count += 1
    }

    /// The mean influence `Σ I / count`. Requires `count ≥ 1`.
    var mean: [Double] {
        let n = Double(self.count)
        return self.influenceSum.map { $0 / n }
    }

    private enum CodingKeys: String, CodingKey {
        case influenceSum = "influence_sum"
        case count
    }
}
