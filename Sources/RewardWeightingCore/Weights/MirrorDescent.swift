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
/// **Numerics: exact at any `τ·I`, with no floor.** The update is computed in log space:
/// `z_i = log w_i + τ·I_i`, then `w_i = exp(z_i − max_k z_k) / Σ_k exp(z_k − max_k z_k)`, so the largest term
/// is `exp(0) = 1`, nothing overflows and the sum is in `[1, K]`, for any finite `τ·I`. A weight whose value is
/// below the smallest normal double (`Double.leastNormalMagnitude` ≈ 2.2e-308) cannot carry its own logarithm
/// (it is subnormal or 0), so while one is that small the step keeps the logits `ℓ_i = log w_i(0) + Σ_t τ_t·I_i(t)`
/// themselves, in double-double (``ExactWeights/logits`` and ``ExactWeights/residuals``, summed with TwoSum),
/// and takes the weights from them. A trajectory therefore follows Lemma 5.1's
/// closed form however far a weight falls (its reported value may underflow to 0), and a weight comes back
/// exactly when, and as much as, the closed form says. (The reference code loses such a weight for ever: it
/// underflows to 0.) While every weight is normal the step is the plain double computation above, so runs whose
/// weights never fall that low give bit for bit what they gave before logits were kept. An input weight that is
/// exactly 0 (an initial weight of 0) starts from `log(leastNormalMagnitude)`. With bounds, the logits of a
/// projected step are kept in double precision only.
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

    /// The smallest weight that is its own exact logarithm's source: `Double.leastNormalMagnitude`
    /// (≈ 2.225e-308). Below it, ``ExactWeights/logits`` carry the weights.
    public static let smallestNormalWeight = Double.leastNormalMagnitude

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

    /// One update `w ← softmax(log w + τ·I)` from weights alone (``step(from:influence:stepSize:)-(ExactWeights,_,_)``
    /// with no stored logarithms), returning the weights only.
    /// - Throws: the errors of ``step(from:influence:stepSize:)-(ExactWeights,_,_)``.
    public func step(
        from weights: WeightVector, influence: [Double], stepSize: Double
    ) throws(ValidationError) -> WeightVector {
        try self.step(from: ExactWeights(weights), influence: influence, stepSize: stepSize).weights
    }

    /// One update `w ← softmax(log w + τ·I)` with `τ` = `stepSize` (`η_t/μ`), then the optional bounds (see the
    /// type's documentation). O(K) without bounds, O(K²) with them.
    ///
    /// - Parameters:
    ///   - current: the current weights `w(t)`, with the logits of the previous step when it returned them.
    ///   - influence: `I`, one value per objective (``GramMatrix/influence``).
    ///   - stepSize: `τ = η_t/μ ≥ 0`.
    /// - Returns: weights that are non-negative and sum to 1 up to rounding (a weight below about 1e-308 may be
    ///   reported as a subnormal or 0), with the exact logits while one is below ``smallestNormalWeight``.
    /// - Throws: ``ValidationError``: `dimensionMismatch` (field `influence`) when `I` does not have K values;
    ///   `nonFinite` for a NaN/∞ influence (field `influence`) or step size (field `step_size`); `outOfRange`
    ///   for a negative step size, for `τ·I_i` overflowing (field `influence`), or for bounds that do not
    ///   satisfy `min ≤ 1/K ≤ max` (fields `min_weight`, `max_weight`).
    public func step(
        from current: ExactWeights, influence: [Double], stepSize: Double
    ) throws(ValidationError) -> ExactWeights {
        let weights = current.weights
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

        var increments = [Double](repeating: 0, count: k)
        for i in 0..<k {
            increments[i] = stepSize * influence[i]
            guard increments[i].isFinite else {
                throw ValidationError(
                    code: .outOfRange, field: "influence", column: i,
                    reason: "step_size × entry \(i) = \(stepSize) × \(influence[i]) overflows")
            }
        }
        if current.logits == nil {
            // Every weight carries its own logarithm: z_i = log w_i + τ·I_i in double precision, as always.
            let z = (0..<k).map { current.logarithm($0) + increments[$0] }
            let unbounded = Self.softmax(z)
            if unbounded.allSatisfy({ $0 >= Self.smallestNormalWeight }) {
                let result = self.applyBounds(unbounded)
                if result.allSatisfy({ $0 >= Self.smallestNormalWeight }) {
                    return ExactWeights(uncheckedNormalized: result, logits: nil, residuals: nil)
                }
            }
        }
        // Some weight is (or falls) below the smallest normal double: accumulate the logits
        // ℓ_i = log w_i(0) + Σ_t τ_t·I_i(t) in double-double (hi + lo, TwoSum), so that they stay exact
        // whatever their size, and take the weights from them.
        var hi = current.logits ?? (0..<k).map { current.logarithm($0) }
        var lo = current.residuals ?? [Double](repeating: 0, count: k)
        for i in 0..<k {
            let (sum, error) = twoSum(hi[i], increments[i])
            hi[i] = sum
            lo[i] += error
        }
        // Re-centre on the largest logit so that they stay small: ℓ_m becomes (0, 0).
        let m = hi.indices.max { hi[$0] < hi[$1] }!
        let (topHi, topLo) = (hi[m], lo[m])
        for i in 0..<k {
            let (difference, error) = twoSum(hi[i], -topHi)
            hi[i] = difference
            lo[i] += error - topLo
        }
        hi[m] = 0
        lo[m] = 0
        let z = (0..<k).map { hi[$0] + lo[$0] }
        var result: [Double]
        if self.minWeight != nil || self.maxWeight != nil {
            // The KL projection onto the bounds, in log space so that tiny free weights keep their exact ratios;
            // the logits become the projected log w_i (double precision: a projected step keeps no residuals).
            let logTotal = log(z.reduce(0) { $0 + exp($1) })  // the largest z is 0: the sum is in [1, K]
            let projected = Self.projectLogarithms(
                z.map { $0 - logTotal }, lower: self.minWeight ?? 0, upper: Swift.min(self.maxWeight ?? 1, 1))
            result = projected.map { exp($0) }
            let top = projected.max()!
            hi = projected.map { $0 - top }
            lo = [Double](repeating: 0, count: k)
        } else {
            result = Self.softmax(z)
        }
        guard result.contains(where: { $0 < Self.smallestNormalWeight }) else {  // every weight its own log again
            return ExactWeights(uncheckedNormalized: result, logits: nil, residuals: nil)
        }
        return ExactWeights(uncheckedNormalized: result, logits: hi, residuals: lo)
    }

    /// The KL projection of ``project(_:lower:upper:)`` from and to logarithms: `log w_i` for
    /// `w_i = clamp(c·p_i, lower, upper)`, `Σ w_i = 1`, given finite `log p_i` (normalised), however small the `p_i`.
    ///
    /// `F(x) = Σ_i clamp(e^(x + log p_i), lower, upper)` is non-decreasing in `x = log c`, with breakpoints
    /// `log(lower) − log p_i` and `log(upper) − log p_i`. Between two of them the clamped set is fixed and
    /// `F(x) = 1` solves in closed form, `x = log(1 − clamped mass) − log Σ_free p_i` (a log-sum-exp); the piece
    /// whose solution lies in it is the answer. O(K²).
    static func projectLogarithms(_ logp: [Double], lower: Double, upper: Double) -> [Double] {
        let k = logp.count
        let kk = Double(k)
        if kk * lower >= 1 || kk * upper <= 1 {
            return Array(repeating: -log(kk), count: k)
        }
        let logLower = lower > 0 ? log(lower) : -Double.infinity
        let logUpper = log(upper)
        var breakpoints = logp.map { logUpper - $0 }
        if lower > 0 { breakpoints += logp.map { logLower - $0 } }
        breakpoints.sort()
        // Candidate pieces: below the first breakpoint, between each pair, above the last.
        var probes = [breakpoints.first! - 1]
        for (a, b) in zip(breakpoints, breakpoints.dropFirst()) where b > a { probes.append(a + (b - a) / 2) }
        probes.append(breakpoints.last! + 1)
        var best: (x: Double, residual: Double)?
        for probe in probes {
            var clampedMass = 0.0
            var free: [Double] = []
            for a in logp {
                if probe + a >= logUpper {
                    clampedMass += upper
                } else if lower > 0 && probe + a <= logLower {
                    clampedMass += lower
                } else {
                    free.append(a)
                }
            }
            guard !free.isEmpty, clampedMass < 1 else { continue }
            let top = free.max()!
            let x = log(1 - clampedMass) - (top + log(free.reduce(0) { $0 + exp($1 - top) }))
            // The solution of this piece's equation; keep the one whose F(x) is closest to 1 (the true piece
            // gives 1 up to rounding).
            let total = logp.reduce(0) { $0 + Swift.min(Swift.max(exp(x + $1), lower), upper) }
            let residual = abs(total - 1)
            if best == nil || residual < best!.residual { best = (x, residual) }
        }
        guard let x = best?.x else { return Array(repeating: -log(kk), count: k) }
        return logp.map { Swift.min(Swift.max(x + $0, logLower), logUpper) }
    }

    /// `p` projected onto the bounds (``project(_:lower:upper:)``), or `p` itself without bounds.
    private func applyBounds(_ p: [Double]) -> [Double] {
        guard self.minWeight != nil || self.maxWeight != nil else { return p }
        return Self.project(p, lower: self.minWeight ?? 0, upper: Swift.min(self.maxWeight ?? 1, 1))
    }

    /// `softmax(z)` with the maximum subtracted: every exponent is ≤ 0, the largest term is exactly 1, the sum
    /// is in `[1, K]`, so nothing overflows for any finite `z`.
    private static func softmax(_ z: [Double]) -> [Double] {
        let largest = z.max()!
        let terms = z.map { exp($0 - largest) }
        let total = terms.reduce(0, +)
        return terms.map { $0 / total }
    }

    /// The optional bounds applied to weights already on the simplex (a Gramian update's reward weights): their
    /// KL projection onto `{Σ w = 1, min ≤ w_i ≤ max}` (see the type's documentation); the weights as they are
    /// without bounds. O(K²).
    /// - Throws: ``ValidationError`` for bounds that do not satisfy `min ≤ 1/K ≤ max` (fields `min_weight`,
    ///   `max_weight`).
    public func bounded(_ weights: WeightVector) throws(ValidationError) -> WeightVector {
        try self.checkBounds(dimension: weights.dimension)
        guard weights.values.contains(where: { $0 < Self.smallestNormalWeight }),
            self.minWeight != nil || self.maxWeight != nil
        else { return WeightVector(uncheckedNormalized: self.applyBounds(weights.values)) }
        // A weight of 0 cannot take mass under a KL projection; when the bounds force some onto it (the
        // others capped at max_weight), the weights below the smallest normal double share it as if they were
        // that small.
        let projected = Self.projectLogarithms(
            weights.values.map { log(Swift.max($0, Self.smallestNormalWeight)) },
            lower: self.minWeight ?? 0, upper: Swift.min(self.maxWeight ?? 1, 1))
        return WeightVector(uncheckedNormalized: projected.map { exp($0) })
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

    /// The KL projection of the positive, normalised `p` onto `{Σ w = 1, lower ≤ w_i ≤ upper}`:
    /// `w_i = clamp(c·p_i, lower, upper)` with `Σ_i w_i = 1`.
    ///
    /// `f(c) = Σ clamp(c·p_i, lower, upper)` is continuous, non-decreasing and piecewise linear with breakpoints
    /// `lower/p_i` and `upper/p_i`; `c` is found by walking the sorted breakpoints and interpolating on the piece
    /// that crosses 1. The weights strictly inside the bounds are then `p_i·(1 − clamped mass)/Σ_free p`, so the
    /// sum is 1 up to rounding. O(K²) (K is the number of objectives).
    /// Used on weights that are all normal doubles (``projectLogarithms(_:lower:upper:)`` below them).
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

/// Knuth's TwoSum: `a + b` rounded, and the rounding error, so that `sum + error == a + b` exactly.
private func twoSum(_ a: Double, _ b: Double) -> (sum: Double, error: Double) {
    let sum = a + b
    let bVirtual = sum - a
    let aVirtual = sum - bVirtual
    return (sum, (a - aVirtual) + (b - bVirtual))
}
