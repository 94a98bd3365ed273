/// The inverted generational distances of an approximation set `A` to a reference front `Z` (both in the
/// maximisation convention: minimised objectives negated), as pymoo computes them and morl-baselines reports
/// them. Lower is better; 0 when `A` covers `Z`.
///
/// - **IGD** (Coello Coello & Reyes Sierra 2004): `IGD(A; Z) = (1/|Z|)·Σ_{z∈Z} min_{a∈A} ‖z − a‖₂`.
/// - **IGD+** (Ishibuchi, Masuda, Tanigaki & Nojima 2015, eq. 17 written for maximisation):
///   `IGD⁺(A; Z) = (1/|Z|)·Σ_{z∈Z} min_{a∈A} √(Σ_i max(z_i − a_i, 0)²)`: only the amounts by which `a` is worse
///   than `z` count, which makes IGD+ weakly Pareto compliant (IGD is not).
///
/// Exact up to the rounding of the sums (`O(|A|·|Z|·K)` work, no index structure).
public enum GenerationalDistance {
    /// `IGD(A; Z)`.
    /// - Throws: ``ValidationError`` (`empty`, `dimensionMismatch`) when either set is empty or their K differ.
    public static func inverted(
        of approximation: ObjectiveMatrix, reference: ObjectiveMatrix
    ) throws(ValidationError) -> Double {
        try check(approximation, reference)
        return meanOverReference(approximation, reference, onlyWorse: false)
    }

    /// `IGD⁺(A; Z)`, maximisation convention.
    /// - Throws: ``ValidationError`` (`empty`, `dimensionMismatch`) when either set is empty or their K differ.
    public static func invertedPlus(
        of approximation: ObjectiveMatrix, reference: ObjectiveMatrix
    ) throws(ValidationError) -> Double {
        try check(approximation, reference)
        return meanOverReference(approximation, reference, onlyWorse: true)
    }

    /// `(1/|Z|)·Σ_z min_a ‖d(z, a)‖₂` with `d_i = z_i − a_i`, or `max(z_i − a_i, 0)` when `onlyWorse`.
    private static func meanOverReference(
        _ approximation: ObjectiveMatrix, _ reference: ObjectiveMatrix, onlyWorse: Bool
    ) -> Double {
        let k = reference.dimension
        let zs = reference.storage
        let as_ = approximation.storage
        var total = 0.0
        for z in stride(from: 0, to: zs.count, by: k) {
            var nearest = Double.infinity
            for a in stride(from: 0, to: as_.count, by: k) {
                var squared = 0.0
                for i in 0..<k {
                    let d = onlyWorse ? max(zs[z + i] - as_[a + i], 0) : zs[z + i] - as_[a + i]
                    squared += d * d
                }
                nearest = min(nearest, squared)
            }
            total += nearest.squareRoot()
        }
        return total / Double(reference.count)
    }

    private static func check(_ approximation: ObjectiveMatrix, _ reference: ObjectiveMatrix) throws(ValidationError) {
        guard !approximation.isEmpty else {
            throw ValidationError(code: .empty, field: "points", reason: "must hold at least one point")
        }
        guard !reference.isEmpty else {
            throw ValidationError(code: .empty, field: "reference_front", reason: "must hold at least one point")
        }
        guard approximation.dimension == reference.dimension else {
            throw ValidationError(
                code: .dimensionMismatch, field: "reference_front",
                reason: "has K = \(reference.dimension) but the points have K = \(approximation.dimension)")
        }
    }
}
