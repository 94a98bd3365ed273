/// The eigendecomposition `A = V·diag(λ)·Vᵀ` of a real symmetric K×K matrix, by the cyclic Jacobi method
/// (Golub & Van Loan, *Matrix Computations*, 4th ed., §8.5.3): plane rotations zero the off-diagonal entries
/// one by one until they are below `ε·‖A‖_F`. Each eigenvalue is accurate to a few `ε·‖A‖`, and the
/// eigenvectors are orthonormal to the same order. O(K³) per sweep; it converges quadratically, in about 5–10
/// sweeps for the small K of reward objectives.
struct SymmetricEigendecomposition {
    /// The eigenvalues, in descending order.
    let values: [Double]
    /// The eigenvectors: `vectors[j]` belongs to `values[j]`, unit length.
    let vectors: [[Double]]

    /// Decomposes the symmetric matrix given row-major (`entries[i*k + j]`); only the upper triangle is read
    /// (the lower one is taken as its mirror).
    init(symmetric entries: [Double], dimension k: Int) {
        var a = entries
        for i in 0..<k {
            for j in 0..<i { a[i * k + j] = a[j * k + i] }
        }
        var v = [Double](repeating: 0, count: k * k)
        for i in 0..<k { v[i * k + i] = 1 }
        let frobenius = a.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let threshold = Double.ulpOfOne * frobenius
        for _ in 0..<100 {
            var off = 0.0
            for p in 0..<k {
                for q in (p + 1)..<max(p + 1, k) { off += a[p * k + q] * a[p * k + q] }
            }
            if off.squareRoot() <= threshold { break }
            for p in 0..<k {
                for q in (p + 1)..<max(p + 1, k) {
                    let apq = a[p * k + q]
                    if apq == 0 { continue }
                    // The rotation (c, s) that zeroes a_pq (Golub & Van Loan, Alg. 8.5.1, the smaller angle).
                    let theta = (a[q * k + q] - a[p * k + p]) / (2 * apq)
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot()
                    let s = t * c
                    for r in 0..<k {
                        let arp = a[r * k + p]
                        let arq = a[r * k + q]
                        a[r * k + p] = c * arp - s * arq
                        a[r * k + q] = s * arp + c * arq
                    }
                    for r in 0..<k {
                        let apr = a[p * k + r]
                        let aqr = a[q * k + r]
                        a[p * k + r] = c * apr - s * aqr
                        a[q * k + r] = s * apr + c * aqr
                    }
                    a[p * k + q] = 0
                    a[q * k + p] = 0
                    for r in 0..<k {
                        let vrp = v[r * k + p]
                        let vrq = v[r * k + q]
                        v[r * k + p] = c * vrp - s * vrq
                        v[r * k + q] = s * vrp + c * vrq
                    }
                }
            }
        }
        let order = (0..<k).sorted { a[$0 * k + $0] > a[$1 * k + $1] }
        self.values = order.map { a[$0 * k + $0] }
        self.vectors = order.map { j in (0..<k).map { r in v[r * k + j] } }
    }
}
