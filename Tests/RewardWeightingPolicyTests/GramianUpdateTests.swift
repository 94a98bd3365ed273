import Foundation
import RewardWeightingCore
import RewardWeightingPolicy
import RewardWeightingTestSupport
import Testing

@Suite("Gradient runs with a Gramian update (MGDA, UPGrad, DualProj, IMTL-G, Aligned-MTL, CAGrad, PCGrad)")
struct GramianUpdateTests {
    static func method(_ update: GradientUpdate, accumulationSteps: Int = 1, minWeight: Double? = nil)
        -> WeightingMethod
    {
        .gradient(
            try! GradientSettings(
                learningRate: 0, mu: 0, accumulationSteps: accumulationSteps, minWeight: minWeight, update: update))
    }

    @Test(
        "each update sets the weights to the weighting's reward weights of the step's G",
        arguments: ["mgda", "upgrad", "dualproj", "imtl-g", "aligned-mtl", "cagrad", "pcgrad"])
    func weightsAreTheWeightingOfG(name: String) throws {
        let update = try GradientUpdate(name: name)
        let weighting = try #require(update.gramianWeighting)
        let policy = WeightingPolicy(config: makeConfig(Self.method(update)))
        var generator = SplitMix64(seed: 1_300)
        var state = policy.initialState
        for t in 1...20 {
            let rows = GradientMethodTests.randomGram(&generator)
            let (next, decision) = try policy.apply(gradients(t, rows), to: state)
            state = next
            let expected = try #require(try weighting.rewardWeights(of: GramMatrix(rows: rows)))
            let update = try #require(decision.gradients?.update)
            // The weight floor lifts exact zeros (MGDA's) to 2.2e-308; nothing else changes.
            #expect(maxDifference(state.weights, expected.values) <= 1e-15, "step \(t)")
            #expect(update.rawWeights == (try weighting.rawWeights(of: GramMatrix(rows: rows))))
            #expect(update.stepSize == 0)
        }
        #expect(state.recentWeightUpdates.totalCount == 20)
        #expect(try policy.replay(try Self.events(seed: 1_300, steps: 20)) == state)
    }

    static func events(seed: UInt64, steps: Int) throws -> [RunEvent] {
        var generator = SplitMix64(seed: seed)
        return (1...steps).map { t in gradients(t, GradientMethodTests.randomGram(&generator)) }
    }

    @Test("with accumulation over W steps, the update uses the mean Gram matrix of the window")
    func accumulationAveragesG() throws {
        let policy = WeightingPolicy(config: makeConfig(Self.method(.gramian(.mgda), accumulationSteps: 3)))
        var generator = SplitMix64(seed: 1_301)
        let grams = (0..<3).map { _ in GradientMethodTests.randomGram(&generator) }
        let (state, decisions) = try policy.fold(grams.enumerated().map { gradients($0.offset + 1, $0.element) })
        #expect(decisions[0].gradients?.update == nil && decisions[1].gradients?.update == nil)
        #expect(state.recentWeightUpdates.totalCount == 1)
        let mean = (0..<3).map { i in (0..<3).map { j in grams.reduce(0) { $0 + $1[i][j] } / 3 } }
        let expected = try #require(try GramianWeighting.mgda.rewardWeights(of: GramMatrix(rows: mean)))
        #expect(maxDifference(state.weights, expected.values) <= 1e-12)
    }

    @Test("a lower bound on the weights applies to a Gramian update as to mirror descent")
    func boundsApply() throws {
        // Orthogonal gradients of norms 3, 1, 1: MGDA puts 1/19 on the first; min_weight 0.2 lifts it.
        let policy = WeightingPolicy(config: makeConfig(Self.method(.gramian(.mgda), minWeight: 0.2)))
        let (state, _) = try policy.apply(gradients(1, diagonal([9, 1, 1])), to: policy.initialState)
        #expect(abs(state.weights[0] - 0.2) <= 1e-15)
        #expect(abs(state.weights[1] - 0.4) <= 1e-12 && abs(state.weights[2] - 0.4) <= 1e-12)
    }

    @Test("a zero G keeps the weights; a G that is not positive semi-definite is refused and changes nothing")
    func degenerateAndInvalidG() throws {
        let policy = WeightingPolicy(config: makeConfig(Self.method(.gramian(.upgrad(regularization: 1e-4)))))
        let (first, _) = try policy.apply(gradients(1, diagonal([4, 1, 1])), to: policy.initialState)
        let (second, decision) = try policy.apply(gradients(2, diagonal([0, 0, 0])), to: first)
        #expect(second.weights == first.weights)
        #expect(decision.gradients?.update?.rawWeights == nil)
        #expect {
            try policy.apply(gradients(3, [[1, 2, 0], [2, 1, 0], [0, 0, 1]]), to: second)
        } throws: { error in
            (error as? PolicyError)?.code == .invalidArgument && (error as? PolicyError)?.field == "gram"
        }
    }

    @Test("Gram matrices whose entries overflow when summed over the window are refused; nothing is stored")
    func accumulatedOverflowIsRefused() throws {
        let policy = WeightingPolicy(config: makeConfig(Self.method(.gramian(.mgda), accumulationSteps: 3)))
        // Row sums stay finite (the influences are 0), but two reports sum entry (0, 0) past Double.max.
        let big = [[1e308, -1e308, 0], [-1e308, 1e308, 0], [0, 0, 1]]
        let (first, _) = try policy.apply(gradients(1, big), to: policy.initialState)
        #expect {
            try policy.apply(gradients(2, big), to: first)
        } throws: { error in
            (error as? PolicyError)?.code == .invalidArgument && (error as? PolicyError)?.field == "gram"
        }
        #expect(first.gradientAccumulator.gramSum?.allSatisfy(\.isFinite) == true)
    }

    @Test("settings: learning_rate and mu are optional with a Gramian update only; ε and σ only where used")
    func settingsValidation() throws {
        #expect(throws: ValidationError.self) { try GradientSettings(learningRate: 0, mu: 1e-5) }
        _ = try GradientSettings(learningRate: 0, mu: 0, update: .gramian(.imtlG))
        _ = try GradientSettings(learningRate: 1e-6, mu: 1e-5, update: .gramian(.imtlG))
        for (name, epsilon, scale, field) in [
            ("mgda", 1e-3, nil, "gradient.regularization"), ("upgrad", 0, nil, "gradient.regularization"),
            ("upgrad", 2, nil, "gradient.regularization"), ("dualproj", .nan, nil, "gradient.regularization"),
            ("upgrad", nil, GramianWeighting.AlignedMTLScale.rmse, "gradient.aligned_mtl_scale"),
            ("krum", nil, nil, "gradient.update"),
        ] as [(String, Double?, GramianWeighting.AlignedMTLScale?, String)] {
            #expect {
                try GradientSettings(
                    learningRate: 0, mu: 0,
                    update: try GradientUpdate(name: name, regularization: epsilon, alignedMTLScale: scale))
            } throws: { error in
                (error as? ValidationError)?.field == field
            }
        }
    }

    @Test("the settings round-trip through JSON, and a mirror-descent config encodes as before")
    func jsonRoundTrip() throws {
        let json = #"{"update": "aligned-mtl", "aligned_mtl_scale": "median", "accumulation_steps": 2}"#
        let settings = try JSONDecoder().decode(GradientSettings.self, from: Data(json.utf8))
        #expect(settings.update == .gramian(.alignedMTL(.median)))
        #expect(settings.learningRate == 0 && settings.accumulationSteps == 2)
        let again = try JSONDecoder().decode(GradientSettings.self, from: JSONEncoder().encode(settings))
        #expect(again == settings)
        let upgrad = try JSONDecoder().decode(
            GradientSettings.self, from: Data(#"{"update": "UPGrad", "regularization": 0.01}"#.utf8))
        #expect(upgrad.update == .gramian(.upgrad(regularization: 0.01)))
        let mirror = try GradientSettings(learningRate: 1e-6, mu: 1e-5)
        let encoded = String(decoding: try JSONEncoder().encode(mirror), as: UTF8.self)
        #expect(!encoded.contains("update") && !encoded.contains("regularization"))
        #expect {
            try JSONDecoder().decode(GradientSettings.self, from: Data(#"{"update": "mirror-descent"}"#.utf8))
        } throws: { _ in true }
    }
}
