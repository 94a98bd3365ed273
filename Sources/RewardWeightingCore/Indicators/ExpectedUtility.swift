/// The expected utility metric (EUM; Zintgraf, Kanters, Roijers, Oliehoek & Beau 2015, as morl-baselines'
/// `expected_utility` reports it) of a point set `A` in the maximisation convention, for linear utilities:
///
///     EUM(A; W) = (1/|W|) · Σ_{w∈W} max_{a∈A} w·a
///
/// Higher is better: the mean, over the weight vectors `W`, of the best scalarised value the set offers. The
/// weights are a ``simplexLattice(dimension:divisions:)`` by default (morl-baselines draws them with pymoo's
/// Riesz-energy directions instead; a lattice is deterministic and exact, so the metric is reproducible).
public enum ExpectedUtility {
    /// `EUM(points; weights)`.
    /// - Throws: ``ValidationError``: `empty` for no points or no weights, `dimensionMismatch` for a weight vector
    ///   whose K is not the points'.
    public static func of(_ points: ObjectiveMatrix, weights: [WeightVector]) throws(ValidationError) -> Double {
        guard !points.isEmpty else {
            throw ValidationError(code: .empty, field: "points", reason: "must hold at least one point")
        }
        guard !weights.isEmpty else {
            throw ValidationError(code: .empty, field: "weights", reason: "must hold at least one weight vector")
        }
        let k = points.dimension
        var total = 0.0
        for (index, w) in weights.enumerated() {
            guard w.dimension == k else {
                throw ValidationError(
                    code: .dimensionMismatch, field: "weights", row: index,
                    reason: "has K = \(w.dimension) but the points have K = \(k)")
            }
            var best = -Double.infinity
            for row in 0..<points.count {
                var utility = 0.0
                for i in 0..<k { utility += w[i] * points[row, i] }
                best = max(best, utility)
            }
            total += best
        }
        return total / Double(weights.count)
    }

    /// Every weight vector whose entries are multiples of `1/divisions` (the simplex-lattice design of Das &
    /// Dennis 1998, pymoo's `das-dennis` directions): `C(divisions + K − 1, K − 1)` vectors, in lexicographic
    /// order of their first entries, descending.
    /// - Parameters:
    ///   - dimension: K, at least 1.
    ///   - divisions: H, at least 1.
    public static func simplexLattice(dimension: Int, divisions: Int) -> [WeightVector] {
        precondition(dimension >= 1 && divisions >= 1, "a simplex lattice needs K ≥ 1 and H ≥ 1")
        var lattice: [WeightVector] = []
        var counts = [Int](repeating: 0, count: dimension)
        func fill(_ position: Int, _ left: Int) {
            if position == dimension - 1 {
                counts[position] = left
                let values = counts.map { Double($0) / Double(divisions) }
                // Entries k/H ≥ 0 with Σk = H: normalised by construction (up to the rounding of k/H).
                lattice.append(WeightVector(uncheckedNormalized: values))
                return
            }
            for count in stride(from: left, through: 0, by: -1) {
                counts[position] = count
                fill(position + 1, left - count)
            }
        }
        fill(0, divisions)
        return lattice
    }
}
