import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import RewardWeightingAPI
import RewardWeightingServer
import RewardWeightingService
import Synchronization
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Each limit of ``ServiceLimits`` and the tenant request rate, against a live server configured with small
/// values: the call over it is RESOURCE_EXHAUSTED naming the limit and its value, and nothing is stored.
@Suite("Limits")
struct LimitsTests {
    @Test("K, N×K, the Pareto buffer and the runs per tenant: RESOURCE_EXHAUSTED naming the limit, nothing stored")
    func sizeLimits() async throws {
        let limits = ServiceLimits(maxObjectives: 3, maxBatchValues: 6, maxBufferSize: 2, maxRunsPerTenant: 2)
        try await Self.withServer(limits: limits) { trainer, _ in
            var four = gradientRun("k4")
            var objective = Rewardweighting_V1_Objective()
            objective.name = "safety"
            objective.direction = .maximize
            four.config.objectives.append(objective)
            four.config.initialWeights = []
            try await Self.expectExhausted("config.objectives", "maxObjectives is 3") {
                _ = try await trainer.createRun(four)
            }

            var run = hypervolumeRun("limited")
            run.config.hypervolume.referencePoint = [0, 2000, 0]
            _ = try await trainer.createRun(run)
            _ = try await trainer.scalarize(scalarizeRequest("limited", step: 1, rewards: [1, 2, 3, 4, 5, 6]))
            try await Self.expectExhausted("rewards.values", "maxBatchValues is 6") {
                _ = try await trainer.scalarize(
                    scalarizeRequest("limited", step: 2, rewards: Array(repeating: 1, count: 9)))
            }

            // Two mutually non-dominated checkpoints fill the buffer; a third that would join it is refused.
            _ = try await trainer.reportCheckpoint(checkpointRequest("limited", step: 1, scores: [0.5, 800, 0.2]))
            _ = try await trainer.reportCheckpoint(checkpointRequest("limited", step: 2, scores: [0.4, 600, 0.2]))
            let before = try await trainer.run("limited")
            #expect(before.state.buffer.points.count == 2)
            try await Self.expectExhausted("scores", "maxBufferSize is 2") {
                _ = try await trainer.reportCheckpoint(checkpointRequest("limited", step: 3, scores: [0.3, 400, 0.2]))
            }
            #expect(try await trainer.run("limited") == before)
            // A checkpoint that replaces a point keeps the buffer at its size: allowed.
            _ = try await trainer.reportCheckpoint(checkpointRequest("limited", step: 3, scores: [0.6, 700, 0.3]))

            // The tenant has 1 run ("k4" was refused); a second is fine, a third is not, a retry of the second is.
            _ = try await trainer.createRun(gradientRun("second"))
            try await Self.expectExhausted("run_id", "maxRunsPerTenant is 2") {
                _ = try await trainer.createRun(gradientRun("third"))
            }
            #expect(try await trainer.createRun(gradientRun("second")).created == false)
        }
    }

    @Test("the tenant request rate: past the burst a call is RESOURCE_EXHAUSTED (429 over HTTP) naming the tenant")
    func requestRate() async throws {
        try await Self.withServer(rate: 1, burst: 3) { trainer, httpPort in
            _ = try await trainer.createRun(gradientRun("rated"))
            // 20 calls at once: at most the 2 tokens left and one a second more are admitted.
            let outcomes = await withTaskGroup(of: RPCError?.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        do {
                            _ = try await trainer.run("rated")
                            return nil
                        } catch {
                            return error as? RPCError
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let refused = outcomes.compactMap { $0 }
            #expect(refused.count >= 5)
            #expect(refused.allSatisfy { $0.code == .resourceExhausted })
            #expect(refused.first?.message.contains("tenantRequestRate is 1 calls a second (bursts of 3)") == true)
            var statuses: [Int] = []
            var problem = ""
            for _ in 0..<10 {
                let (data, response) = try await URLSession.shared.data(
                    from: URL(string: "http://127.0.0.1:\(httpPort)/v1/runs/rated")!)
                let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                statuses.append(status)
                if status == 429 { problem = String(decoding: data, as: UTF8.self) }
            }
            #expect(statuses.contains(429), "\(statuses)")
            #expect(problem.contains("\"field\":\"tenant\""))
            // Health checks are not rate limited.
            let (_, health) = try await URLSession.shared.data(
                from: URL(string: "http://127.0.0.1:\(httpPort)/healthz")!)
            #expect((health as? HTTPURLResponse)?.statusCode == 200)
        }
    }

    @Test("a token bucket refills at its rate, up to its burst, per tenant")
    func tokenBucket() throws {
        let now = Mutex(ContinuousClock.now)
        let limiter = TenantRateLimiter(rate: 2, burst: 4) { now.withLock { $0 } }
        for _ in 0..<4 { try limiter.admit("a") }
        #expect(throws: ServiceError.self) { try limiter.admit("a") }
        try limiter.admit("b")  // another tenant has its own bucket
        now.withLock { $0 += .milliseconds(500) }  // one token back
        try limiter.admit("a")
        #expect(throws: ServiceError.self) { try limiter.admit("a") }
        now.withLock { $0 += .seconds(60) }  // refilled to the burst, not beyond
        for _ in 0..<4 { try limiter.admit("a") }
        let error = #expect(throws: ServiceError.self) { try limiter.admit("a") }
        #expect(error?.code == .resourceExhausted && error?.field == "tenant")
        let unlimited = TenantRateLimiter.unlimited
        for _ in 0..<10_000 { try unlimited.admit("a") }
    }

    // MARK: - Helpers

    static func expectExhausted(
        _ field: String, _ limit: String, sourceLocation: SourceLocation = #_sourceLocation,
        _ body: () async throws -> Void
    ) async throws {
        await expectStatus(.resourceExhausted, naming: field, sourceLocation: sourceLocation, body)
        do {
            try await body()
        } catch let error as RPCError {
            #expect(error.message.contains(limit), "\(error.message)", sourceLocation: sourceLocation)
        }
    }

    static func withServer(
        limits: ServiceLimits = .default, rate: Int = 0, burst: Int = 1, _ body: (Trainer, Int) async throws -> Void
    ) async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try await withServerClient(
            configuration: .init(
                host: "127.0.0.1", port: 0, httpPort: 0, databasePath: directory.database(), limits: limits,
                tenantRequestRate: rate, tenantRequestBurst: burst)
        ) { client, httpPort in try await body(Trainer(wrapping: client), httpPort) }
    }
}
