#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A gradient run's weights, with exact logits while some weight is too small to carry its own logarithm
/// (below `Double.leastNormalMagnitude`, where a double is subnormal or 0).
///
/// The logits `ℓ = hi + lo` (a double-double per objective) satisfy `w = softmax(ℓ)`: ``MirrorDescent``'s step
/// adds `τ·I` to them exactly (TwoSum) and starts from them, so a weight far below the smallest double follows
/// Lemma 5.1's closed form `w_i ∝ w_i(0)·exp(Σ_t τ_t·I_i(t))` and comes back exactly when the closed form says.
/// When every weight is normal again they are dropped, and each weight is its own logarithm's source again.
public struct ExactWeights: Hashable, Sendable {
    /// The weights, non-negative, summing to 1 up to rounding (a weight below about 1e-308 may read as a
    /// subnormal or 0).
    public let weights: WeightVector
    /// The high parts of the logits, finite, with the largest at 0; `nil` while every weight is normal.
    public let logits: [Double]?
    /// The low parts of the logits (rounding errors carried exactly), present with ``logits``.
    public let residuals: [Double]?

    /// Weights without logits (every weight's logarithm is taken from the weight itself).
    public init(_ weights: WeightVector) {
        self.weights = weights
        self.logits = nil
        self.residuals = nil
    }

    /// Weights with the logits a previous step returned.
    /// - Throws: ``ValidationError`` (field `logits`): logits without residuals or the other way round, not K
    ///   values, or a value that is not finite.
    public init(_ weights: WeightVector, logits: [Double]?, residuals: [Double]?) throws(ValidationError) {
        guard (logits == nil) == (residuals == nil) else {
            throw ValidationError(
                code: .empty, field: "logits", reason: "logits and their residuals come together")
        }
        for (field, values) in [("logits", logits), ("logit_residuals", residuals)] {
            guard let values else { continue }
            guard values.count == weights.dimension else {
                throw ValidationError(
                    code: .dimensionMismatch, field: field,
                    reason: "has \(values.count) values but the weights have K = \(weights.dimension)")
            }
            _ = try ObjectiveVector(values, field: field)
        }
        self.weights = weights
        self.logits = logits
        self.residuals = residuals
    }

    init(uncheckedNormalized values: [Double], logits: [Double]?, residuals: [Double]?) {
        self.weights = WeightVector(uncheckedNormalized: values)
        self.logits = logits
        self.residuals = residuals
    }

    /// The logarithm a step takes from a weight without logits: `log w_i`, or `log(leastNormalMagnitude)` for a
    /// weight of 0 (an initial weight of 0), so that every logarithm is finite.
    func logarithm(_ i: Int) -> Double {
        let value = self.weights.values[i]
        return log(value > 0 ? value : MirrorDescent.smallestNormalWeight)
    }
}
