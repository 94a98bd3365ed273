#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The exponentiated-gradient (mirror-descent) weight update of the gradient method (§5, Eq. 3/6, Alg. 2):
///
///     w_i ← w_i·exp(τ·I_i) / Σ_k w_k·exp(τ·I_k) = softmax(log w + τ·I)_i,   τ = η_t / μ,
///
/// with `I_i = Σ_k G_ik` the gradient influences (``GramMatrix/influence``), `η_t` the policy learning rate
/// and `μ` the regularisation factor. Iterating it gives Lemma 5.1's closed form
/// `w_i(T) ∝ w_i(0)·exp(Σ_t τ_t·I_i(t))`.
///
/// **Numerics.** The update is computed in log space: `z_i = log w_i + τ·I_i`, then
/// `w_i = exp(z_i − max_k z_k) / Σ_k exp(z_k − max_k z_k)`, so the largest term is `exp(0) = 1`, nothing
/// overflows and the sum is in `[1, K]`, for any finite `τ·I`. A weight whose true value is below the
/// smallest positive normal double is set to ``weightFloor`` (`Double.leastNormalMagnitude` ≈ 2.2e-308) and
/// the other weights are rescaled so the sum stays 1: every weight this type returns is strictly positive,
/// so an objective can always recover (`log w` stays finite). The reference code has no such floor: a weight
/// that underflows to 0 there stays 0 for ever. The floor also lifts input weights that are exactly 0.
///
/// **Optional bounds.** The paper uses no bounds (the reference passes `min_weight`/`max_weight` but never
/// applies them), so both are off by default. When given, the softmax output `p` is replaced by its KL
/// (Bregman) projection onto `{w : Σ w = 1, min ≤ w_i ≤ max}`, which is `w_i = clamp(c·p_i, min, max)` with the
/// unique `c > 0` that makes the sum 1: the weights inside the bounds keep their ratios and absorb the mass the
/// clamped ones gained or lost (the fixed point of "clamp, then renormalise the free weights", reached in one
/// pass). The bounds need `0 ≤ min ≤ 1/K ≤ max`, checked at step time when K is known.
public struct MirrorDescent: Hashable, Sendable {
    /// The lower bound on each weight after a step, or `nil` for none (the paper's setting).
    public let minWeight: Double?
    /// The upper bound on each weight after a step, or `nil` for none (the paper's setting).
    public let maxWeight: Double?

    /// The smallest weight a step returns: `Double.leastNormalMagnitude` (≈ 2.225e-308). A weight that would
    /// underflow below it is raised to it and the others are rescaled to keep the sum 1.
    public static let weightFloor = Double.leastNormalMagnitude

    /// Creates an update rule, with optional bounds on the weights.
    ///
    /// - Throws: ``ValidationError``: `nonFinite` for a NaN/∞ bound; `outOfRange` for `min_weight` outside
    ///   `[0, 1]`, a non-positive `max_weight`, or `min_weight > max_weight`. The check against `1/K` happens
    ///   in ``step(from:influence:stepSize:)``.
    public init(minWeight: Double? = nil, maxWeight: Double? = nil) throws(ValidationError) {
        if let minWeight {
            guard minWeight.isFinite else {
                throw ValidationError(
                    code: .nonFinite, field: "min_weight", reason: "is \(minWeight); it must be finite")
            }
            guard minWeight >= 0, minWeight <= 1 else {
                throw ValidationError(
                    code: .outOfRange, field: "min_weight",
                    reason: "is \(minWeight); it must be in [0, 1]")
            }
        }
        if let maxWeight {
            guard maxWeight.isFinite else {
                throw ValidationError(
                    code: .nonFinite, field: "max_weight", reason: "is \(maxWeight); it must be finite")
            }
            guard maxWeight > 0 else {
                throw ValidationError(
                    code: .outOfRange, field: "max_weight", reason: "is \(maxWeight); it must be positive")
            }
        }
        if let minWeight, let maxWeight, minWeight > maxWeight {
            throw ValidationError(
                code: .outOfRange, field: "min_weight",
                reason: "is \(minWeight), above max_weight (\(maxWeight))")
        }
        self.minWeight = minWeight
        self.maxWeight = maxWeight
    }

    /// One update `w ← softmax(log w + τ·I)` with `τ` = `stepSize` (`η_t/μ`), then the floor and the optional
    /// bounds (see the type's documentation). O(K) without bounds, O(K²) with them.
    ///
    /// - Parameters:
    ///   - weights: the current weights `w(t)`.
    ///   - influence: `I`, one value per objective (``GramMatrix/influence``).
    ///   - stepSize: `τ = η_t/μ ≥ 0`.
    /// - Returns: weights that are all `≥` ``weightFloor`` (so strictly positive) and sum to 1 up to rounding.
    /// - Throws: ``ValidationError``: `dimensionMismatch` (field `influence`) when `I` does not have K values;
    ///   `nonFinite` for a NaN/∞ influence (field `influence`) or step size (field `step_size`); `outOfRange`
    ///   for a negative step size, for `τ·I_i` overflowing (field `influence`), or for bounds that do not
    ///   satisfy `min ≤ 1/K ≤ max` (fields `min_weight`, `max_weight`).
    public func step(
        from weights: WeightVector, influence: [Double], stepSize: Double
    ) throws(ValidationError) -> WeightVector {
        let k = weights.dimension
        guard influence.count == k else {
            throw ValidationError(
                code: .dimensionMismatch, field: "influence",
                reason: "has \(influence.count) values but the weights have K = \(k)")
        }
        for (i, value) in influence.enumerated() where !value.isFinite {
            throw ValidationError(
                code: .nonFinite, field: "influence", column: i,
                reason: "entry \(i) is \(value); every influence must be finite")
        }
        guard stepSize.isFinite else {
            throw ValidationError(
                code: .nonFinite, field: "step_size", reason: "is \(stepSize); it must be finite")
        }
        guard stepSize >= 0 else {
            throw ValidationError(
                code: .outOfRange, field: "step_size", reason: "is \(stepSize); it must be non-negative")
        }
        try self.checkBounds(dimension: k)

        // z_i = log w_i + τ·I_i; log 0 = −∞ is fine (exp gives 0, then the floor applies).
        var z = [Double](repeating: 0, count: k)
        var largest = -Double.infinity
        for i in 0..<k {
            let increment = stepSize * influence[i]
            guard increment.isFinite else {
                throw ValidationError(
                    code: .outOfRange, field: "influence", column: i,
                    reason: "step_size × entry \(i) = \(stepSize) × \(influence[i]) overflows")
            }
            z[i] = log(weights.values[i]) + increment
            largest = Swift.max(largest, z[i])
        }
        // Softmax with the maximum subtracted: every exponent is ≤ 0, the largest term is exactly 1.
        var total = 0.0
        for i in 0..<k {
            z[i] = exp(z[i] - largest)
            total += z[i]
        }
        var result = z.map { $0 / total }
        Self.applyFloor(&result)
        if self.minWeight != nil || self.maxWeight != nil {
            // A bound below the floor or above 1 cannot bind more than the floor or the sum already do.
            let lower = Swift.max(self.minWeight ?? 0, Self.weightFloor)
            let upper = Swift.min(self.maxWeight ?? 1, 1)
            result = Self.project(result, lower: lower, upper: upper)
        }
        return WeightVector(uncheckedNormalized: result)
    }

    /// One update from a Gram matrix: `I = G·1` (``GramMatrix/influence``) and `τ = learningRate/regularization`
    /// (`η_t/μ`), then ``step(from:influence:stepSize:)``. O(K²) for the row sums.
    ///
    /// - Throws: ``ValidationError``: `nonFinite`/`outOfRange` for a learning rate that is not finite and
    ///   non-negative (field `learning_rate`) or a `μ` that is not finite and positive (field `mu`);
    ///   `outOfRange` (field `step_size`) when `η/μ` overflows; `dimensionMismatch` (field `gram`) when G's K
    ///   differs from the weights'; and every error of ``step(from:influence:stepSize:)``.
    public func step(
        from weights: WeightVector, gram: GramMatrix, learningRate: Double, regularization: Double
    ) throws(ValidationError) -> WeightVector {
        guard gram.dimension == weights.dimension else {
            throw ValidationError(
                code: .dimensionMismatch, field: "gram",
                reason: "is \(gram.dimension)×\(gram.dimension) but the weights have K = \(weights.dimension)")
        }
        guard learningRate.isFinite else {
            throw ValidationError(
                code: .nonFinite, field: "learning_rate",
                reason: "is \(learningRate); it must be finite")
        }
        guard learningRate >= 0 else {
            throw ValidationError(
                code: .outOfRange, field: "learning_rate",
                reason: "is \(learningRate); it must be non-negative")
        }
        guard regularization.isFinite else {
            throw ValidationError(
                code: .nonFinite, field: "mu", reason: "is \(regularization); it must be finite")
        }
        guard regularization > 0 else {
            throw ValidationError(
                code: .outOfRange, field: "mu", reason: "is \(regularization); it must be positive")
        }
        let stepSize = learningRate / regularization
        guard stepSize.isFinite else {
            throw ValidationError(
                code: .outOfRange, field: "step_size",
                reason: "learning_rate / mu = \(learningRate) / \(regularization) overflows")
        }
        return try self.step(from: weights, influence: gram.influence, stepSize: stepSize)
    }

    /// Checks `min ≤ 1/K ≤ max` (with a relative slack of 1e-12, so `min = 1/3` written as 0.3333333333333333
    /// passes for K = 3).
    private func checkBounds(dimension k: Int) throws(ValidationError) {
        let kk = Double(k)
        if let minWeight = self.minWeight, minWeight * kk > 1 + 1e-12 {
            throw ValidationError(
                code: .outOfRange, field: "min_weight",
                reason: "is \(minWeight), above 1/K = \(1 / kk); K weights summing to 1 cannot all "
                    + "reach it")
        }
        if let maxWeight = self.maxWeight, maxWeight * kk < 1 - 1e-12 {
            throw ValidationError(
                code: .outOfRange, field: "max_weight",
                reason: "is \(maxWeight), below 1/K = \(1 / kk); K weights summing to 1 cannot all "
                    + "stay under it")
        }
    }

    /// Raises every weight below ``weightFloor`` to it and rescales the others so the sum is unchanged
    /// (a no-op when none is below). O(K).
    private static func applyFloor(_ w: inout [Double]) {
        var flooredCount = 0
        var freeMass = 0.0
        for value in w {
            if value < Self.weightFloor { flooredCount += 1 } else { freeMass += value }
        }
        guard flooredCount > 0 else { return }
        let scale = (1 - Double(flooredCount) * Self.weightFloor) / freeMass
        for i in w.indices {
            w[i] = w[i] < Self.weightFloor ? Self.weightFloor : w[i] * scale
        }
    }

    /// The KL projection of the positive, normalised `p` onto `{Σ w = 1, lower ≤ w_i ≤ upper}`:
    /// `w_i = clamp(c·p_i, lower, upper)` with `Σ_i w_i = 1`.
    ///
    /// `f(c) = Σ clamp(c·p_i, lower, upper)` is continuous, non-decreasing and piecewise linear with breakpoints
    /// `lower/p_i` and `upper/p_i`; `c` is found by walking the sorted breakpoints and interpolating on the piece
    /// that crosses 1. The weights strictly inside the bounds are then `p_i·(1 − clamped mass)/Σ_free p`, so the
    /// sum is 1 up to rounding. O(K²) (K is the number of objectives).
    static func project(_ p: [Double], lower: Double, upper: Double) -> [Double] {
        let k = p.count
        let kk = Double(k)
        if kk * lower >= 1 || kk * upper <= 1 {
            // Only the uniform vector fits (the bounds were checked to be within 1e-12 of 1/K).
            return Array(repeating: 1 / kk, count: k)
        }
        if p.allSatisfy({ $0 >= lower && $0 <= upper }) { return p }
        func f(_ c: Double) -> Double {
            p.reduce(0) { $0 + Swift.min(Swift.max(c * $1, lower), upper) }
        }
        let breakpoints = p.flatMap { [lower / $0, upper / $0] }.sorted()
        var previousC = 0.0
        var previousF = kk * lower
        var c = breakpoints.last!
        for breakpoint in breakpoints where breakpoint > previousC {
            let value = f(breakpoint)
            if value >= 1 {
                c = previousC + (1 - previousF) * (breakpoint - previousC) / (value - previousF)
                break
            }
            previousC = breakpoint
            previousF = value
        }
        var result = [Double](repeating: 0, count: k)
        var clampedMass = 0.0
        var freeSum = 0.0
        var isFree = [Bool](repeating: false, count: k)
        for i in 0..<k {
            let candidate = c * p[i]
            if candidate <= lower {
                result[i] = lower
                clampedMass += lower
            } else if candidate >= upper {
                result[i] = upper
                clampedMass += upper
            } else {
                isFree[i] = true
                freeSum += p[i]
            }
        }
        if freeSum > 0 {
            let scale = (1 - clampedMass) / freeSum
            for i in 0..<k where isFree[i] {
                result[i] = Swift.min(Swift.max(p[i] * scale, lower), upper)
            }
        }
        return result
    }
}
