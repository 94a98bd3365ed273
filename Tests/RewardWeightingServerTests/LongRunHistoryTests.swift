import Foundation
import GRPCCore
import RewardWeightingAPI
import RewardWeightingPolicy
import RewardWeightingTestSupport
import Testing

/// Runs longer than the histories a run's state keeps (``RecentHistory/capacity`` updates and checkpoints): what
/// a client asks about their older steps is answered from the log, exactly as it was answered live, through a real
/// server and after a restart.
@Suite struct LongRunHistoryTests {
    static let steps = 3 * RecentHistory<WeightUpdate>.capacity

    /// Scalarize at a step whose update is long out of the state's window uses that update's weights, recorded
    /// or not (validation), live and after a restart; its retry is answered from the log.
    @Test func scalarizeAtAnOldStepUsesThatStepsWeights() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var generator = SplitMix64(seed: 48)
        let rewards = (0..<12).map { _ in generator.unit() }
        let weights = try await withServer(database: directory.database()) { trainer in
            _ = try await trainer.createRun(gradientRun("long", totalSteps: Int64(Self.steps)))
            var weights: [Int: [Double]] = [:]
            for step in 1...Self.steps {
                let reply = try await trainer.reportGradients(
                    gramRequest("long", step: Int64(step), gram: gram(of: randomGradients(&generator))))
                weights[step] = reply.weights
            }
            #expect(Set(weights.values).count == Self.steps)  // every step moved the weights
            for step in [1, 3, Self.steps - RecentHistory<WeightUpdate>.capacity - 1, Self.steps] {
                let first = try await trainer.scalarize(scalarizeRequest("long", step: Int64(step), rewards: rewards))
                #expect(Self.agree(first.weights, weights[step]), "step \(step)")
                #expect(first.sequence > 0)
                Self.expectScalarized(first.scalarizedRewards, rewards: rewards, weights: first.weights)
                let retry = try await trainer.scalarize(scalarizeRequest("long", step: Int64(step), rewards: rewards))
                #expect(retry == first, "step \(step)")
            }
            var validation = scalarizeRequest("long", step: 2, rewards: rewards)
            validation.validation = true
            let validated = try await trainer.scalarize(validation)
            #expect(Self.agree(validated.weights, weights[2]))
            #expect(validated.sequence == 0)
            return weights
        }
        try await withServer(database: directory.database()) { trainer in
            let reply = try await trainer.scalarize(scalarizeRequest("long", step: 5, rewards: rewards))
            #expect(Self.agree(reply.weights, weights[5]))
            let state = try await trainer.run("long").state
            #expect(state.weights == weights[Self.steps])
        }
    }

    /// A checkpoint long out of the state's window: its retry replies as it did live (the buffer as of that
    /// checkpoint), `WatchRun` from the start sends the buffer's hypervolume after every checkpoint as the
    /// replies did, and Scalarize at the step after an old checkpoint uses that checkpoint's `r_pareto`.
    @Test func oldCheckpointsAnswerAsTheyDidLive() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var generator = SplitMix64(seed: 49)
        var replies: [Rewardweighting_V1_ReportCheckpointResponse] = []
        var requests: [Rewardweighting_V1_ReportCheckpointRequest] = []
        try await withServer(database: directory.database()) { trainer in
            _ = try await trainer.createRun(hypervolumeRun("hv-long"))
            var scores = [0.30, 900.0, 0.20]
            for c in 0..<Self.steps {
                if c > 0 {
                    scores[0] += 0.01 + 0.03 * generator.symmetric()
                    scores[1] += -10 + 30 * generator.symmetric()
                    scores[2] += 0.005 + 0.02 * generator.symmetric()
                }
                let request = checkpointRequest("hv-long", step: Int64(10 * c), scores: scores)
                requests.append(request)
                replies.append(try await trainer.reportCheckpoint(request))
            }
            #expect(replies.contains { $0.enteredBuffer } && replies.contains { !$0.enteredBuffer })
            #expect(Set(replies.map(\.buffer.hypervolume)).count > 4)
        }
        try await withServer(database: directory.database()) { trainer in
            for c in [1, 2, 5, Self.steps - 1] {
                #expect(try await trainer.reportCheckpoint(requests[c]) == replies[c], "checkpoint \(c)")
            }
            let events = try await trainer.events("hv-long", count: 1 + Self.steps)
            let checkpoints = events.filter { $0.kind == .checkpoint }
            #expect(checkpoints.count == Self.steps)
            for (event, reply) in zip(checkpoints, replies) {
                #expect(event.checkpoint.hypervolume == reply.buffer.hypervolume, "step \(event.step)")
            }
            for c in [1, 3] {
                let reply = try await trainer.scalarize(
                    scalarizeRequest("hv-long", step: Int64(10 * c + 1), rewards: [1, 1, 1]))
                #expect(reply.rPareto == replies[c].rPareto)
                #expect(reply.rParetoStep == Int64(10 * c))
            }
        }
    }

    /// Whether Scalarize's weights are the update's, renormalised as every use of them does (a few ulps).
    static func agree(_ used: [Double], _ update: [Double]?) -> Bool {
        guard let update, used.count == update.count else { return false }
        return zip(used, update).allSatisfy { abs($0 - $1) <= 1e-15 }
    }

    static func expectScalarized(_ scalarized: [Double], rewards: [Double], weights: [Double]) {
        for (n, value) in scalarized.enumerated() {
            let expected = (0..<3).reduce(0.0) { $0 + weights[$1] * rewards[3 * n + $1] }
            #expect(abs(value - expected) <= 1e-12)
        }
    }
}
