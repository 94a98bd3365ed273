import Foundation
import RewardWeightingCore
import RewardWeightingTestSupport
import Testing

@Suite("Gramian weightings: MGDA, UPGrad, DualProj, IMTL-G, Aligned-MTL, CAGrad, PCGrad")
struct GramianWeightingTests {
    static let all: [GramianWeighting] = [
        .mgda, .upgrad(regularization: GramianWeighting.defaultRegularization),
        .dualProj(regularization: GramianWeighting.defaultRegularization), .imtlG, .alignedMTL(.min),
        .alignedMTL(.median), .alignedMTL(.rmse), .cagrad(c: GramianWeighting.defaultConflictAversion),
        .cagrad(c: 0.9), .pcgrad,
    ]

    @Test(
        "raw weights equal TorchJD's (UPGrad, DualProj, IMTL-G, Aligned-MTL, PCGrad over every order) and exact NumPy MGDA and CAGrad to 1e-9"
    )
    func matchesTheIndependentFixtures() throws {
        let document = try #require(try Fixtures.json("gramian-weightings.json") as? [String: Any])
        let cases = try #require(document["cases"] as? [[String: Any]])
        let epsilon = try #require(document["regularization"] as? Double)
        #expect(cases.count >= 30)
        let weightings: [(String, GramianWeighting)] = [
            ("mgda", .mgda), ("upgrad", .upgrad(regularization: epsilon)),
            ("dualproj", .dualProj(regularization: epsilon)), ("imtl_g", .imtlG),
            ("aligned_mtl_min", .alignedMTL(.min)), ("aligned_mtl_median", .alignedMTL(.median)),
            ("aligned_mtl_rmse", .alignedMTL(.rmse)), ("cagrad_0.5", .cagrad(c: 0.5)), ("cagrad_0.9", .cagrad(c: 0.9)),
            ("pcgrad", .pcgrad),
        ]
        for (index, fixture) in cases.enumerated() {
            let k = try #require(fixture["k"] as? Int)
            let gram = try GramMatrix(
                rowMajor: try #require(fixture["gram"] as? [Double]), dimension: k)
            for (name, weighting) in weightings {
                let expected = try #require(fixture[name] as? [Double])
                let actual = try weighting.rawWeights(of: gram)
                let error = zip(actual, expected).map { abs($0 - $1) }.max()!
                #expect(
                    error <= 1e-9,
                    "case \(index) (K = \(k), scale \(fixture["scale"] ?? "")): \(name) is \(actual), the reference \(expected)"
                )
            }
        }
    }

    @Test("two-objective cases solved by hand")
    func handSolved() throws {
        // g1 of norm 2, g2 of norm 1, cos = −0.5.
        let conflicting = try GramMatrix(rows: [[4, -1], [-1, 1]])
        // MGDA: α₁ = (G₂₂ − G₁₂)/(G₁₁ + G₂₂ − 2G₁₂) = 2/7.
        try expectClose(GramianWeighting.mgda.rawWeights(of: conflicting), [2.0 / 7, 5.0 / 7])
        // UPGrad without regularisation: g1 projected is (1/2, 1/2), g2 projected (1/8, 1/2); the sum (5/8, 1).
        try expectClose(GramianWeighting.upgrad(regularization: 0).rawWeights(of: conflicting), [5.0 / 8, 1])
        try expectClose(
            #require(try GramianWeighting.upgrad(regularization: 0).rewardWeights(of: conflicting)).values,
            [5.0 / 13, 8.0 / 13])
        // DualProj: the mean gradient already conflicts with neither (G·u = (1.5, 0) ≥ 0), so it stays.
        try expectClose(GramianWeighting.dualProj(regularization: 0).rawWeights(of: conflicting), [0.5, 0.5])
        // IMTL-G: v = G⁻¹·(2, 1) = (1, 2), α = (1/3, 2/3): ⟨d, g1⟩/2 = ⟨d, g2⟩/1 = 1/3.
        try expectClose(GramianWeighting.imtlG.rawWeights(of: conflicting), [1.0 / 3, 2.0 / 3])

        // Orthogonal gradients of norms 2 and 1: MGDA α₁ = 1/5; UPGrad leaves each one as it is; Aligned-MTL
        // rescales both to the smaller norm, α = (1/4, 1/2).
        let orthogonal = try GramMatrix(rows: [[4, 0], [0, 1]])
        try expectClose(GramianWeighting.mgda.rawWeights(of: orthogonal), [0.2, 0.8])
        try expectClose(GramianWeighting.upgrad(regularization: 0).rawWeights(of: orthogonal), [0.5, 0.5])
        try expectClose(GramianWeighting.alignedMTL(.min).rawWeights(of: orthogonal), [0.25, 0.5])
        try expectClose(
            #require(try GramianWeighting.alignedMTL(.min).rewardWeights(of: orthogonal)).values, [1.0 / 3, 2.0 / 3])

        // PCGrad: g1 minus its conflicting part along g2 is g1 − (⟨g1, g2⟩/‖g2‖²)·g2 = g1 + g2, coefficients
        // (1, 1); g2 minus its part along g1 is g2 + ¼·g1, (¼, 1). α = (5/4, 2); reward weights (5/13, 8/13).
        try expectClose(GramianWeighting.pcgrad.rawWeights(of: conflicting), [5.0 / 4, 2])
        try expectClose(
            #require(try GramianWeighting.pcgrad.rewardWeights(of: conflicting)).values, [5.0 / 13, 8.0 / 13])
        // Gradients that agree are left alone: α = (1, 1).
        try expectClose(GramianWeighting.pcgrad.rawWeights(of: GramMatrix(rows: [[4, 1], [1, 1]])), [1, 1])

        // Opposite gradients of equal norm: MGDA's min-norm point is 0 at α = (1/2, 1/2).
        try expectClose(GramianWeighting.mgda.rawWeights(of: GramMatrix(rows: [[1, -1], [-1, 1]])), [0.5, 0.5])
    }

    @Test("CAGrad: c = 0 is the mean; symmetric gradients stay symmetric; the update improves the worst objective")
    func cagrad() throws {
        var random = SplitMix64(seed: 13_006)
        for k in 2...8 {
            let gram = try Self.randomGram(k: k, rank: k + 1, scale: 1, random: &random)
            #expect(try GramianWeighting.cagrad(c: 0).rawWeights(of: gram) == Array(repeating: 1 / Double(k), count: k))
            // CAGrad's d maximises the worst first-order improvement min_i ⟨g_i, d⟩ over the ball around g_0, so
            // it does at least as well as the mean gradient g_0 itself (which is in the ball).
            let alpha = try GramianWeighting.cagrad(c: 0.5).rawWeights(of: gram)
            let mean = [Double](repeating: 1 / Double(k), count: k)
            func worst(_ a: [Double]) -> Double {
                (0..<k).map { i in (0..<k).reduce(0) { $0 + gram[i, $1] * a[$1] } }.min()!
            }
            let trace = (0..<k).reduce(0) { $0 + gram[$1, $1] }
            #expect(worst(alpha) >= worst(mean) - 1e-12 * trace, "K = \(k)")
        }
        let symmetric = try GramMatrix(rows: [[1, 0.2], [0.2, 1]])
        let weights = try #require(try GramianWeighting.cagrad(c: 0.5).rewardWeights(of: symmetric))
        expectClose(weights.values, [0.5, 0.5])
        for bad in [-0.1, Double.nan] {
            #expect {
                try GramianWeighting.cagrad(c: bad).validate()
            } throws: { error in
                (error as? ValidationError)?.field == "c"
            }
        }
    }

    @Test("MGDA for K > 2 is exact: a three-objective case solved by hand")
    func mgdaThreeObjectives() throws {
        // g1 = (1, 0), g2 = (0, 1), g3 = (1, 1): the min-norm point of the hull is (1/2, 1/2) on [g1, g2].
        let gram = try GramMatrix(rows: [[1, 0, 1], [0, 1, 1], [1, 1, 2]])
        try expectClose(GramianWeighting.mgda.rawWeights(of: gram), [0.5, 0.5, 0])
        // g3 = (−1, −1) puts 0 inside the hull: g1 + g2 + g3 = 0, so α = (1/3, 1/3, 1/3), the only α with Jᵀα = 0.
        let zeroInside = try GramMatrix(rows: [[1, 0, -1], [0, 1, -1], [-1, -1, 2]])
        try expectClose(GramianWeighting.mgda.rawWeights(of: zeroInside), [1.0 / 3, 1.0 / 3, 1.0 / 3])
    }

    @Test(
        "every weighting gives finite weights on the simplex for random PSD G, rank-deficient ones included, K = 2..8, scales 1e-12..1e12"
    )
    func simplexProperty() throws {
        var random = SplitMix64(seed: 13_003)
        for k in 2...8 {
            for rank in [1, max(1, k - 1), k, k + 2] {
                for scale in [1e-12, 1e-6, 1, 1e6, 1e12] {
                    let gram = try Self.randomGram(k: k, rank: rank, scale: scale, random: &random)
                    for weighting in Self.all {
                        let weights = try #require(
                            try weighting.rewardWeights(of: gram), "\(weighting), K = \(k), rank \(rank)")
                        #expect(weights.values.allSatisfy { $0.isFinite && $0 >= 0 })
                        #expect(abs(weights.values.reduce(0, +) - 1) <= 1e-12)
                    }
                }
            }
        }
    }

    @Test("MGDA is invariant to scaling G and satisfies the KKT conditions of min αᵀGα over the simplex")
    func mgdaInvarianceAndOptimality() throws {
        var random = SplitMix64(seed: 13_004)
        for k in 2...8 {
            for rank in [1, k - 1, k, k + 3] where rank >= 1 {
                let gram = try Self.randomGram(k: k, rank: rank, scale: 1, random: &random)
                let alpha = try GramianWeighting.mgda.rawWeights(of: gram)
                let g = gram.entries.map { $0 / (0..<k).reduce(0) { $0 + gram[$1, $1] } }
                let gAlpha = (0..<k).map { i in (0..<k).reduce(0) { $0 + g[i * k + $1] * alpha[$1] } }
                let value = zip(alpha, gAlpha).reduce(0) { $0 + $1.0 * $1.1 }
                // Stationarity with the multiplier ν = αᵀGα: (Gα)_j ≥ ν for all j, = ν where α_j > 0.
                for j in 0..<k {
                    #expect(gAlpha[j] >= value - 1e-12, "K = \(k), rank \(rank), j = \(j)")
                    if alpha[j] > 1e-9 { #expect(abs(gAlpha[j] - value) <= 1e-12, "K = \(k), rank \(rank)") }
                }
                #expect(alpha.allSatisfy { $0 >= 0 } && abs(alpha.reduce(0, +) - 1) <= 1e-12)
                guard rank >= k else { continue }  // the optimum is unique only for a full-rank G
                for factor in [1e-12, 3.0, 1e9] {
                    let scaled = try GramMatrix(rowMajor: gram.entries.map { $0 * factor }, dimension: k)
                    let other = try GramianWeighting.mgda.rawWeights(of: scaled)
                    #expect(zip(alpha, other).allSatisfy { abs($0 - $1) <= 1e-10 }, "K = \(k), ×\(factor)")
                }
            }
        }
    }

    @Test("UPGrad's projections satisfy their KKT conditions, and its update conflicts with no objective")
    func upgradOptimality() throws {
        var random = SplitMix64(seed: 13_005)
        for k in 2...8 {
            let gram = try Self.randomGram(k: k, rank: k + 2, scale: 1, random: &random)
            let alpha = try GramianWeighting.upgrad(regularization: 0).rawWeights(of: gram)
            let trace = (0..<k).reduce(0) { $0 + gram[$1, $1] }
            // J·(Jᵀα) = G·α ≥ 0: the aggregated update does not decrease any objective to first order.
            for i in 0..<k {
                let product = (0..<k).reduce(0) { $0 + gram[i, $1] * alpha[$1] } / trace
                #expect(product >= -1e-12, "K = \(k), objective \(i)")
            }
            // α is the sum of K projections v_i ≥ e_i/K, so every entry is at least 1/K.
            #expect(alpha.allSatisfy { $0 >= 1 / Double(k) - 1e-12 })
        }
    }

    @Test("a G that is not positive semi-definite, or bad settings, is refused naming the field")
    func refusals() throws {
        let indefinite = try GramMatrix(rows: [[1, 2], [2, 1]])
        for weighting in Self.all {
            #expect {
                try weighting.rawWeights(of: indefinite)
            } throws: { error in
                (error as? ValidationError)?.field == "gram" && (error as? ValidationError)?.code == .outOfRange
            }
        }
        let negativeDiagonal = try GramMatrix(rows: [[-1, 0], [0, 1]])
        #expect(throws: ValidationError.self) { try GramianWeighting.mgda.rawWeights(of: negativeDiagonal) }
        for bad in [-1e-3, 2, Double.nan, .infinity] {
            #expect {
                try GramianWeighting.upgrad(regularization: bad).validate()
            } throws: { error in
                (error as? ValidationError)?.field == "regularization"
            }
        }
    }

    @Test("a zero G carries no signal: no reward weights (the run keeps its weights)")
    func zeroGram() throws {
        let zero = try GramMatrix(rowMajor: Array(repeating: 0, count: 9), dimension: 3)
        for weighting in Self.all {
            #expect(try weighting.rewardWeights(of: zero) == nil)
        }
        #expect(try GramianWeighting.mgda.rawWeights(of: zero) == [1.0 / 3, 1.0 / 3, 1.0 / 3])
        #expect(try GramianWeighting.imtlG.rawWeights(of: zero) == [0, 0, 0])
    }

    @Test("names parse and round-trip")
    func names() {
        #expect(
            GramianWeighting.Name.allCases.map(\.rawValue) == [
                "mgda", "upgrad", "dualproj", "imtl-g", "aligned-mtl", "cagrad", "pcgrad",
            ])
        #expect(Self.all.map(\.name.rawValue).contains("imtl-g"))
    }

    /// `G = A·Aᵀ·scale` for a K×rank matrix A of seeded values with a shared component, so that some pairs
    /// conflict and some agree.
    static func randomGram(k: Int, rank: Int, scale: Double, random: inout SplitMix64) throws -> GramMatrix {
        let shared = (0..<rank).map { _ in random.symmetric() }
        let mix = random.symmetric()
        let rows = (0..<k).map { _ in
            let norm = 0.2 + 3 * random.unit()
            return (0..<rank).map { p in norm * (random.symmetric() + mix * shared[p]) }
        }
        var entries = [Double](repeating: 0, count: k * k)
        for i in 0..<k {
            for j in 0..<k {
                entries[i * k + j] = scale * zip(rows[i], rows[j]).reduce(0) { $0 + $1.0 * $1.1 }
            }
        }
        return try GramMatrix(rowMajor: entries, dimension: k)
    }
}

private func expectClose(
    _ actual: [Double], _ expected: [Double], tolerance: Double = 1e-12,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(
        actual.count == expected.count && zip(actual, expected).allSatisfy { abs($0 - $1) <= tolerance },
        "\(actual) is not \(expected)", sourceLocation: sourceLocation)
}
