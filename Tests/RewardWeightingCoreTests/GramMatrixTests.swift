import RewardWeightingCore
import RewardWeightingTestSupport
import Testing

@Suite("GramMatrix")
struct GramMatrixTests {
    @Test("row-major entries, subscript and dimension")
    func rowMajor() throws {
        let g = try GramMatrix(rowMajor: [4, 1, 2, 1, 9, 3, 2, 3, 16], dimension: 3)
        #expect(g.dimension == 3)
        #expect(g.entries == [4, 1, 2, 1, 9, 3, 2, 3, 16])
        #expect(g[1, 2] == 3)
        #expect(g[2, 0] == 2)
    }

    @Test("influence is the row sums, diagonal included")
    func influence() throws {
        let g = try GramMatrix(rows: [[4, 1, 2], [1, 9, 3], [2, 3, 16]])
        // I_0 = 4 + 1 + 2, I_1 = 1 + 9 + 3, I_2 = 2 + 3 + 16.
        #expect(g.influence == [7, 13, 21])
    }

    @Test("cosines are the angles between the gradients: ⟨g_i, g_j⟩ / (|g_i|·|g_j|)")
    func cosines() throws {
        let gradients: [[Double]] = [[3, 4], [4, 3], [-3, -4], [0, 0]]
        let g = try GramMatrix(gradients: gradients)
        // |g0| = |g1| = |g2| = 5: cos(g0, g1) = (12 + 12)/25, cos(g0, g2) = −1, g3 has no direction.
        let cosines = g.cosines
        #expect(cosines[0] == [1, 24.0 / 25, -1, nil])
        #expect(cosines[1] == [24.0 / 25, 1, -24.0 / 25, nil])
        #expect(cosines[3] == [nil, nil, nil, nil])
        // Against the textbook formula on random gradients (2 ulp per entry).
        var generator = SplitMix64(seed: 7)
        let random = (0..<4).map { _ in (0..<16).map { _ in generator.symmetric() } }
        let randomCosines = try GramMatrix(gradients: random).cosines
        func norm(_ v: [Double]) -> Double { zip(v, v).map(*).reduce(0, +).squareRoot() }
        for i in 0..<4 {
            for j in 0..<4 {
                let expected = zip(random[i], random[j]).map(*).reduce(0, +) / (norm(random[i]) * norm(random[j]))
                let actual = try #require(randomCosines[i][j])
                #expect(abs(actual - expected) <= 1e-14, "cos(\(i), \(j)) = \(actual), expected \(expected)")
            }
        }
        // Entries near the largest Double: the product G_ii·G_jj would overflow, the cosine does not.
        let large = try GramMatrix(rows: [[1e300, 5e299], [5e299, 1e300]])
        #expect(large.cosines[0][1] == 0.5)
    }

    @Test("rows and row-major give the same matrix")
    func rowsEqualsRowMajor() throws {
        let a = try GramMatrix(rows: [[1, -0.5], [-0.5, 2]])
        let b = try GramMatrix(rowMajor: [1, -0.5, -0.5, 2], dimension: 2)
        #expect(a == b)
    }

    @Test("G from gradients: G_ij = ⟨g_i, g_j⟩")
    func fromGradients() throws {
        let g = try GramMatrix(gradients: [[1, 2, 3], [4, 5, 6], [-1, 0, 2]])
        // ⟨g0,g0⟩ = 14, ⟨g0,g1⟩ = 4+10+18 = 32, ⟨g0,g2⟩ = -1+0+6 = 5,
        // ⟨g1,g1⟩ = 16+25+36 = 77, ⟨g1,g2⟩ = -4+0+12 = 8, ⟨g2,g2⟩ = 1+0+4 = 5.
        #expect(g.entries == [14, 32, 5, 32, 77, 8, 5, 8, 5])
        #expect(g.influence == [51, 117, 18])
    }

    @Test("inner products are computed accurately (cancellation)")
    func accurateDot() throws {
        // Naive left-to-right summation gives (1e16 + 1) - 1e16 = 0; the exact value is 1.
        let g = try GramMatrix(gradients: [[1e16, 1, -1e16], [1, 1, 1]])
        #expect(g[0, 1] == 1)
        #expect(g[1, 0] == 1)
        #expect(g[1, 1] == 3)
    }

    @Test("G from random gradients matches an exact integer computation")
    func randomGradients() throws {
        var generator = SplitMix64(seed: 42)
        let k = 4
        let length = 2000
        // Entries are integers / 1024: every product and partial sum is exact in Double and Int.
        let integers = (0..<k).map { _ in (0..<length).map { _ in generator.integer(1000) } }
        let gradients = integers.map { row in row.map { Double($0) / 1024 } }
        let g = try GramMatrix(gradients: gradients)
        for i in 0..<k {
            for j in 0..<k {
                var exact = 0
                for p in 0..<length { exact += integers[i][p] * integers[j][p] }
                #expect(g[i, j] == Double(exact) / (1024 * 1024))
            }
        }
    }

    @Test("a matrix within the symmetry tolerance is accepted")
    func nearlySymmetric() throws {
        _ = try GramMatrix(rows: [[1, 1 + 1e-12], [1, 1]])
        _ = try GramMatrix(rows: [[1e6, 1e6 * (1 + 1e-10)], [1e6, 1]])
    }

    @Test("a non-symmetric matrix is rejected, naming row and column")
    func notSymmetric() {
        let error = #expect(throws: ValidationError.self) {
            try GramMatrix(rows: [[1, 0, 0], [0, 1, 0.5], [0, 0.4, 1]])
        }
        #expect(error?.code == .notSymmetric)
        #expect(error?.field == "gram")
        #expect(error?.row == 1)
        #expect(error?.column == 2)
        #expect(error?.message.hasPrefix("gram: entry (1, 2)") == true)
    }

    @Test("the symmetry tolerance is relative for large entries")
    func relativeTolerance() {
        let error = #expect(throws: ValidationError.self) {
            try GramMatrix(rows: [[1e6, 1e6 * (1 + 1e-8)], [1e6, 1]])
        }
        #expect(error?.code == .notSymmetric)
    }

    @Test("wrong K is rejected")
    func wrongK() {
        let count = #expect(throws: ValidationError.self) {
            try GramMatrix(rowMajor: [1, 2, 3, 4, 5], dimension: 2)
        }
        #expect(count?.code == .dimensionMismatch)
        #expect(count?.message.hasPrefix("gram:") == true)

        let ragged = #expect(throws: ValidationError.self) { try GramMatrix(rows: [[1, 0], [0]]) }
        #expect(ragged?.code == .dimensionMismatch)
        #expect(ragged?.row == 1)

        let rectangular = #expect(throws: ValidationError.self) {
            try GramMatrix(rows: [[1, 0, 0], [0, 1, 0]])
        }
        #expect(rectangular?.code == .dimensionMismatch)

        let zero = #expect(throws: ValidationError.self) { try GramMatrix(rowMajor: [], dimension: 0) }
        #expect(zero?.code == .dimensionMismatch)

        let empty = #expect(throws: ValidationError.self) { try GramMatrix(rows: []) }
        #expect(empty?.code == .empty)
    }

    @Test("non-finite entries are rejected", arguments: [Double.nan, .infinity])
    func nonFinite(value: Double) {
        let error = #expect(throws: ValidationError.self) {
            try GramMatrix(rowMajor: [1, 0, 0, value], dimension: 2, field: "gram_matrix")
        }
        #expect(error?.code == .nonFinite)
        #expect(error?.field == "gram_matrix")
        #expect(error?.row == 1)
        #expect(error?.column == 1)
        #expect(error?.message.hasPrefix("gram_matrix:") == true)
    }

    @Test("bad gradients are rejected")
    func badGradients() {
        let unequal = #expect(throws: ValidationError.self) {
            try GramMatrix(gradients: [[1, 2], [1, 2, 3]])
        }
        #expect(unequal?.code == .dimensionMismatch)
        #expect(unequal?.field == "gradients")
        #expect(unequal?.row == 1)
        #expect(unequal?.message.hasPrefix("gradients:") == true)

        let none = #expect(throws: ValidationError.self) { try GramMatrix(gradients: []) }
        #expect(none?.code == .empty)

        let zeroLength = #expect(throws: ValidationError.self) { try GramMatrix(gradients: [[], []]) }
        #expect(zeroLength?.code == .empty)

        let nan = #expect(throws: ValidationError.self) { try GramMatrix(gradients: [[1, 2], [3, .nan]]) }
        #expect(nan?.code == .nonFinite)
        #expect(nan?.row == 1)
        #expect(nan?.column == 1)

        let overflow = #expect(throws: ValidationError.self) { try GramMatrix(gradients: [[1e200], [1]]) }
        #expect(overflow?.code == .nonFinite)
        #expect(overflow?.message.contains("overflows") == true)
    }
}
