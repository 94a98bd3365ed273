import Foundation
import GRPCCore
import RewardWeightingAPI
import Testing

/// Hypervolume runs under each HypervolumeSettings.scale, over gRPC: the reply's r_pareto is f of the scaled
/// ΔHV, the raw ΔHV is still reported, and bad settings are refused naming the field.
@Suite struct HypervolumeScaleRunTests {
    static func request(
        _ runID: String, _ scale: Rewardweighting_V1_HypervolumeScale, ranges: [Double] = []
    ) -> Rewardweighting_V1_CreateRunRequest {
        var request = Rewardweighting_V1_CreateRunRequest()
        request.runID = runID
        var a = Rewardweighting_V1_Objective()
        a.name = "accuracy"
        var length = Rewardweighting_V1_Objective()
        length.name = "length"
        length.direction = .minimize
        request.config.objectives = [a, length]
        request.config.method = .hypervolume
        request.config.hypervolume.referencePoint = [0.5, 800]
        request.config.hypervolume.scale = scale
        request.config.hypervolume.objectiveRanges = ranges
        return request
    }

    @Test func eachScaleGivesTheMetaRewardOfItsScaledImprovement() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        // Checkpoints (0.52, 790) then (0.55, 795): in the maximisation convention, against (0.5, −800), the
        // boxes are 0.02 × 10 = 0.2 and 0.05 × 5 = 0.25 with overlap 0.02 × 5 = 0.1, so ΔHV = 0.2 then 0.15.
        let expectations: [(Rewardweighting_V1_HypervolumeScale, [Double], [Double?])] = [
            (.raw, [], [nil, nil]),
            // Observed box: (0.02 × 10) = 0.2 → 1; then the ideal point (0.55, −790): 0.05 × 10 = 0.5 → 0.3.
            (.referenceBox, [], [1, 0.3]),
            // Declared box 0.1 × 100 = 10: 0.02 then 0.015.
            (.referenceBox, [0.1, 100], [0.02, 0.015]),
            // Relative: 0.2 / 0.2 = 1, then 0.15 / 0.35.
            (.relative, [], [1, 0.15 / 0.35]),
        ]
        try await withServer(database: directory.database()) { trainer in
            for (index, (scale, ranges, scaled)) in expectations.enumerated() {
                let runID = "scale-\(index)"
                _ = try await trainer.createRun(Self.request(runID, scale, ranges: ranges))
                let first = try await trainer.reportCheckpoint(checkpointRequest(runID, step: 1, scores: [0.52, 790]))
                let second = try await trainer.reportCheckpoint(checkpointRequest(runID, step: 2, scores: [0.55, 795]))
                for (index, reply) in [first, second].enumerated() {
                    let (raw, expected) = ([0.2, 0.15][index], scaled[index])
                    #expect(abs(reply.hypervolumeContribution - raw) <= 1e-12, "\(scale)")
                    #expect(reply.hasScaledHypervolumeContribution == (expected != nil))
                    let measured = expected ?? raw
                    if let expected {
                        #expect(abs(reply.scaledHypervolumeContribution - expected) <= 1e-12, "\(scale) \(ranges)")
                    }
                    #expect(abs(reply.rPareto - (0.5 + 1.5 * tanh(measured))) <= 1e-12, "\(scale) \(ranges)")
                }
                // The scaled value is in the logged decision too, and the config reads back with its scale.
                let events = try await trainer.events(runID, count: 3).filter { $0.kind == .checkpoint }
                #expect(events.map(\.checkpoint.hasScaledHypervolumeContribution) == scaled.map { $0 != nil })
                let run = try await trainer.run(runID)
                #expect(run.config.hypervolume.scale == scale)
                #expect(run.config.hypervolume.objectiveRanges == ranges)
            }
        }
    }

    @Test func badScaleSettingsAreInvalidArgumentNamingTheField() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try await withServer(database: directory.database()) { trainer in
            await expectStatus(.invalidArgument, naming: "config.hypervolume.objective_ranges") {
                _ = try await trainer.createRun(Self.request("bad-1", .relative, ranges: [1, 1]))
            }
            await expectStatus(.invalidArgument, naming: "config.hypervolume.objective_ranges") {
                _ = try await trainer.createRun(Self.request("bad-2", .referenceBox, ranges: [1]))
            }
            await expectStatus(.invalidArgument, naming: "config.hypervolume.objective_ranges") {
                _ = try await trainer.createRun(Self.request("bad-3", .referenceBox, ranges: [1, -2]))
            }
            await expectStatus(.invalidArgument, naming: "config.hypervolume.scale") {
                _ = try await trainer.createRun(Self.request("bad-4", .UNRECOGNIZED(9)))
            }
        }
    }
}
