import Foundation
import GRPCCore
import RewardWeightingAPI
import RewardWeightingTestSupport
import Testing

/// A 100-step gradient run against Lemma 5.1's closed form.
@Suite struct GradientRunTests {
    /// `w_i(T) ∝ w_i(0)·exp(Σ_t τ_t·I_i(t))` with `τ_t = η_t/μ`, `η_t = η·λ(t − 1)` from the polynomial schedule
    /// (`λ(s) = (1 − s/T)^1.03`), `I = G·1`; the weights after every step, and the scalarised rewards that use
    /// them, match it to 1e-12. Every tenth step sends projected gradients instead of the Gram matrix.
    @Test func weightsFollowTheClosedFormOverAHundredSteps() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let steps = 100
        let (eta, mu) = (1e-6, 1e-5)
        try await withServer(database: directory.database()) { trainer in
            _ = try await trainer.createRun(gradientRun("closed-form", totalSteps: Int64(steps)))
            var generator = SplitMix64(seed: 51)
            var exponent = [0.5, 0.25, 0.25].map { log($0) }
            for t in 1...steps {
                let gradients = randomGradients(&generator)
                var request = gramRequest("closed-form", step: Int64(t), gram: gram(of: gradients))
                if t % 10 == 0 {
                    var projected = Rewardweighting_V1_ProjectedGradients()
                    projected.numObjectives = 3
                    projected.dimension = 4
                    projected.values = gradients.flatMap { $0 }
                    request.projected = projected
                }
                let reply = try await trainer.reportGradients(request)

                let etaT = eta * pow(1 - Double(t - 1) / Double(steps), 1.03)
                let g = gram(of: gradients)
                let influence = (0..<3).map { i in g[(3 * i)..<(3 * i + 3)].reduce(0, +) }
                for i in 0..<3 { exponent[i] += etaT / mu * influence[i] }
                let largest = exponent.max()!
                let unnormalised = exponent.map { exp($0 - largest) }
                let expected = unnormalised.map { $0 / unnormalised.reduce(0, +) }

                #expect(abs(reply.learningRate - etaT) <= 1e-12 * eta, "step \(t)")
                #expect(reply.weightsUpdated)
                for i in 0..<3 {
                    #expect(abs(reply.influence[i] - influence[i]) <= 1e-12, "step \(t), influence \(i)")
                    #expect(abs(reply.weights[i] - expected[i]) <= 1e-12, "step \(t), weight \(i)")
                }

                let rewards = (0..<24).map { _ in generator.symmetric() }
                let scalarized = try await trainer.scalarize(
                    scalarizeRequest("closed-form", step: Int64(t), rewards: rewards))
                // Scalarize re-normalises the stored weights (a WeightVector), a change of a few ulps.
                for i in 0..<3 { #expect(abs(scalarized.weights[i] - reply.weights[i]) <= 1e-15, "step \(t)") }
                #expect(scalarized.rPareto == 1)
                for n in 0..<8 {
                    let oracle = (0..<3).reduce(0.0) { $0 + expected[$1] * rewards[3 * n + $1] }
                    #expect(abs(scalarized.scalarizedRewards[n] - oracle) <= 1e-12, "step \(t), response \(n)")
                }
            }
            let run = try await trainer.run("closed-form")
            #expect(run.state.lastGradientsStep == Int64(steps))
            #expect(run.state.lastScalarizeStep == Int64(steps))
            #expect(run.state.weights.allSatisfy { $0 > 0 })
        }
    }
}
