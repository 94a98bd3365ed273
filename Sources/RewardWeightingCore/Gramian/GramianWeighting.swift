#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A weighting of the objectives computed from the Gram matrix `G = J·Jᵀ` of their gradients alone, as the
/// gradient-balancing methods of multi-task learning define them. The trainer already sends G for the gradient
/// method; these methods need nothing more.
///
/// Each weighting gives **raw weights** `α` such that `Jᵀα` is the method's update direction, exactly as
/// TorchJD's Gramian weightings (`torchjd.aggregation.*Weighting`, v0.18) compute them, and **reward weights**:
/// `α` with negative entries clipped to 0, divided by its sum. Scalarising the rewards with the reward weights
/// makes the policy gradient `Σ_k w_k ∇J_k` point along the method's direction (scaled by `1/Σα`, which a
/// trainer's learning rate absorbs; MGDA's `α` already sums to 1). Only IMTL-G and Aligned-MTL can have
/// negative raw weights, and clipping them is this service's choice: a reward weight below 0 would train
/// *against* an objective.
///
/// Every weighting first divides G by its trace (TorchJD's `normalize`, without its absolute threshold), so
/// all of them are invariant to the scale of G: a trainer's Gram matrices span many orders of magnitude.
///
/// | weighting | raw weights `α` | source |
/// |---|---|---|
/// | ``mgda`` | `argmin_{α∈Δ} αᵀGα`: the min-norm point of the gradients' convex hull | Désidéri 2012; Sener & Koltun 2018 |
/// | ``upgrad(regularization:)`` | `Σ_i argmin_{v ≥ e_i/K} vᵀ(Ĝ+εI)v` | Quinton & Rey 2024 |
/// | ``dualProj(regularization:)`` | `argmin_{v ≥ 1/K} vᵀ(Ĝ+εI)v` | Quinton & Rey 2024 (TorchJD's DualProj) |
/// | ``imtlG`` | `v/Σv`, `v = Ĝ⁺·√diag(Ĝ)`: equal projections of the update on every unit gradient | Liu et al. 2021 (IMTL) |
/// | ``alignedMTL(_:)`` | `B·1/K`, `B = √σ·Ĝ^(−1/2)` on G's range | Senushkin et al. 2023 |
/// | ``cagrad(c:)`` | `1/K + (φ/‖g_w‖)·w`, `w = argmin_{w∈Δ} wᵀĜ1/K + φ·√(wᵀĜw)` | Liu et al. 2021 (CAGrad) |
/// | ``pcgrad`` | `Σ_i E_π[c_i(π)]`: each gradient's conflicting components projected away, in expectation over the orders | Yu et al. 2020 (PCGrad) |
///
/// `Ĝ = G/trace(G)`, `Δ` the probability simplex, `Ĝ⁺` the pseudo-inverse.
public enum GramianWeighting: Hashable, Sendable {
    /// MGDA (Désidéri, "Multiple-gradient descent algorithm (MGDA) for multiobjective optimization", C. R.
    /// Math. 350, 2012; Sener & Koltun, "Multi-Task Learning as Multi-Objective Optimization", NeurIPS 2018):
    ///
    ///     α = argmin_{α ∈ Δ_K} αᵀ·G·α.
    ///
    /// `Jᵀα` is the min-norm element of the convex hull of the gradients, a common descent direction for all
    /// objectives (or 0 at a Pareto-stationary point). Closed form for K = 2 (Sener & Koltun, Alg. 1):
    /// `α_1 = clamp((G_22 − G_12)/(G_11 + G_22 − 2·G_12), 0, 1)`; Wolfe's exact min-norm-point algorithm for
    /// larger K (TorchJD uses Frank–Wolfe with a 1e-3 stopping tolerance instead).
    case mgda
    /// UPGrad (Quinton & Rey, "Jacobian Descent for Multi-Objective Optimization", 2024, Eq. 5): each gradient
    /// is projected onto the dual cone of all gradients and the projections are averaged,
    ///
    ///     α = Σ_i v_i,   v_i = argmin_{v ≥ e_i/K} vᵀ·(Ĝ + ε·I)·v,
    ///
    /// with `ε` = `regularization` (TorchJD's `reg_eps`, default 1e-4), which keeps the problem strictly convex
    /// when G is rank-deficient. The update conflicts with no objective (`J·Jᵀα ≥ 0`).
    case upgrad(regularization: Double)
    /// DualProj (Quinton & Rey 2024, TorchJD's `DualProjWeighting`): the mean gradient projected onto the dual
    /// cone, `α = argmin_{v ≥ 1/K} vᵀ·(Ĝ + ε·I)·v`.
    case dualProj(regularization: Double)
    /// IMTL-G (Liu et al., "Towards Impartial Multi-task Learning", ICLR 2021, gradient balance): the update
    /// `d = Jᵀα` with `Σα = 1` whose projection on every unit gradient `g_i/‖g_i‖` is the same,
    ///
    ///     v = Ĝ⁺·√diag(Ĝ),   α = v / Σv,
    ///
    /// (TorchJD's form; `Ĝ⁺` the pseudo-inverse with singular values below `K·ε_mach·λ_max` dropped). Raw
    /// weights are all 0 when `|Σv| < 1e-12`. May be negative.
    case imtlG
    /// Aligned-MTL (Senushkin et al., "Independent Component Alignment for Multi-Task Learning", CVPR 2023):
    /// the gradients are made orthogonal with equal norms by the balance transformation
    ///
    ///     B = √σ · V·Σ^(−1/2)·Vᵀ,   α = B·(1/K)·1,
    ///
    /// where `Ĝ = VΣVᵀ` restricted to its eigenvalues above `K·ε_mach·λ_max` and σ is the smallest, median
    /// (the lower one for an even count, as `torch.median`) or mean of them (``AlignedMTLScale``). May be
    /// negative.
    case alignedMTL(AlignedMTLScale)
    /// CAGrad (Liu, Liu, Jin, Stone & Liu, "Conflict-Averse Gradient Descent for Multi-task Learning", NeurIPS
    /// 2021, Eq. 4 and its dual): the update `d = g_0 + (φ/‖g_w‖)·g_w` that improves the worst objective most
    /// within a ball of radius `c·‖g_0‖` around the mean gradient `g_0 = Jᵀ1/K`, with
    ///
    ///     w = argmin_{w ∈ Δ_K} wᵀĜ·1/K + φ·√(wᵀĜw),   φ = c·√(1ᵀĜ1)/K,   α = 1/K + (φ/‖g_w‖)·w,
    ///
    /// as TorchJD's `CAGradWeighting(c)` forms it. Solved exactly: `φ·√x = min_{t>0} (φ/2)(x/t + t)` turns the
    /// problem into simplex quadratic programs in w for a fixed t (solved by Wolfe's method), and the optimal t
    /// (`= ‖g_w‖`) is found by bisection on the sign of `t − ‖g_{w(t)}‖`, which is monotone because the joint
    /// problem is convex (TorchJD uses an interior-point solver instead). A rank-deficient Ĝ gets `1e-12·I` added
    /// so that every inner program is strictly convex. `c = 0`, or a `g_w` of norm 0 (0 is in the hull of the
    /// gradients), gives the mean, `α = 1/K`.
    case cagrad(c: Double)
    /// PCGrad (Yu, Kumar, Gupta, Levine, Hausman & Finn, "Gradient Surgery for Multi-Task Learning", NeurIPS
    /// 2020, Algorithm 1) in its Gramian form: for each objective i, start from `c = e_i` (the gradient `g_i`)
    /// and, for the other objectives j in a random order π, remove the component along `g_j` whenever it
    /// conflicts,
    ///
    ///     if gⱼᵀ(Jᵀc) = (Ĝc)_j < 0:   c_j ← c_j − (Ĝc)_j / Ĝ_jj,        α = Σ_i c_i.
    ///
    /// The paper (and TorchJD's `PCGradWeighting`) draws π afresh each step; here `α` is the **expectation over
    /// all (K − 1)! orders** for each i, computed exactly, so that the same G always gives the same weights (a
    /// retried or replayed report must). For K = 2 there is one order and this is PCGrad itself. At most
    /// ``pcgradMaximumDimension`` objectives (7! = 5040 orders per objective).
    case pcgrad

    /// The largest K ``pcgrad`` takes: 8, for which its exact expectation walks 8 × 5040 orders.
    public static let pcgradMaximumDimension = 8

    /// The σ of ``GramianWeighting/alignedMTL(_:)``: which eigenvalue sets the scale of the aligned gradients.
    public enum AlignedMTLScale: String, Codable, CaseIterable, Hashable, Sendable {
        /// The smallest non-zero eigenvalue (TorchJD's default).
        case min
        /// The median non-zero eigenvalue (the lower middle one for an even count).
        case median
        /// The mean of the non-zero eigenvalues (the original implementation's choice).
        case rmse
    }

    /// A weighting's name, as it appears in JSON and on the wire.
    public enum Name: String, Codable, CaseIterable, Hashable, Sendable {
        /// ``GramianWeighting/mgda``.
        case mgda
        /// ``GramianWeighting/upgrad(regularization:)``.
        case upgrad
        /// ``GramianWeighting/dualProj(regularization:)``.
        case dualproj
        /// ``GramianWeighting/imtlG``.
        case imtlG = "imtl-g"
        /// ``GramianWeighting/alignedMTL(_:)``.
        case alignedMTL = "aligned-mtl"
        /// ``GramianWeighting/cagrad(c:)``.
        case cagrad
        /// ``GramianWeighting/pcgrad``.
        case pcgrad
    }

    /// The default `ε` of ``upgrad(regularization:)`` and ``dualProj(regularization:)``: 1e-4, TorchJD's
    /// `reg_eps`.
    public static let defaultRegularization = 1e-4

    /// The default `c` of ``cagrad(c:)``: 0.5, inside the range `0 ≤ c < 1` for which CAGrad provably converges
    /// to a stationary point of the mean objective (Liu et al. 2021, §3). TorchJD has no default.
    public static let defaultConflictAversion = 0.5

    /// How far below 0 the smallest eigenvalue of `G/trace(G)` may be before G is refused as not positive
    /// semi-definite: 1e-6, room for a Gram matrix a trainer summed in float32.
    public static let semidefiniteTolerance = 1e-6

    /// The weighting's name.
    public var name: Name {
        switch self {
        case .mgda: .mgda
        case .upgrad: .upgrad
        case .dualProj: .dualproj
        case .imtlG: .imtlG
        case .alignedMTL: .alignedMTL
        case .cagrad: .cagrad
        case .pcgrad: .pcgrad
        }
    }

    /// Checks the weighting's own settings.
    /// - Throws: ``ValidationError`` `nonFinite` or `outOfRange` (field `regularization`) unless
    ///   `0 ≤ ε ≤ 1` and finite; (field `c`) unless `c ≥ 0` and finite.
    public func validate() throws(ValidationError) {
        switch self {
        case .upgrad(let epsilon), .dualProj(let epsilon):
            guard epsilon.isFinite else {
                throw ValidationError(
                    code: .nonFinite, field: "regularization", reason: "is \(epsilon); it must be finite")
            }
            guard epsilon >= 0, epsilon <= 1 else {
                throw ValidationError(
                    code: .outOfRange, field: "regularization", reason: "is \(epsilon); it must be in [0, 1]")
            }
        case .cagrad(let c):
            guard c.isFinite else {
                throw ValidationError(code: .nonFinite, field: "c", reason: "is \(c); it must be finite")
            }
            guard c >= 0 else {
                throw ValidationError(code: .outOfRange, field: "c", reason: "is \(c); it must be non-negative")
            }
        case .mgda, .imtlG, .alignedMTL, .pcgrad:
            break
        }
    }

    /// The raw weights `α` of G (see the type's table), as TorchJD computes them up to rounding. O(K³).
    ///
    /// A zero G (no gradient signal) gives `1/K` for every weighting but IMTL-G, which gives 0s.
    /// - Throws: ``ValidationError`` (field `gram`): `outOfRange` when G is not positive semi-definite (the
    ///   smallest eigenvalue of `G/trace(G)` below −``semidefiniteTolerance``, or a negative diagonal entry),
    ///   or when ``upgrad(regularization:)``/``dualProj(regularization:)`` with `ε = 0` meet a singular G;
    ///   and the errors of ``validate()``.
    public func rawWeights(of gram: GramMatrix) throws(ValidationError) -> [Double] {
        try self.validate()
        let k = gram.dimension
        if self == .pcgrad, k > Self.pcgradMaximumDimension {
            throw ValidationError(
                code: .outOfRange, field: "gram",
                reason: "has K = \(k); PCGrad's exact expectation over orders takes at most "
                    + "K = \(Self.pcgradMaximumDimension)")
        }
        guard let normalized = try NormalizedGramian(gram) else {
            return Array(repeating: self == .imtlG ? 0 : 1 / Double(k), count: k)
        }
        let g = normalized.entries
        switch self {
        case .mgda:
            if k == 2 {
                let denominator = g[0] + g[3] - 2 * g[1]
                let first = denominator > 0 ? min(max((g[3] - g[1]) / denominator, 0), 1) : 0.5
                return [first, 1 - first]
            }
            guard let weights = SimplexQuadraticProgram.minimize(quadratic: g, dimension: k) else {
                throw ValidationError(
                    code: .outOfRange, field: "gram",
                    reason: "the min-norm point did not settle; G is not positive semi-definite")
            }
            return weights
        case .upgrad(let epsilon):
            let regularized = normalized.regularized(epsilon)
            var sum = [Double](repeating: 0, count: k)
            for i in 0..<k {
                var u = [Double](repeating: 0, count: k)
                u[i] = 1 / Double(k)
                let v = try Self.project(u, regularized, dimension: k)
                for j in 0..<k { sum[j] += v[j] }
            }
            return sum
        case .dualProj(let epsilon):
            let u = [Double](repeating: 1 / Double(k), count: k)
            return try Self.project(u, normalized.regularized(epsilon), dimension: k)
        case .imtlG:
            let d = (0..<k).map { max(g[$0 * k + $0], 0).squareRoot() }
            let v = normalized.pseudoInverseTimes(d)
            let sum = v.reduce(0, +)
            return abs(sum) < 1e-12 ? Array(repeating: 0, count: k) : v.map { $0 / sum }
        case .alignedMTL(let scale):
            return normalized.alignedMTLWeights(scale: scale)
        case .cagrad(let c):
            guard let weights = normalized.cagradWeights(c: c) else {
                throw ValidationError(
                    code: .outOfRange, field: "gram",
                    reason: "CAGrad's programs did not settle; G is not positive semi-definite")
            }
            return weights
        case .pcgrad:
            return normalized.pcgradWeights()
        }
    }

    /// The reward weights: ``rawWeights(of:)`` with negative entries clipped to 0, divided by their sum, so they
    /// lie on the simplex. `nil` when there are none: G is 0 (no gradient signal) or every raw weight is ≤ 0;
    /// a run then keeps its current weights. O(K³).
    /// - Throws: the errors of ``rawWeights(of:)``.
    public func rewardWeights(of gram: GramMatrix) throws(ValidationError) -> WeightVector? {
        try self.weights(of: gram).reward
    }

    /// ``rawWeights(of:)`` and ``rewardWeights(of:)`` from one computation: `raw` is `nil` where the reward
    /// weights are `nil` because G is 0. O(K³).
    /// - Throws: the errors of ``rawWeights(of:)``.
    public func weights(of gram: GramMatrix) throws(ValidationError) -> (raw: [Double]?, reward: WeightVector?) {
        guard gram.entries.contains(where: { $0 != 0 }) else { return (nil, nil) }
        let raw = try self.rawWeights(of: gram)
        let clipped = raw.map { max($0, 0) }
        guard clipped.contains(where: { $0 > 0 }) else { return (raw, nil) }
        return (raw, try? WeightVector(clipped, field: "gram"))
    }

    private static func project(_ u: [Double], _ g: [Double], dimension k: Int) throws(ValidationError) -> [Double] {
        guard let v = DualConeProjection.project(u, gram: g, dimension: k) else {
            throw ValidationError(
                code: .outOfRange, field: "gram",
                reason: "is singular; the dual-cone projection needs a positive regularization")
        }
        return v
    }
}

/// `Ĝ = G/trace(G)` with its eigendecomposition, checked positive semi-definite.
private struct NormalizedGramian {
    let entries: [Double]
    let dimension: Int
    let eigen: SymmetricEigendecomposition

    /// `nil` for a zero G. Throws `outOfRange` (field `gram`) for a G that is not positive semi-definite.
    init?(_ gram: GramMatrix) throws(ValidationError) {
        let k = gram.dimension
        for i in 0..<k where gram[i, i] < 0 {
            throw ValidationError(
                code: .outOfRange, field: "gram", row: i, column: i,
                reason: "diagonal entry \(i) is \(gram[i, i]); a Gram matrix has ‖g_i‖² ≥ 0 on its diagonal")
        }
        // Divide by the largest magnitude first so that the trace cannot overflow.
        let largest = gram.entries.reduce(0) { max($0, abs($1)) }
        guard largest > 0 else { return nil }
        let scaled = gram.entries.map { $0 / largest }
        let trace = (0..<k).reduce(0) { $0 + scaled[$1 * k + $1] }
        guard trace > 0 else {
            throw ValidationError(
                code: .outOfRange, field: "gram",
                reason: "has a zero diagonal but non-zero entries; it is not positive semi-definite")
        }
        self.entries = scaled.map { $0 / trace }
        self.dimension = k
        self.eigen = SymmetricEigendecomposition(symmetric: self.entries, dimension: k)
        let smallest = self.eigen.values.last!
        guard smallest >= -GramianWeighting.semidefiniteTolerance else {
            throw ValidationError(
                code: .outOfRange, field: "gram",
                reason: "is not positive semi-definite: the smallest eigenvalue of G/trace(G) is \(smallest)")
        }
    }

    func regularized(_ epsilon: Double) -> [Double] {
        var g = self.entries
        for i in 0..<self.dimension { g[i * self.dimension + i] += epsilon }
        return g
    }

    /// The eigenpairs kept as G's range: eigenvalues above `K·ε_mach·λ_max` (torch.linalg.pinv's default
    /// cut-off, and Aligned-MTL's rank tolerance).
    private var range: [(value: Double, vector: [Double])] {
        let largest = self.eigen.values.first!
        let cutoff = Double(self.dimension) * Double.ulpOfOne * largest
        return zip(self.eigen.values, self.eigen.vectors).filter { $0.0 > cutoff }.map { ($0.0, $0.1) }
    }

    /// `Ĝ⁺·x`.
    func pseudoInverseTimes(_ x: [Double]) -> [Double] {
        var result = [Double](repeating: 0, count: self.dimension)
        for (value, vector) in self.range {
            let projection = zip(vector, x).reduce(0) { $0 + $1.0 * $1.1 } / value
            for i in 0..<self.dimension { result[i] += projection * vector[i] }
        }
        return result
    }

    /// PCGrad's `α` in expectation over the orders (``GramianWeighting/pcgrad``): for each i, the projected
    /// coefficients `c` of every order of the others (Heap's algorithm), averaged. A zero-norm gradient
    /// (`Ĝ_jj = 0`) has no direction to project away and is skipped, as its inner product is 0.
    func pcgradWeights() -> [Double] {
        let k = self.dimension
        let g = self.entries
        var alpha = [Double](repeating: 0, count: k)
        for i in 0..<k {
            var others = (0..<k).filter { $0 != i }
            var sum = [Double](repeating: 0, count: k)
            var orders = 0
            func walk(_ order: [Int]) {
                var c = [Double](repeating: 0, count: k)
                c[i] = 1
                for j in order {
                    var inner = 0.0
                    for m in 0..<k { inner += g[j * k + m] * c[m] }
                    if inner < 0 && g[j * k + j] > 0 { c[j] -= inner / g[j * k + j] }
                }
                for m in 0..<k { sum[m] += c[m] }
                orders += 1
            }
            // Heap's algorithm: every permutation of `others`, each once.
            let n = others.count
            var counters = [Int](repeating: 0, count: n)
            walk(others)
            var index = 1
            while index < n {
                if counters[index] < index {
                    others.swapAt(index % 2 == 0 ? 0 : counters[index], index)
                    walk(others)
                    counters[index] += 1
                    index = 1
                } else {
                    counters[index] = 0
                    index += 1
                }
            }
            for m in 0..<k { alpha[m] += sum[m] / Double(orders) }
        }
        return alpha
    }

    /// CAGrad's `α` (``GramianWeighting/cagrad(c:)``), or `nil` when an inner program does not settle.
    func cagradWeights(c: Double) -> [Double]? {
        let k = self.dimension
        let uniform = [Double](repeating: 1 / Double(k), count: k)
        let b = DenseLinearSystems.multiply(self.entries, uniform, dimension: k)
        let phi = c * max(zip(uniform, b).reduce(0) { $0 + $1.0 * $1.1 }, 0).squareRoot()
        guard phi > 0 else { return uniform }
        var g = self.entries
        let values = self.eigen.values
        if values.last! <= Double(k) * Double.ulpOfOne * values.first! {
            for i in 0..<k { g[i * k + i] += 1e-12 }
        }
        // w(t) = argmin_{w∈Δ} bᵀw + (φ/2t)·wᵀGw, and ‖g_w(t)‖.
        func solve(_ t: Double) -> (weights: [Double], norm: Double)? {
            let quadratic = g.map { $0 * phi / t }
            guard let w = SimplexQuadraticProgram.minimize(quadratic: quadratic, linear: b, dimension: k) else {
                return nil
            }
            let gw = DenseLinearSystems.multiply(g, w, dimension: k)
            return (w, max(zip(w, gw).reduce(0) { $0 + $1.0 * $1.1 }, 0).squareRoot())
        }
        // t* = ‖g_w*‖ ≤ max_i √G_ii ≤ √(1 + 1e-12) < 2: bisect log₂ t over [−200, 1].
        var low = -200.0
        var high = 1.0
        guard let bottom = solve(exp2(low)) else { return nil }
        if exp2(low) >= bottom.norm { return uniform }  // ‖g_w*‖ ≈ 0: 0 is in the hull
        for _ in 0..<80 {
            let middle = (low + high) / 2
            guard let point = solve(exp2(middle)) else { return nil }
            if exp2(middle) < point.norm { low = middle } else { high = middle }
        }
        guard let optimum = solve(exp2(high)), optimum.norm > 0 else { return uniform }
        return zip(uniform, optimum.weights).map { $0 + phi / optimum.norm * $1 }
    }

    /// Aligned-MTL's `α = √σ·V·Σ^(−1/2)·Vᵀ·(1/K)·1`, or `1/K` everywhere when Ĝ has rank 0.
    func alignedMTLWeights(scale: GramianWeighting.AlignedMTLScale) -> [Double] {
        let k = self.dimension
        let uniform = [Double](repeating: 1 / Double(k), count: k)
        let range = self.range
        guard !range.isEmpty else { return uniform }
        let values = range.map(\.value)  // descending
        let sigma: Double
        switch scale {
        case .min: sigma = values.last!
        case .median: sigma = values.sorted()[(values.count - 1) / 2]
        case .rmse: sigma = values.reduce(0, +) / Double(values.count)
        }
        var result = [Double](repeating: 0, count: k)
        for (value, vector) in range {
            let projection = zip(vector, uniform).reduce(0) { $0 + $1.0 * $1.1 } / value.squareRoot()
            for i in 0..<k { result[i] += projection * vector[i] }
        }
        return result.map { $0 * sigma.squareRoot() }
    }
}
