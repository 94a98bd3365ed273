import RewardWeightingCore
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite("MetaReward")
struct MetaRewardTests {
    /// `(ΔHV, r)` computed by running the reference Python (notes/reference-code.md, "Test vectors").
    static let referenceTable: [(Double, Double)] = [
        (0.008, 0.5119997440065535),
        (0, 0.5),
        (1e-4, 0.5001499999995),
        (0.001, 0.5014999995),
    ]

    @Test("reference test vectors for r = 0.5 + 1.5·tanh(ΔHV)", arguments: referenceTable)
    func referenceVectors(deltaHypervolume: Double, expected: Double) {
        #expect(abs(MetaReward.tanh(deltaHypervolume) - expected) <= 1e-12)
    }

    /// Each formula written out independently of the implementation.
    static func expected(_ kind: MetaReward, _ x: Double) -> Double {
        switch kind {
        case .tanh: return 0.5 + 1.5 * tanh(x)
        case .tanh3: return 0.5 + 1.5 * tanh(3 * x)
        case .sigmoidPlusOne: return 1 + 1 / (1 + exp(-x))
        case .twoSigmoid: return 2 / (1 + exp(-x))
        }
    }

    @Test(
        "each meta-reward matches its formula",
        arguments: MetaReward.allCases, [0, 1e-6, 1e-4, 0.008, 0.3, 1, 2.5, 10, 40])
    func formulas(kind: MetaReward, x: Double) {
        let value = kind(x)
        let expected = Self.expected(kind, x)
        #expect(abs(value - expected) <= 2 * Double.ulpOfOne * expected)
        #expect(value >= 0.5)
        #expect(value <= 2)
    }

    @Test("hand-computed values at 0")
    func atZero() {
        #expect(MetaReward.tanh(0) == 0.5)
        #expect(MetaReward.tanh3(0) == 0.5)
        #expect(MetaReward.sigmoidPlusOne(0) == 1.5)
        #expect(MetaReward.twoSigmoid(0) == 1)
    }

    @Test("negative ΔHV and NaN are clamped to 0, +∞ gives 2", arguments: MetaReward.allCases)
    func edgeInputs(kind: MetaReward) {
        #expect(kind(-0.25) == kind(0))
        #expect(kind(-.infinity) == kind(0))
        #expect(kind(.nan) == kind(0))
        #expect(kind(.infinity) == 2)
    }

    @Test("tanh3 is tanh at three times the argument")
    func tanh3Scaling() {
        #expect(MetaReward.tanh3(0.1) == MetaReward.tanh(0.1 * 3))
    }

    @Test("the default is the paper's tanh")
    func defaultCase() {
        #expect(MetaReward.default == .tanh)
    }

    @Test("names parse", arguments: MetaReward.allCases)
    func names(kind: MetaReward) throws {
        #expect(try MetaReward(name: kind.rawValue) == kind)
        #expect(try MetaReward(name: kind.rawValue.uppercased()) == kind)
    }

    @Test("raw values are the configuration names")
    func rawValues() throws {
        #expect(MetaReward.allCases.map(\.rawValue) == ["tanh", "tanh3", "sigmoid_plus_one", "two_sigmoid"])
        #expect(try MetaReward(name: "sigmoid-plus-one") == .sigmoidPlusOne)
    }

    @Test("an unknown name is rejected and the valid names are listed")
    func unknownName() {
        let error = #expect(throws: ValidationError.self) { try MetaReward(name: "softplus") }
        #expect(error?.code == .unknownName)
        #expect(error?.field == "meta_reward")
        #expect(error?.message.hasPrefix("meta_reward:") == true)
        #expect(error?.message.contains("softplus") == true)
        for kind in MetaReward.allCases {
            #expect(error?.message.contains("'\(kind.rawValue)'") == true)
        }
    }
}
