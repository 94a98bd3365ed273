/// The projection of `Jᵀu` onto the dual cone `{x : J·x ≥ 0}` of the gradients, in weight space (Quinton &
/// Rey 2024, "Jacobian Descent for Multi-Objective Optimization", Prop. 1): `π_J(Jᵀu) = Jᵀv` with
///
///     v = argmin_{v ≥ u} vᵀ·G·v.
///
/// With `v = u + s` this is the non-negative quadratic program `min_{s ≥ 0} ½·sᵀGs + sᵀ(G·u)`, solved by the
/// active-set method of Lawson & Hanson (*Solving Least Squares Problems*, 1974, ch. 23), written on `G` and
/// `G·u` only as Bro & de Jong's FNNLS does (J. Chemometrics 11, 1997). It is exact (finite termination, no
/// convergence tolerance on the weights) and needs `G` positive definite: callers regularise it first.
enum DualConeProjection {
    /// `v`, or `nil` when G is not positive definite to working precision (a Cholesky pivot ≤ 0).
    /// - Precondition: `gram` is a symmetric positive-definite `k×k` row-major matrix, `u.count == k`.
    static func project(_ u: [Double], gram g: [Double], dimension k: Int) -> [Double]? {
        let linear = DenseLinearSystems.multiply(g, u, dimension: k)
        let scale = max(linear.reduce(0) { max($0, abs($1)) }, (0..<k).map { g[$0 * k + $0] }.max()!)
        let tolerance = 1e-14 * max(scale, .leastNormalMagnitude)
        var s = [Double](repeating: 0, count: k)
        var passive: [Int] = []

        for _ in 0..<(3 * k + 10) {
            // The gradient of the objective, G·s + G·u; a negative entry outside the passive set can decrease it.
            let gs = DenseLinearSystems.multiply(g, s, dimension: k)
            let gradient = zip(gs, linear).map { $0 + $1 }
            let candidates = (0..<k).filter { !passive.contains($0) && gradient[$0] < -tolerance }
            guard let entering = candidates.min(by: { gradient[$0] < gradient[$1] }) else { break }
            passive.append(entering)
            for _ in 0..<(k + 1) {
                guard let z = Self.unconstrained(on: passive, gram: g, dimension: k, linear: linear) else {
                    return nil
                }
                if z.allSatisfy({ $0 > 0 }) {
                    for (index, i) in passive.enumerated() { s[i] = z[index] }
                    break
                }
                // Step from s towards z as far as s ≥ 0 allows, then free the entries that reached 0.
                var alpha = 1.0
                for (index, i) in passive.enumerated() where z[index] <= 0 {
                    let denominator = s[i] - z[index]
                    if denominator > 0 { alpha = min(alpha, s[i] / denominator) }
                }
                for (index, i) in passive.enumerated() { s[i] += alpha * (z[index] - s[i]) }
                for i in passive where s[i] <= tolerance { s[i] = 0 }
                passive.removeAll { s[$0] == 0 }
                if passive.isEmpty { break }
            }
        }
        return zip(u, s).map { $0 + $1 }
    }

    /// The minimiser of `½·sᵀGs + sᵀ(G·u)` over the passive entries (the others 0): `G_PP·z = −(G·u)_P`.
    private static func unconstrained(
        on passive: [Int], gram g: [Double], dimension k: Int, linear: [Double]
    ) -> [Double]? {
        let n = passive.count
        var system = [Double](repeating: 0, count: n * n)
        for (a, i) in passive.enumerated() {
            for (b, j) in passive.enumerated() { system[a * n + b] = g[i * k + j] }
        }
        return DenseLinearSystems.solvePositiveDefinite(system, passive.map { -linear[$0] }, dimension: n)
    }
}
