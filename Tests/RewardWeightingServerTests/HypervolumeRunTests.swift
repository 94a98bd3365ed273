import Foundation
import GRPCCore
import RewardWeightingAPI
import RewardWeightingCore
import RewardWeightingTestSupport
import Testing

/// A hypervolume run of 20 checkpoints against the core's kernels, computed here.
@Suite struct HypervolumeRunTests {
    /// Checkpoint 0 becomes the reference point; each later one gets `ΔHV = Hypervolume.improvement(v, B, ref)`
    /// (response length negated), `r_pareto = MetaReward.tanh(ΔHV)`, and enters the buffer iff `ΔHV > 0`, which
    /// then keeps its non-dominated points. The replies' ΔHV, `r_pareto`, buffer (points, steps, hypervolume)
    /// and the next step's Scalarize multiplier all agree.
    @Test func checkpointsMatchTheKernels() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let signs = [1.0, -1.0, 1.0]
        try await withServer(database: directory.database()) { trainer in
            _ = try await trainer.createRun(hypervolumeRun("hv"))
            var generator = SplitMix64(seed: 20)
            var scores = [0.30, 900.0, 0.20]
            var reference: ObjectiveVector?
            var buffer: [(step: Int64, scores: [Double], point: [Double], delta: Double)] = []
            var enteredCount = 0
            for c in 0..<20 {
                let step = Int64(10 * c)
                if c > 0 {
                    scores[0] += 0.015 + 0.03 * generator.symmetric()
                    scores[1] += -15 + 30 * generator.symmetric()
                    scores[2] += 0.01 + 0.02 * generator.symmetric()
                }
                let reply = try await trainer.reportCheckpoint(checkpointRequest("hv", step: step, scores: scores))
                let point = zip(scores, signs).map { $0 * $1 }

                var expectedDelta = 0.0
                var expectedMetaReward = 1.0
                var entered = false
                if let reference {
                    let matrix = try ObjectiveMatrix(rows: buffer.map(\.point), dimension: 3)
                    expectedDelta = try Hypervolume.improvement(
                        adding: try ObjectiveVector(point), to: matrix, reference: reference)
                    if expectedDelta > 0 {
                        let candidates = try ObjectiveMatrix(rows: buffer.map(\.point) + [point], dimension: 3)
                        let kept = ParetoFront.nondominatedIndices(of: candidates)
                        entered = kept.last == buffer.count
                        if entered {
                            let newcomer = (step: step, scores: scores, point: point, delta: expectedDelta)
                            buffer = kept.map { $0 < buffer.count ? buffer[$0] : newcomer }
                        } else {
                            expectedDelta = 0
                        }
                    }
                    expectedMetaReward = MetaReward.tanh(expectedDelta)
                } else {
                    reference = try ObjectiveVector(point)
                    #expect(reply.becameReferencePoint)
                }
                if entered { enteredCount += 1 }

                #expect(abs(reply.hypervolumeContribution - expectedDelta) <= 1e-12 * max(1, expectedDelta), "c \(c)")
                #expect(abs(reply.rPareto - expectedMetaReward) <= 1e-12, "checkpoint \(c)")
                #expect(reply.enteredBuffer == entered, "checkpoint \(c)")
                #expect(reply.buffer.points.map(\.step) == buffer.map(\.step), "checkpoint \(c)")
                #expect(reply.buffer.points.map(\.scores) == buffer.map(\.scores), "checkpoint \(c)")
                #expect(reply.buffer.referencePoint == [0.30, 900.0, 0.20])
                #expect(reply.buffer.referenceStep == 0)
                let volume = try Hypervolume.volume(
                    of: try ObjectiveMatrix(rows: buffer.map(\.point), dimension: 3), reference: reference!)
                #expect(abs(reply.buffer.hypervolume - volume) <= 1e-12 * max(1, volume), "checkpoint \(c)")

                // The next training step is scalarised with this checkpoint's r_pareto.
                let rewards = (0..<12).map { _ in 0.5 + 0.5 * generator.symmetric() }
                let scalarized = try await trainer.scalarize(scalarizeRequest("hv", step: step + 1, rewards: rewards))
                #expect(scalarized.rPareto == reply.rPareto)
                #expect(scalarized.rParetoStep == step)
                for n in 0..<4 {
                    let weighted = 0.5 * rewards[3 * n] + 0.25 * rewards[3 * n + 1] + 0.25 * rewards[3 * n + 2]
                    #expect(abs(scalarized.scalarizedRewards[n] - expectedMetaReward * weighted) <= 1e-12)
                }
            }
            #expect(enteredCount >= 3, "the walk should improve the front several times")
            let run = try await trainer.run("hv")
            #expect(run.state.buffer.points.map(\.step) == buffer.map(\.step))
            #expect(run.state.lastCheckpointStep == 190)
        }
    }
}
