import Foundation
import RewardWeightingCore
import RewardWeightingPolicy
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Scale-aware ΔHV: two maximised objectives, reference (0, 0), checkpoints (0.02, 0.03) then (0.03, 0.01).
/// The raw gains are 0.0006 (the first box) and 0.0001 (the union 0.0006 + 0.0003 − 0.0002 overlap, less
/// 0.0006): tiny, so the paper's r_pareto sits at 0.5. The scales make them fractions.
@Suite("Hypervolume scales: raw, reference box, relative")
struct HypervolumeScaleTests {
    static let objectives = [Objective(name: "a", direction: .maximize), Objective(name: "b", direction: .maximize)]

    static func decisions(_ scale: HypervolumeScale) throws -> [CheckpointDecision] {
        let settings = try HypervolumeSettings(referencePoint: [0, 0], scale: scale)
        let config = try RunConfig(runID: "scale", objectives: Self.objectives, method: .hypervolume(settings))
        let policy = WeightingPolicy(config: config)
        let (state, decisions) = try policy.fold([checkpoint(1, [0.02, 0.03]), checkpoint(2, [0.03, 0.01])])
        // Replaying the log gives the same state, bit for bit.
        #expect(try policy.replay([checkpoint(1, [0.02, 0.03]), checkpoint(2, [0.03, 0.01])]) == state)
        #expect(abs(state.bufferHypervolume - (scale == .relative ? 0.0007 : 0)) <= 1e-18)
        return decisions.compactMap(\.checkpoint)
    }

    static func tanhReward(_ x: Double) -> Double { 0.5 + 1.5 * tanh(x) }

    @Test("raw: the paper's ΔHV, r_pareto ≈ 0.5")
    func raw() throws {
        let decisions = try Self.decisions(.raw)
        #expect(abs(decisions[0].deltaHypervolume - 0.0006) <= 1e-18)
        #expect(abs(decisions[1].deltaHypervolume - 0.0001) <= 1e-18)
        #expect(decisions.allSatisfy { $0.scaledDeltaHypervolume == nil })
        #expect(abs(decisions[1].metaReward - Self.tanhReward(0.0001)) <= 1e-15)
        #expect(decisions[1].metaReward < 0.5002)
    }

    @Test("reference box, observed: ΔHV over the box from the reference to the ideal point so far")
    func observedBox() throws {
        let decisions = try Self.decisions(.referenceBox(ranges: nil))
        // First: the box is the point's own, 0.02 × 0.03, so the fraction is 1. Second: the ideal point is
        // (0.03, 0.03), the box 0.0009, the fraction 1/9. The raw ΔHV is still recorded.
        #expect(abs(try #require(decisions[0].scaledDeltaHypervolume) - 1) <= 1e-12)
        #expect(abs(try #require(decisions[1].scaledDeltaHypervolume) - 1.0 / 9) <= 1e-12)
        #expect(abs(decisions[1].deltaHypervolume - 0.0001) <= 1e-18)
        #expect(abs(decisions[1].metaReward - Self.tanhReward(1.0 / 9)) <= 1e-12)
    }

    @Test("reference box, declared: ΔHV over the box of the declared ranges")
    func declaredBox() throws {
        let decisions = try Self.decisions(.referenceBox(ranges: [0.1, 0.05]))
        // 0.0006 / (0.1 × 0.05) = 0.12; 0.0001 / 0.005 = 0.02.
        #expect(abs(try #require(decisions[0].scaledDeltaHypervolume) - 0.12) <= 1e-14)
        #expect(abs(try #require(decisions[1].scaledDeltaHypervolume) - 0.02) <= 1e-14)
        #expect(abs(decisions[0].metaReward - Self.tanhReward(0.12)) <= 1e-14)
    }

    @Test("relative: ΔHV over the buffer's hypervolume with the checkpoint")
    func relative() throws {
        let decisions = try Self.decisions(.relative)
        // The first point is the whole front (1); the second adds 0.0001 of 0.0007.
        #expect(try #require(decisions[0].scaledDeltaHypervolume) == 1)
        #expect(abs(try #require(decisions[1].scaledDeltaHypervolume) - 1.0 / 7) <= 1e-12)
        #expect(abs(decisions[1].metaReward - Self.tanhReward(1.0 / 7)) <= 1e-12)
    }

    @Test("a dominated checkpoint gains 0 under every scale; bad settings name their field")
    func dominatedAndValidation() throws {
        for scale in [HypervolumeScale.raw, .referenceBox(ranges: nil), .referenceBox(ranges: [1, 1]), .relative] {
            let settings = try HypervolumeSettings(referencePoint: [0, 0], scale: scale)
            let config = try RunConfig(runID: "scale", objectives: Self.objectives, method: .hypervolume(settings))
            let (_, decisions) = try WeightingPolicy(config: config).fold([
                checkpoint(1, [0.02, 0.03]), checkpoint(2, [0.01, 0.01]),
            ])
            let second = try #require(decisions[1].checkpoint)
            #expect(second.deltaHypervolume == 0 && (second.scaledDeltaHypervolume ?? 0) == 0)
            #expect(second.metaReward == 0.5)
        }
        for (name, ranges, field) in [
            ("raw", [1.0, 1.0], "hypervolume.objective_ranges"),
            ("reference_box", [1.0, 0], "hypervolume.objective_ranges"),
            ("reference_box", [1.0, .nan], "hypervolume.objective_ranges"), ("box", nil, "hypervolume.scale"),
        ] as [(String, [Double]?, String)] {
            #expect {
                try HypervolumeScale(name: name, ranges: ranges)
            } throws: { error in
                (error as? ValidationError)?.field == field
            }
        }
        #expect {
            try RunConfig(
                runID: "scale", objectives: Self.objectives,
                method: .hypervolume(try HypervolumeSettings(scale: .referenceBox(ranges: [1, 1, 1]))))
        } throws: { error in
            (error as? ValidationError)?.field == "hypervolume.objective_ranges"
        }
    }

    @Test("the settings round-trip through JSON; a raw config encodes as before")
    func json() throws {
        let json = #"{"scale": "reference_box", "objective_ranges": [1, 2000], "meta_reward": "tanh3"}"#
        let settings = try JSONDecoder().decode(HypervolumeSettings.self, from: Data(json.utf8))
        #expect(settings.scale == .referenceBox(ranges: [1, 2000]))
        #expect(try JSONDecoder().decode(HypervolumeSettings.self, from: JSONEncoder().encode(settings)) == settings)
        let raw = String(decoding: try JSONEncoder().encode(try HypervolumeSettings()), as: UTF8.self)
        #expect(!raw.contains("scale") && !raw.contains("objective_ranges"))
    }
}
