#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Tchebycheff scalarisation of rewards (higher is better) against an ideal point `z*`: the weighted distance
/// to `z*` of the objective that lags most, negated so that a higher scalar reward is still better.
///
///     weighted (Bowman 1976; Miettinen 1999, §3.4):   s_i = −max_k w_k·(z*_k − r_ik)
///     smooth, μ > 0 (Lin et al. 2024, "Smooth Tchebycheff Scalarization for Multi-Objective Optimization",
///     ICML, eq. 8):                                   s_i = −μ·log Σ_k exp(w_k·(z*_k − r_ik)/μ)
///
/// Unlike the weighted sum, every Pareto-optimal point is the maximiser of the weighted form for some weights
/// (also on non-convex parts of a front). The smooth form is differentiable everywhere and bounded by the
/// plain one: `s_tch − μ·log K ≤ s_stch ≤ s_tch`; it tends to `s_tch` as μ → 0. With `z*` at least every
/// reward, each `z*_k − r_ik ≥ 0`, so `s_tch ≤ 0`. The log-sum-exp subtracts its largest term first, so it
/// neither overflows nor underflows for any finite input whose terms are finite.
public enum TchebycheffScalarization {
    /// The default smoothing μ of the smooth form, 0.1 for rewards of unit scale.
    public static let defaultSmoothing = 0.1

    /// The scalar rewards `out_i = m·s_i` (`m` the meta-reward, 1 outside the hypervolume method), with `s_i`
    /// the weighted form (`smoothing == nil`) or the smooth form with μ = `smoothing`.
    ///
    /// O(N·K) time, O(N) output.
    /// - Throws: ``ValidationError``: `empty` (field `rewards`) for N = 0; `dimensionMismatch` (field `rewards`
    ///   or `ideal_point`) for a K that differs from the weights'; `nonFinite` (field `ideal_point`,
    ///   `smoothing` or `multiplier`); `outOfRange` (field `smoothing`) unless μ > 0; `outOfRange` (field
    ///   `rewards`, naming the row) when a row's scalar reward is not finite.
    public static func scalarize(
        _ rewards: ObjectiveMatrix, weights: WeightVector, idealPoint: [Double], smoothing: Double? = nil,
        multiplier: Double = 1
    ) throws(ValidationError) -> [Double] {
        try Scalarization.checkBatch(rewards, weights: weights, multiplier: multiplier)
        let k = rewards.dimension
        guard idealPoint.count == k else {
            throw ValidationError(
                code: .dimensionMismatch, field: "ideal_point",
                reason: "has \(idealPoint.count) values but the rewards have K = \(k)")
        }
        if let index = idealPoint.firstIndex(where: { !$0.isFinite }) {
            throw ValidationError(
                code: .nonFinite, field: "ideal_point[\(index)]",
                reason: "is \(idealPoint[index]); it must be finite")
        }
        if let smoothing {
            guard smoothing.isFinite, smoothing > 0 else {
                throw ValidationError(
                    code: smoothing.isFinite ? .outOfRange : .nonFinite, field: "smoothing",
                    reason: "is \(smoothing); it must be finite and positive")
            }
        }
        let n = rewards.count
        let w = weights.values
        var output = [Double](repeating: 0, count: n)
        var terms = [Double](repeating: 0, count: k)
        rewards.storage.withUnsafeBufferPointer { r in
            for i in 0..<n {
                var largest = -Double.infinity
                for j in 0..<k {
                    let term = w[j] * (idealPoint[j] - r[i * k + j])
                    terms[j] = term
                    largest = Swift.max(largest, term)
                }
                var distance = largest
                if let mu = smoothing, largest.isFinite {
                    var sum = 0.0
                    for j in 0..<k { sum += exp((terms[j] - largest) / mu) }
                    distance = largest + mu * log(sum)
                }
                output[i] = -multiplier * distance
            }
        }
        if let row = output.firstIndex(where: { !$0.isFinite }) {
            throw ValidationError(
                code: .outOfRange, field: "rewards", row: row,
                reason: "the Tchebycheff reward of row \(row) is not finite (multiplier \(multiplier))")
        }
        return output
    }

    /// The largest reward of each objective over the batch: what the tracked ideal point takes from it.
    public static func columnMaxima(_ rewards: ObjectiveMatrix) -> [Double] {
        let k = rewards.dimension
        var maxima = [Double](repeating: -.infinity, count: k)
        rewards.storage.withUnsafeBufferPointer { r in
            for i in 0..<rewards.count {
                for j in 0..<k { maxima[j] = Swift.max(maxima[j], r[i * k + j]) }
            }
        }
        return maxima
    }
}
