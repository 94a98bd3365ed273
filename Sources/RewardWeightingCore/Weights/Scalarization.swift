#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Turning an N×K matrix of per-objective rewards into N scalar rewards.
public enum Scalarization {
    /// The default `ε` of ``groupNormalized(_:groupIDs:epsilon:)``: 1e-6, verl's GRPO.
    public static let defaultNormalizationEpsilon = 1e-6

    /// The scalarised rewards `out_i = m·Σ_k w_k·r_ik`, where `m` is `multiplier` (the hypervolume method's
    /// `r_pareto`, 1 otherwise), as the reference code computes them
    /// (`einsum("bse,s->be", stacked, weights)`, then `reward_tensor * meta_reward`).
    ///
    /// Reads the matrix's contiguous row-major storage directly. O(N·K) time, O(N) output.
    /// - Throws: ``ValidationError``: `empty` (field `rewards`) for N = 0; `dimensionMismatch` (field
    ///   `rewards`) when the rewards' K differs from the weights'; `nonFinite` (field `multiplier`) for a NaN/∞
    ///   multiplier; `outOfRange` (field `rewards`, naming the row) when a scalarised reward overflows.
    public static func scalarize(
        _ rewards: ObjectiveMatrix, weights: WeightVector, multiplier: Double = 1
    ) throws(ValidationError) -> [Double] {
        try Self.checkBatch(rewards, weights: weights, multiplier: multiplier)
        let k = rewards.dimension
        let n = rewards.count
        let output = rewards.storage.withUnsafeBufferPointer { r in
            weights.values.withUnsafeBufferPointer { w in
                [Double](unsafeUninitializedCapacity: n) { out, initialized in
                    for i in 0..<n {
                        let row = i * k
                        var sum = 0.0
                        for j in 0..<k { sum += w[j] * r[row + j] }
                        out[i] = multiplier * sum
                    }
                    initialized = n
                }
            }
        }
        if let row = output.firstIndex(where: { !$0.isFinite }) {
            throw ValidationError(
                code: .outOfRange, field: "rewards", row: row,
                reason: "the scalarised reward of row \(row) overflows (multiplier \(multiplier))")
        }
        return output
    }

    /// What every scalarising function asks of its inputs: at least one response, the weights' K, a finite
    /// multiplier. Throws `empty`/`dimensionMismatch` (field `rewards`) or `nonFinite` (field `multiplier`).
    static func checkBatch(
        _ rewards: ObjectiveMatrix, weights: WeightVector, multiplier: Double
    ) throws(ValidationError) {
        guard !rewards.isEmpty else {
            throw ValidationError(code: .empty, field: "rewards", reason: "the batch has no responses")
        }
        guard weights.dimension == rewards.dimension else {
            throw ValidationError(
                code: .dimensionMismatch, field: "rewards",
                reason: "has K = \(rewards.dimension) objectives but the weights have K = \(weights.dimension)")
        }
        guard multiplier.isFinite else {
            throw ValidationError(
                code: .nonFinite, field: "multiplier", reason: "is \(multiplier); it must be finite")
        }
    }

    /// Per-objective standardisation within groups (GDPO's decoupled normalisation; TRL's
    /// `multi_objective_aggregation="normalize_then_sum"` before its weighted sum):
    ///
    ///     r̂_ik = (r_ik − mean_g,k) / (std_g,k + ε),   g = groupIDs[i],
    ///
    /// where `mean_g,k` and `std_g,k` are the mean and the **sample** standard deviation (Bessel's `n − 1`) of
    /// objective `k` over the responses of group `g`. Weighting the result with ``scalarize(_:weights:multiplier:)``
    /// gives `Σ_k w_k·r̂_ik`; any batch-level renormalisation of that sum is the trainer's advantage step.
    ///
    /// Conventions, checked against the sources:
    /// - sample std and `ε = 1e-6` by default, as verl's `compute_grpo_outcome_advantage`
    ///   (`torch.std`, `epsilon=1e-6`), which NVIDIA's GDPO reference (`NVlabs/GDPO`, `verl-GDPO`) applies to
    ///   each reward separately; TRL's `normalize_then_sum` also uses the sample std (`nanstd`, Bessel-corrected)
    ///   but with `ε = 1e-4` — pass `epsilon: 1e-4` to match TRL.
    /// - a group with a single response yields 0 for every objective (TRL's behaviour; `r − mean = 0`). verl
    ///   instead passes a singleton's reward through unnormalised (mean 0, std 1), which would mix raw and
    ///   standardised scales.
    /// - group ids are arbitrary integers; a group's rows need not be contiguous.
    ///
    /// The std is computed as `s·sqrt(Σ((r − mean)/s)²/(n − 1))` with `s = max|r − mean|`, so it cannot
    /// overflow for finite rewards. O(N·K) time, O(G·K) extra memory for G groups.
    /// - Throws: ``ValidationError``: `empty` (field `rewards`) for N = 0; `dimensionMismatch` (field
    ///   `group_ids`) when `groupIDs.count ≠ N`; `outOfRange`/`nonFinite` (field `epsilon`) unless `ε` is finite
    ///   and positive; `nonFinite` (field `rewards`) if a deviation `r − mean` overflows.
    public static func groupNormalized(
        _ rewards: ObjectiveMatrix, groupIDs: [Int], epsilon: Double = Scalarization.defaultNormalizationEpsilon
    ) throws(ValidationError) -> ObjectiveMatrix {
        guard !rewards.isEmpty else {
            throw ValidationError(code: .empty, field: "rewards", reason: "the batch has no responses")
        }
        let n = rewards.count
        let k = rewards.dimension
        guard groupIDs.count == n else {
            throw ValidationError(
                code: .dimensionMismatch, field: "group_ids",
                reason: "has \(groupIDs.count) entries but rewards has N = \(n) rows")
        }
        guard epsilon.isFinite else {
            throw ValidationError(
                code: .nonFinite, field: "epsilon", reason: "is \(epsilon); it must be finite")
        }
        guard epsilon > 0 else {
            throw ValidationError(
                code: .outOfRange, field: "epsilon", reason: "is \(epsilon); it must be positive")
        }
        // Dense group index per row.
        var groupOf = [Int](repeating: 0, count: n)
        var indexOfID: [Int: Int] = [:]
        var sizes: [Int] = []
        for (i, id) in groupIDs.enumerated() {
            if let g = indexOfID[id] {
                groupOf[i] = g
                sizes[g] += 1
            } else {
                indexOfID[id] = sizes.count
                groupOf[i] = sizes.count
                sizes.append(1)
            }
        }
        let groups = sizes.count
        var mean = [Double](repeating: 0, count: groups * k)
        var scale = [Double](repeating: 0, count: groups * k)
        var sumSquares = [Double](repeating: 0, count: groups * k)
        var output = [Double](repeating: 0, count: n * k)
        rewards.storage.withUnsafeBufferPointer { r in
            // Pass 1: means.
            for i in 0..<n {
                let g = groupOf[i] * k
                for j in 0..<k { mean[g + j] += r[i * k + j] }
            }
            for g in 0..<groups {
                for j in 0..<k { mean[g * k + j] /= Double(sizes[g]) }
            }
            // Pass 2: deviations and their largest magnitude per group and objective.
            for i in 0..<n {
                let g = groupOf[i] * k
                for j in 0..<k {
                    let d = r[i * k + j] - mean[g + j]
                    output[i * k + j] = d
                    scale[g + j] = Swift.max(scale[g + j], abs(d))
                }
            }
        }
        // Pass 3: scaled sums of squares.
        for i in 0..<n {
            let g = groupOf[i] * k
            for j in 0..<k where scale[g + j] > 0 {
                let t = output[i * k + j] / scale[g + j]
                sumSquares[g + j] += t * t
            }
        }
        var denominator = [Double](repeating: 1, count: groups * k)
        for g in 0..<groups where sizes[g] > 1 {
            for j in 0..<k {
                let std = scale[g * k + j] * sqrt(sumSquares[g * k + j] / Double(sizes[g] - 1))
                denominator[g * k + j] = std + epsilon
            }
        }
        for i in 0..<n {
            let g = groupOf[i]
            for j in 0..<k {
                // Singleton groups: the deviation is r − r = 0 exactly, so the output is 0.
                output[i * k + j] = sizes[g] > 1 ? output[i * k + j] / denominator[g * k + j] : 0
            }
        }
        return try ObjectiveMatrix(rowMajor: output, dimension: k, field: "rewards")
    }
}
