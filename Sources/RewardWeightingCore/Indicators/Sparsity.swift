/// The sparsity of a front (PGMORL: Xu, Tian, Ma, Rus, Sueda & Matusik 2020, eq. 5; morl-baselines'
/// `sparsity`): with `P̃_j` the j-th objective's values sorted,
///
///     S(P) = 1/(|P| − 1) · Σ_j Σ_i (P̃_j[i + 1] − P̃_j[i])²,   S = 0 for |P| < 2.
///
/// Lower is denser. It uses each objective's values on their own, so negating a minimised objective changes
/// nothing; the points are taken as given (morl-baselines applies it to the non-dominated set).
public enum Sparsity {
    /// `S(points)`.
    public static func of(_ points: ObjectiveMatrix) -> Double {
        let n = points.count
        guard n >= 2 else { return 0 }
        var sum = 0.0
        for j in 0..<points.dimension {
            let sorted = (0..<n).map { points[$0, j] }.sorted()
            for i in 1..<n {
                let gap = sorted[i] - sorted[i - 1]
                sum += gap * gap
            }
        }
        return sum / Double(n - 1)
    }
}
