/// Small dense linear systems for the Gramian weightings (K is the number of objectives, so these are tiny).
enum DenseLinearSystems {
    /// Solves `A·x = b` for a square `n×n` matrix given row-major, by Gaussian elimination with partial
    /// pivoting. Returns `nil` when a pivot is below `tolerance·max|A|` (the matrix is singular to working
    /// precision). O(n³).
    static func solve(_ matrix: [Double], _ rhs: [Double], dimension n: Int, tolerance: Double = 1e-13)
        -> [Double]?
    {
        var a = matrix
        var b = rhs
        let scale = a.reduce(0) { max($0, abs($1)) }
        guard scale > 0 else { return nil }
        for column in 0..<n {
            var pivot = column
            for row in (column + 1)..<max(column + 1, n) where abs(a[row * n + column]) > abs(a[pivot * n + column]) {
                pivot = row
            }
            guard abs(a[pivot * n + column]) > tolerance * scale else { return nil }
            if pivot != column {
                for j in 0..<n { a.swapAt(pivot * n + j, column * n + j) }
                b.swapAt(pivot, column)
            }
            let diagonal = a[column * n + column]
            for row in (column + 1)..<max(column + 1, n) {
                let factor = a[row * n + column] / diagonal
                if factor == 0 { continue }
                for j in column..<n { a[row * n + j] -= factor * a[column * n + j] }
                b[row] -= factor * b[column]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for row in stride(from: n - 1, through: 0, by: -1) {
            var sum = b[row]
            for j in (row + 1)..<max(row + 1, n) { sum -= a[row * n + j] * x[j] }
            x[row] = sum / a[row * n + row]
        }
        return x
    }

    /// Solves `A·x = b` for a symmetric positive-definite `n×n` matrix given row-major, by its Cholesky
    /// factorisation `A = L·Lᵀ`. Returns `nil` when a pivot is not positive (the matrix is not positive
    /// definite to working precision). O(n³).
    static func solvePositiveDefinite(_ matrix: [Double], _ rhs: [Double], dimension n: Int) -> [Double]? {
        var l = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                var sum = matrix[i * n + j]
                for p in 0..<j { sum -= l[i * n + p] * l[j * n + p] }
                if i == j {
                    guard sum > 0 else { return nil }
                    l[i * n + i] = sum.squareRoot()
                } else {
                    l[i * n + j] = sum / l[j * n + j]
                }
            }
        }
        var y = rhs
        for i in 0..<n {
            for p in 0..<i { y[i] -= l[i * n + p] * y[p] }
            y[i] /= l[i * n + i]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            for p in (i + 1)..<max(i + 1, n) { y[i] -= l[p * n + i] * y[p] }
            y[i] /= l[i * n + i]
        }
        return y
    }

    /// `A·x` for an `n×n` matrix given row-major. O(n²).
    static func multiply(_ matrix: [Double], _ x: [Double], dimension n: Int) -> [Double] {
        (0..<n).map { i in
            var sum = 0.0
            for j in 0..<n { sum += matrix[i * n + j] * x[j] }
            return sum
        }
    }
}
