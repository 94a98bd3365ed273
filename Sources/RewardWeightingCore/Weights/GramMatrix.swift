/// The K×K Gram matrix of the per-objective policy gradients, `G_ij = ⟨∇J_i, ∇J_j⟩` (Alg. 2 of the paper).
///
/// A trainer either sends G itself (``init(rowMajor:dimension:field:)``, ``init(rows:field:)``) or the K
/// projected gradient vectors, from which ``init(gradients:field:)`` computes it. Only the row sums are used
/// by the weight update: ``influence`` `I_i = Σ_k G_ik`.
public struct GramMatrix: Hashable, Sendable {
    /// Row-major entries: `G_ij` is `entries[i * dimension + j]`.
    public let entries: [Double]
    /// K, the number of objectives.
    public let dimension: Int

    /// The relative tolerance of the symmetry check: `G_ij` and `G_ji` may differ by at most
    /// `symmetryTolerance · max(1, |G_ij|, |G_ji|)` (float32 gradients summed in different orders on
    /// different ranks do not give bit-identical inner products).
    public static let symmetryTolerance = 1e-9

    /// Validates a row-major K×K buffer. O(K²).
    ///
    /// - Parameter field: the input's name in error messages.
    /// - Throws: ``ValidationError`` with code `dimensionMismatch` (K < 1 or `entries.count ≠ K²`),
    ///   `nonFinite` (naming row and column), or `notSymmetric` when
    ///   `|G_ij − G_ji| > 1e-9 · max(1, |G_ij|, |G_ji|)` (naming the first such row `i` and column `j > i`).
    public init(rowMajor entries: [Double], dimension: Int, field: String = "gram") throws(ValidationError) {
        guard dimension >= 1 else {
            throw ValidationError(
                code: .dimensionMismatch, field: field, reason: "K must be at least 1, got \(dimension)")
        }
        guard entries.count == dimension * dimension else {
            throw ValidationError(
                code: .dimensionMismatch, field: field,
                reason: "has \(entries.count) values; a K×K matrix with K = \(dimension) needs "
                    + "\(dimension * dimension)")
        }
        for (index, value) in entries.enumerated() where !value.isFinite {
            let row = index / dimension
            let column = index % dimension
            throw ValidationError(
                code: .nonFinite, field: field, row: row, column: column,
                reason: "entry (\(row), \(column)) is \(value); every entry must be finite")
        }
        for i in 0..<dimension {
            for j in (i + 1)..<dimension {
                let upper = entries[i * dimension + j]
                let lower = entries[j * dimension + i]
                let scale = Swift.max(1, Swift.max(abs(upper), abs(lower)))
                if abs(upper - lower) > Self.symmetryTolerance * scale {
                    throw ValidationError(
                        code: .notSymmetric, field: field, row: i, column: j,
                        reason: "entry (\(i), \(j)) is \(upper) but entry (\(j), \(i)) is \(lower); "
                            + "a Gram matrix must be symmetric")
                }
            }
        }
        self.entries = entries
        self.dimension = dimension
    }

    /// Validates K rows of K values each (see ``init(rowMajor:dimension:field:)``). O(K²).
    /// - Throws: ``ValidationError``: `empty` for no rows, `dimensionMismatch` for a row whose length is not K,
    ///   and every error of ``init(rowMajor:dimension:field:)``.
    public init(rows: [[Double]], field: String = "gram") throws(ValidationError) {
        guard !rows.isEmpty else {
            throw ValidationError(code: .empty, field: field, reason: "has no rows")
        }
        let k = rows.count
        var entries: [Double] = []
        entries.reserveCapacity(k * k)
        for (i, row) in rows.enumerated() {
            guard row.count == k else {
                throw ValidationError(
                    code: .dimensionMismatch, field: field, row: i,
                    reason: "row \(i) has \(row.count) values; a K×K matrix with K = \(k) needs \(k)")
            }
            entries.append(contentsOf: row)
        }
        try self.init(rowMajor: entries, dimension: k, field: field)
    }

    /// Computes `G_ij = ⟨g_i, g_j⟩ = Σ_p g_ip·g_jp` from K gradient vectors of equal length P.
    ///
    /// Each inner product is computed once (for `i ≤ j`) and mirrored, so G is exactly symmetric. The sums use
    /// Ogita–Rump–Oishi "Dot2" (error-free products via fused multiply-add, error-free additions, compensation
    /// added at the end; "Accurate sum and dot product", SIAM J. Sci. Comput. 26(6), 2005): the result is as
    /// accurate as if computed in twice the working precision, then rounded. That matters because the
    /// gradients come from float32 tensors with millions of entries. O(K²·P) time, O(K²) extra memory.
    ///
    /// - Parameter field: the input's name in error messages.
    /// - Throws: ``ValidationError``: `empty` (no vectors, or vectors of length 0), `dimensionMismatch`
    ///   (vectors of different lengths, naming the row), `nonFinite` (a NaN/∞ gradient entry, naming row and
    ///   column, or an inner product that overflows).
    public init(gradients: [[Double]], field: String = "gradients") throws(ValidationError) {
        guard let length = gradients.first?.count else {
            throw ValidationError(code: .empty, field: field, reason: "has no gradient vectors")
        }
        guard length > 0 else {
            throw ValidationError(code: .empty, field: field, reason: "gradient vectors are empty")
        }
        for (i, gradient) in gradients.enumerated() {
            guard gradient.count == length else {
                throw ValidationError(
                    code: .dimensionMismatch, field: field, row: i,
                    reason: "vector \(i) has \(gradient.count) entries but vector 0 has \(length)")
            }
            if let p = gradient.firstIndex(where: { !$0.isFinite }) {
                throw ValidationError(
                    code: .nonFinite, field: field, row: i, column: p,
                    reason: "vector \(i), entry \(p) is \(gradient[p]); every entry must be finite")
            }
        }
        let k = gradients.count
        var entries = [Double](repeating: 0, count: k * k)
        for i in 0..<k {
            for j in i..<k {
                let value = accurateDot(gradients[i], gradients[j])
                guard value.isFinite else {
                    throw ValidationError(
                        code: .nonFinite, field: field, row: i, column: j,
                        reason: "the inner product of vectors \(i) and \(j) overflows")
                }
                entries[i * k + j] = value
                entries[j * k + i] = value
            }
        }
        self.entries = entries
        self.dimension = k
    }

    /// `G_ij`.
    public subscript(row: Int, column: Int) -> Double { self.entries[row * self.dimension + column] }

    /// The gradient influences `I_i = Σ_k G_ik = ⟨g_i, Σ_k g_k⟩`: the row sums, diagonal included, as in the
    /// reference code (`scores_mat.sum(dim=-1)`). Each row is summed with Neumaier compensation. O(K²).
    public var influence: [Double] {
        (0..<self.dimension).map { i in
            neumaierSum(self.entries[(i * self.dimension)..<((i + 1) * self.dimension)])
        }
    }

    /// The gradients' norms `‖g_i‖ = √G_ii` (0 for a diagonal entry that is not positive). O(K).
    public var gradientNorms: [Double] {
        (0..<self.dimension).map { i in max(self[i, i], 0).squareRoot() }
    }

    /// Each gradient's norm over the largest one, `‖g_i‖ / max_j ‖g_j‖` in `[0, 1]`: which objective's gradient
    /// dominates a plain sum (1) and which barely registers (near 0); `nil` when every gradient is 0. O(K).
    public var gradientNormRatios: [Double]? {
        let norms = self.gradientNorms
        guard let largest = norms.max(), largest > 0 else { return nil }
        return norms.map { $0 / largest }
    }

    /// The cosine matrix of the gradients, `cos_ij = G_ij / (√G_ii · √G_jj)`: how much objectives `i` and `j`
    /// agree (1), are orthogonal (0) or conflict (−1). An entry is `nil` when `G_ii` or `G_jj` is not positive
    /// (a zero gradient has no direction); the diagonal of a positive `G_ii` is exactly 1. The square roots
    /// are taken separately so that large entries do not overflow. Entries are not clamped: a matrix that is
    /// not positive semi-definite (not the Gram matrix of any vectors) can give |cos| > 1. O(K²).
    public var cosines: [[Double?]] {
        let norms = (0..<self.dimension).map { i in
            let diagonal = self[i, i]
            return diagonal > 0 ? diagonal.squareRoot() : nil
        }
        return (0..<self.dimension).map { i in
            (0..<self.dimension).map { j -> Double? in
                guard let normI = norms[i], let normJ = norms[j] else { return nil }
                return i == j ? 1 : self[i, j] / normI / normJ
            }
        }
    }
}

/// Neumaier's compensated sum ("Rundungsfehleranalyse einiger Verfahren zur Summation endlicher Summen",
/// ZAMM 54, 1974). O(n).
private func neumaierSum(_ values: some Sequence<Double>) -> Double {
    var sum = 0.0
    var compensation = 0.0
    for value in values {
        let t = sum + value
        if abs(sum) >= abs(value) {
            compensation += (sum - t) + value
        } else {
            compensation += (value - t) + sum
        }
        sum = t
    }
    return sum + compensation
}

/// Ogita–Rump–Oishi Dot2: `Σ_p x_p·y_p` with an error bound of about `u·|Σ| + n²u²·Σ|x_p y_p|`. O(n).
private func accurateDot(_ x: [Double], _ y: [Double]) -> Double {
    x.withUnsafeBufferPointer { xs in
        y.withUnsafeBufferPointer { ys in
            var sum = 0.0
            var compensation = 0.0
            for p in 0..<xs.count {
                // TwoProduct: h + r = x·y exactly.
                let h = xs[p] * ys[p]
                let r = (-h).addingProduct(xs[p], ys[p])
                // TwoSum: t + q = sum + h exactly.
                let t = sum + h
                let z = t - sum
                let q = (sum - (t - z)) + (h - z)
                sum = t
                compensation += q + r
            }
            return sum + compensation
        }
    }
}
