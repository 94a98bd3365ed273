import Foundation
import GRPCCore
import RewardWeightingAPI
import RewardWeightingCore
import RewardWeightingTestSupport
import Testing

/// Gradient runs with a Gramian update, over gRPC: created with each update and its options, fed Gram
/// matrices, answered with the weighting's weights; bad settings and bad matrices refused naming the field.
@Suite struct GramianRunTests {
    static let updates: [(Rewardweighting_V1_GradientUpdate, Rewardweighting_V1_AlignedMtlScale, Double?)] = [
        (.mgda, .unspecified, nil), (.upgrad, .unspecified, nil), (.upgrad, .unspecified, 0.01),
        (.dualproj, .unspecified, nil), (.imtlG, .unspecified, nil), (.alignedMtl, .unspecified, nil),
        (.alignedMtl, .median, nil), (.alignedMtl, .rmse, nil), (.cagrad, .unspecified, nil),
        (.cagrad, .unspecified, 0.9), (.pcgrad, .unspecified, nil),
    ]

    static func expectedWeighting(
        _ update: Rewardweighting_V1_GradientUpdate, _ scale: Rewardweighting_V1_AlignedMtlScale, _ epsilon: Double?
    ) -> GramianWeighting {
        switch update {
        case .mgda: .mgda
        case .upgrad: .upgrad(regularization: epsilon ?? 1e-4)
        case .dualproj: .dualProj(regularization: epsilon ?? 1e-4)
        case .imtlG: .imtlG
        case .cagrad: .cagrad(c: epsilon ?? 0.5)
        case .pcgrad: .pcgrad
        default: .alignedMTL(scale == .median ? .median : scale == .rmse ? .rmse : .min)
        }
    }

    static func request(
        _ runID: String, _ update: Rewardweighting_V1_GradientUpdate, _ scale: Rewardweighting_V1_AlignedMtlScale,
        _ epsilon: Double?, accumulation: Int32 = 1
    ) -> Rewardweighting_V1_CreateRunRequest {
        var request = Rewardweighting_V1_CreateRunRequest()
        request.runID = runID
        request.config.objectives = mathObjectives()
        request.config.method = .gradient
        request.config.gradient.update = update
        request.config.gradient.alignedMtlScale = scale
        request.config.gradient.accumulationSteps = accumulation
        // The third setting is ε for UPGrad/DualProj and c for CAGrad.
        if let epsilon {
            if update == .cagrad {
                request.config.gradient.cagradC = epsilon
            } else {
                request.config.gradient.regularization = epsilon
            }
        }
        return request
    }

    @Test func everyUpdateGivesTheWeightingsWeightsOfTheReportedG() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try await withServer(database: directory.database()) { trainer in
            for (index, (update, scale, epsilon)) in Self.updates.enumerated() {
                let runID = "gramian-\(index)"
                _ = try await trainer.createRun(Self.request(runID, update, scale, epsilon))
                let weighting = Self.expectedWeighting(update, scale, epsilon)
                var generator = SplitMix64(seed: 1_300 + UInt64(index))
                var raw: [[Double]] = []
                for t in 1...10 {
                    let g = gram(of: randomGradients(&generator))
                    raw.append(try weighting.rawWeights(of: GramMatrix(rowMajor: g, dimension: 3)))
                    let reply = try await trainer.reportGradients(gramRequest(runID, step: Int64(t), gram: g))
                    let expected = try #require(
                        try weighting.rewardWeights(of: GramMatrix(rowMajor: g, dimension: 3)))
                    #expect(reply.weightsUpdated)
                    for i in 0..<3 {
                        #expect(abs(reply.weights[i] - expected[i]) <= 1e-15, "\(update) step \(t) weight \(i)")
                    }
                    // Scalarize uses them.
                    let scalarized = try await trainer.scalarize(
                        scalarizeRequest(runID, step: Int64(t), rewards: [1, 0, 0, 0, 1, 0]))
                    #expect(abs(scalarized.scalarizedRewards[0] - expected[0]) <= 1e-15)
                }
                // Each update's decision carries the raw weights α (created, then 10 gradients and 10 summaries).
                let events = try await trainer.events(runID, count: 21).filter { $0.kind == .gradients }
                #expect(events.map(\.gradients.rawWeights) == raw)
                // The run's config reads back with its update and options.
                let run = try await trainer.run(runID)
                #expect(run.config.gradient.update == update)
                #expect(
                    run.config.gradient.alignedMtlScale
                        == (update == .alignedMtl && scale == .unspecified ? .min : scale))
                #expect(run.config.gradient.hasRegularization == (update == .upgrad || update == .dualproj))
                #expect(run.config.gradient.hasCagradC == (update == .cagrad))
                // A retried CreateRun with the same config is idempotent.
                _ = try await trainer.createRun(Self.request(runID, update, scale, epsilon))
            }
        }
    }

    @Test func badSettingsAndMatricesAreInvalidArgumentNamingTheField() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try await withServer(database: directory.database()) { trainer in
            await expectStatus(.invalidArgument, naming: "config.gradient.regularization") {
                _ = try await trainer.createRun(Self.request("bad-1", .mgda, .unspecified, 0.1))
            }
            await expectStatus(.invalidArgument, naming: "config.gradient.regularization") {
                _ = try await trainer.createRun(Self.request("bad-2", .upgrad, .unspecified, 0))
            }
            await expectStatus(.invalidArgument, naming: "config.gradient.aligned_mtl_scale") {
                _ = try await trainer.createRun(Self.request("bad-3", .upgrad, .rmse, nil))
            }
            await expectStatus(.invalidArgument, naming: "config.gradient.cagrad_c") {
                _ = try await trainer.createRun(Self.request("bad-6", .cagrad, .unspecified, -1))
            }
            await expectStatus(.invalidArgument, naming: "config.gradient.cagrad_c") {
                var request = Self.request("bad-7", .mgda, .unspecified, nil)
                request.config.gradient.cagradC = 0.5
                _ = try await trainer.createRun(request)
            }
            await expectStatus(.invalidArgument, naming: "config.gradient.update") {
                _ = try await trainer.createRun(Self.request("bad-4", .UNRECOGNIZED(99), .unspecified, nil))
            }
            // PCGrad's exact expectation over orders takes at most 8 objectives.
            await expectStatus(.invalidArgument, naming: "config.gradient.update") {
                var request = Self.request("bad-8", .pcgrad, .unspecified, nil)
                request.config.objectives = (0..<9).map { index in
                    var objective = Rewardweighting_V1_Objective()
                    objective.name = "o\(index)"
                    return objective
                }
                _ = try await trainer.createRun(request)
            }
            // Mirror descent still needs learning_rate and mu.
            await expectStatus(.invalidArgument, naming: "config.gradient.learning_rate") {
                _ = try await trainer.createRun(Self.request("bad-5", .mirrorDescent, .unspecified, nil))
            }

            _ = try await trainer.createRun(Self.request("psd", .mgda, .unspecified, nil, accumulation: 2))
            await expectStatus(.invalidArgument, naming: "gram") {
                _ = try await trainer.reportGradients(gramRequest("psd", step: 1, gram: [1, 2, 0, 2, 1, 0, 0, 0, 1]))
            }
            // Nothing was stored: step 1 is still free, and accumulation starts from it.
            let first = try await trainer.reportGradients(
                gramRequest("psd", step: 1, gram: [4, 0, 0, 0, 1, 0, 0, 0, 1]))
            #expect(!first.weightsUpdated)
            let second = try await trainer.reportGradients(
                gramRequest("psd", step: 2, gram: [4, 0, 0, 0, 1, 0, 0, 0, 1]))
            #expect(second.weightsUpdated)
            // MGDA of diag(4, 1, 1): w ∝ (1/4, 1, 1).
            for (actual, expected) in zip(second.weights, [1.0 / 9, 4.0 / 9, 4.0 / 9]) {
                #expect(abs(actual - expected) <= 1e-15)
            }
        }
    }
}
