import Foundation
import GRPCCore
import RewardWeightingAPI
import Testing

/// Runs with a Tchebycheff RunConfig.scalarization, over gRPC: Scalarize returns −r_pareto·max_k w_k·(z*_k − r_k)
/// (or its smooth form) against the tracked or declared ideal point and says which point; the tracked point
/// survives a restart; a retry is answered as the first call; bad settings are refused naming the field.
@Suite struct TchebycheffServiceTests {
    static func request(
        _ runID: String, _ function: Rewardweighting_V1_ScalarizationFunction, smoothing: Double? = nil,
        idealPoint: [Double] = [], normalization: Rewardweighting_V1_RewardNormalization = .none
    ) -> Rewardweighting_V1_CreateRunRequest {
        var request = Rewardweighting_V1_CreateRunRequest()
        request.runID = runID
        request.config.objectives = ["accuracy", "conciseness"].map { name in
            var objective = Rewardweighting_V1_Objective()
            objective.name = name
            return objective
        }
        request.config.method = .fixed
        request.config.initialWeights = [0.75, 0.25]
        request.config.scalarization = function
        if let smoothing { request.config.smoothing = smoothing }
        request.config.idealPoint = idealPoint
        request.config.normalization = normalization
        return request
    }

    /// −max_k w_k·(z*_k − r_k), or −μ·log Σ_k exp(w_k·(z*_k − r_k)/μ), recomputed directly.
    static func expected(_ rows: [[Double]], ideal: [Double], weights: [Double], mu: Double?) -> [Double] {
        rows.map { row in
            let gaps = zip(zip(weights, ideal), row).map { wz, r in wz.0 * (wz.1 - r) }
            guard let mu else { return -gaps.max()! }
            return -mu * log(gaps.reduce(0) { $0 + exp($1 / mu) })
        }
    }

    @Test func scalarizeMeasuresTheRewardsAgainstTheTrackedIdealPointAcrossARestart() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let weights = [0.75, 0.25]
        let first = [[0.2, 0.9], [0.6, 0.1]]
        try await withServer(database: directory.database()) { trainer in
            _ = try await trainer.createRun(Self.request("tch", .tchebycheff))
            _ = try await trainer.createRun(Self.request("stch", .smoothTchebycheff, smoothing: 0.05))
            for (runID, mu) in [("tch", nil), ("stch", 0.05 as Double?)] {
                let reply = try await trainer.scalarize(
                    scalarizeRequest(runID, step: 1, rewards: first.flatMap { $0 }, k: 2))
                #expect(reply.idealPoint == [0.6, 0.9])
                let expected = Self.expected(first, ideal: [0.6, 0.9], weights: weights, mu: mu)
                for (a, b) in zip(reply.scalarizedRewards, expected) { #expect(abs(a - b) <= 1e-15) }
                // The retry is answered exactly as the first call and records nothing new.
                let retry = try await trainer.scalarize(
                    scalarizeRequest(runID, step: 1, rewards: first.flatMap { $0 }, k: 2))
                #expect(retry.scalarizedRewards == reply.scalarizedRewards)
                #expect(retry.sequence == reply.sequence)
                let run = try await trainer.run(runID)
                #expect(run.config.scalarization == (mu == nil ? .tchebycheff : .smoothTchebycheff))
                let events = try await trainer.events(runID, count: 2).filter { $0.kind == .scalarize }
                #expect(events.map(\.scalarize.objectiveMaxima) == [[0.6, 0.9]])
            }
        }
        // After a restart, step 2 still sees step 1's batch: z* = max((0.6, 0.9), (0.7, 0.3)).
        try await withServer(database: directory.database()) { trainer in
            let rows = [[0.7, 0.3]]
            let reply = try await trainer.scalarize(scalarizeRequest("tch", step: 2, rewards: [0.7, 0.3], k: 2))
            #expect(reply.idealPoint == [0.7, 0.9])
            #expect(reply.scalarizedRewards == Self.expected(rows, ideal: [0.7, 0.9], weights: weights, mu: nil))
        }
    }

    @Test func aDeclaredIdealPointIsUsedAsGiven() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try await withServer(database: directory.database()) { trainer in
            _ = try await trainer.createRun(Self.request("declared", .tchebycheff, idealPoint: [1, 1]))
            let reply = try await trainer.scalarize(scalarizeRequest("declared", step: 1, rewards: [0.5, 0.5], k: 2))
            #expect(reply.idealPoint == [1, 1])
            #expect(reply.scalarizedRewards == [-0.375])
            let linear = Self.request("linear", .linear)
            _ = try await trainer.createRun(linear)
            let plain = try await trainer.scalarize(scalarizeRequest("linear", step: 1, rewards: [0.5, 0.5], k: 2))
            #expect(plain.idealPoint.isEmpty)
            #expect(plain.scalarizedRewards == [0.5])
        }
    }

    @Test func badSettingsAreInvalidArgumentNamingTheField() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try await withServer(database: directory.database()) { trainer in
            await expectStatus(.invalidArgument, naming: "config.smoothing") {
                _ = try await trainer.createRun(Self.request("bad-1", .tchebycheff, smoothing: 0.1))
            }
            await expectStatus(.invalidArgument, naming: "config.smoothing") {
                _ = try await trainer.createRun(Self.request("bad-2", .smoothTchebycheff, smoothing: 0))
            }
            await expectStatus(.invalidArgument, naming: "config.ideal_point") {
                _ = try await trainer.createRun(Self.request("bad-3", .linear, idealPoint: [1, 1]))
            }
            await expectStatus(.invalidArgument, naming: "config.ideal_point") {
                _ = try await trainer.createRun(Self.request("bad-4", .tchebycheff, idealPoint: [1]))
            }
            await expectStatus(.invalidArgument, naming: "config.scalarization") {
                _ = try await trainer.createRun(Self.request("bad-5", .tchebycheff, normalization: .group))
            }
            await expectStatus(.invalidArgument, naming: "config.scalarization") {
                _ = try await trainer.createRun(Self.request("bad-6", .UNRECOGNIZED(9)))
            }
        }
    }
}
