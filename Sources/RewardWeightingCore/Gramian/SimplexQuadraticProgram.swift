/// A convex quadratic program over the probability simplex,
///
///     w* = argmin_{w ∈ Δ_K} ½·wᵀ·Q·w + qᵀ·w,     Δ_K = {w : w ≥ 0, Σ w = 1},
///
/// by Wolfe's algorithm ("Finding the nearest point in a polytope", Math. Programming 11, 1976), extended to a
/// linear term. With `q = 0` and `Q = G` it is the min-norm point of the convex hull of K vectors known only by
/// their Gram matrix (MGDA): `x = Σ λ_i g_i`, `‖x‖² = λᵀGλ`, `⟨x, g_j⟩ = (Gλ)_j`. A major cycle adds the index
/// with the smallest gradient entry `(Qλ + q)_j`; minor cycles move to the minimiser over the affine hull of
/// the current support (the bordered system `[Q_SS 1; 1ᵀ 0]·[w; ν] = [−q_S; 1]`), stepping back to the hull's
/// boundary and dropping indices while that minimiser has a non-positive coefficient. It terminates in finitely
/// many steps in exact arithmetic and returns an exact optimum (up to rounding), not an approximation: unlike
/// Frank–Wolfe it has no convergence tolerance on the weights. It stops when the optimality gap
/// `λᵀ(Qλ + q) − min_j (Qλ + q)_j` is below `1e-14·(max_j Q_jj + max_j |q_j|)`, Wolfe's test Z1.
///
/// With `q = 0` it works for a rank-deficient Q (the optimum may then have several weight vectors; one is
/// returned); with a linear term Q must be positive definite on the simplex's directions.
enum SimplexQuadraticProgram {
    /// The weights `w*`, or `nil` when the iteration does not settle (Q far from positive semi-definite).
    /// - Precondition: `quadratic` is a symmetric `k×k` row-major matrix, `k ≥ 1`, `linear` has k entries.
    static func minimize(quadratic g: [Double], linear q: [Double]? = nil, dimension k: Int) -> [Double]? {
        let linear = q ?? [Double](repeating: 0, count: k)
        let maxDiagonal = (0..<k).map { g[$0 * k + $0] }.max()!
        let scale = maxDiagonal + linear.reduce(0) { max($0, abs($1)) }
        guard scale > 0 else { return Array(repeating: 1 / Double(k), count: k) }
        let gapTolerance = 1e-14 * scale
        let coefficientTolerance = 1e-12

        // Start at the best vertex.
        let first = (0..<k).min { 0.5 * g[$0 * k + $0] + linear[$0] < 0.5 * g[$1 * k + $1] + linear[$1] }!
        var lambda = [Double](repeating: 0, count: k)
        lambda[first] = 1
        var support = [first]

        for _ in 0..<(50 * k + 50) {
            let gradient = zip(DenseLinearSystems.multiply(g, lambda, dimension: k), linear).map { $0 + $1 }
            let value = zip(lambda, gradient).reduce(0) { $0 + $1.0 * $1.1 }
            let j = (0..<k).min { gradient[$0] < gradient[$1] }!
            if value - gradient[j] <= gapTolerance || support.contains(j) { return lambda }
            support.append(j)

            // Minor cycles.
            var settled = false
            for _ in 0..<(k + 1) {
                // An affinely dependent support can only come from rounding (Wolfe's new vector is always
                // affinely independent of the corral in exact arithmetic): λ is then optimal to working precision.
                guard let alpha = Self.affineMinimizer(g, linear, dimension: k, support: support) else {
                    return lambda
                }
                if alpha.allSatisfy({ $0 > coefficientTolerance }) {
                    lambda = [Double](repeating: 0, count: k)
                    for (index, i) in support.enumerated() { lambda[i] = alpha[index] }
                    settled = true
                    break
                }
                // Step from λ towards α as far as the simplex allows: θ = min λ_i/(λ_i − α_i) over α_i ≤ 0.
                var theta = 1.0
                for (index, i) in support.enumerated() where alpha[index] <= coefficientTolerance {
                    let denominator = lambda[i] - alpha[index]
                    if denominator > 0 { theta = min(theta, lambda[i] / denominator) }
                }
                for (index, i) in support.enumerated() {
                    lambda[i] = (1 - theta) * lambda[i] + theta * alpha[index]
                }
                let removed = support.filter { lambda[$0] <= coefficientTolerance }
                for i in removed { lambda[i] = 0 }
                support.removeAll { lambda[$0] == 0 }
                guard !support.isEmpty else { return nil }
                let sum = support.reduce(0) { $0 + lambda[$1] }
                for i in support { lambda[i] /= sum }
            }
            guard settled else { return nil }
        }
        return nil
    }

    /// The coefficients (one per support index, summing to 1) of the minimiser over the support's affine hull:
    /// `[Q_SS 1; 1ᵀ 0]·[w; ν] = [−q_S; 1]`. `nil` when the system is singular to working precision.
    private static func affineMinimizer(
        _ g: [Double], _ q: [Double], dimension k: Int, support: [Int]
    ) -> [Double]? {
        let n = support.count
        var system = [Double](repeating: 0, count: (n + 1) * (n + 1))
        for (a, i) in support.enumerated() {
            for (b, j) in support.enumerated() { system[a * (n + 1) + b] = g[i * k + j] }
            system[a * (n + 1) + n] = 1
            system[n * (n + 1) + a] = 1
        }
        var rhs = support.map { -q[$0] } + [1]
        rhs[n] = 1
        guard let solution = DenseLinearSystems.solve(system, rhs, dimension: n + 1) else { return nil }
        return Array(solution[0..<n])
    }
}
