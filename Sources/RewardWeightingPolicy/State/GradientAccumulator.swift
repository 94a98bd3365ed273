import RewardWeightingCore

/// The influences `I = G·1` of the gradient reports received since a gradient run's last update
/// (accumulation over W steps, the reference code's `weight_accumulation_steps`), and with a Gramian update
/// their Gram matrices.
public struct GradientAccumulator: Codable, Hashable, Sendable {
    /// `Σ I` over the accumulated reports, K values (all 0 when ``count`` is 0).
    public internal(set) var influenceSum: [Double]
    /// How many reports are accumulated.
    public internal(set) var count: Int
    /// `Σ G` over the accumulated reports, row-major, for a run with a Gramian update (``GradientUpdate``);
    /// `nil` for mirror descent, which needs only the influences.
    public internal(set) var gramSum: [Double]?

    /// An empty accumulator for K objectives.
    init(dimension: Int) {
        self.influenceSum = Array(repeating: 0, count: dimension)
        self.count = 0
    }

    /// Adds one report's influence, and its Gram matrix when `gram` is given.
    mutating func add(_ influence: [Double], gram: GramMatrix? = nil) {
        for i in self.influenceSum.indices { self.influenceSum[i] += influence[i] }
        if let gram {
            var sum = self.gramSum ?? Array(repeating: 0, count: gram.entries.count)
            for p in sum.indices { sum[p] += gram.entries[p] }
            self.gramSum = sum
        }
        self.count += 1
    }

    /// The mean influence `Σ I / count`. Requires `count ≥ 1`.
    var mean: [Double] {
        let n = Double(self.count)
        return self.influenceSum.map { $0 / n }
    }

    /// The mean Gram matrix `Σ G / count`, when Gram matrices were accumulated. Requires `count ≥ 1`.
    var meanGram: [Double]? {
        let n = Double(self.count)
        return self.gramSum?.map { $0 / n }
    }

    private enum CodingKeys: String, CodingKey {
        case influenceSum = "influence_sum"
        case count
        case gramSum = "gram_sum"
    }
}
