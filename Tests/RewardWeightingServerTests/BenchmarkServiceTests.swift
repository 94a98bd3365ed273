import GRPCCore
import RewardWeightingAPI
import Testing

/// The benchmark-only `BenchmarkService` (`rw-server --enable-benchmark-service`).
@Suite struct BenchmarkServiceTests {
    /// Enabled, `Echo` answers a Scalarize-sized reply (N values, K weights) without touching any run; disabled
    /// (the default), it is `UNIMPLEMENTED`.
    @Test func echoAnswersOnlyWhenEnabled() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let rewards = (0..<12).map { Double($0) }
        let request = scalarizeRequest("no-such-run", step: 1, rewards: rewards)

        let reply = try await withServerClient(database: directory.database("on"), enableBenchmarkService: true) {
            client in
            try await Rewardweighting_V1_BenchmarkService.Client(wrapping: client).echo(request)
        }
        #expect(reply.scalarizedRewards == [0, 3, 6, 9])
        let third = 1.0 / 3
        #expect(reply.weights == [third, third, third])
        #expect(reply.rPareto == 1)

        try await withServerClient(database: directory.database("off")) { client in
            let error = await #expect(throws: RPCError.self) {
                try await Rewardweighting_V1_BenchmarkService.Client(wrapping: client).echo(request)
            }
            #expect(error?.code == .unimplemented)
        }
    }
}
