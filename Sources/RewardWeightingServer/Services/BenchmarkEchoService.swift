import GRPCCore
import GRPCProtobuf
import RewardWeightingAPI

/// The benchmark-only `rewardweighting.v1.BenchmarkService`: `Echo` takes a `ScalarizeRequest` and answers a
/// `ScalarizeResponse` of the same size as `Scalarize`'s (N scalar rewards, K weights), with no run, policy or
/// store behind it. It is the transport's baseline in the load test (`Benchmarks/load-test.sh`,
/// docs/performance.md), registered only when
/// ``RewardWeightingServer/Configuration/enableBenchmarkService`` is set (`rw-server --enable-benchmark-service`).
///
/// Requests go through the same ``SizeLimitedDeserializer`` as `TrainerService`'s, so both RPCs pay the same
/// decoding and encoding costs.
public struct BenchmarkEchoService: Rewardweighting_V1_BenchmarkService.SimpleServiceProtocol {
    /// The largest request message accepted, in bytes.
    public let maxRequestMessageBytes: Int

    /// An echo service that refuses requests over `maxRequestMessageBytes` with `RESOURCE_EXHAUSTED`.
    public init(maxRequestMessageBytes: Int = RewardWeightingServer.Configuration.defaultMaxReceiveMessageBytes) {
        self.maxRequestMessageBytes = maxRequestMessageBytes
    }

    /// `Echo`: each row's first value as its scalar reward, uniform weights, `r_pareto` 1. A request without
    /// rewards, or with `num_objectives` below 1, gets an empty reply.
    public func echo(
        request: Rewardweighting_V1_ScalarizeRequest, context: ServerContext
    ) async throws -> Rewardweighting_V1_ScalarizeResponse {
        var response = Rewardweighting_V1_ScalarizeResponse()
        let k = Int(request.rewards.numObjectives)
        guard k >= 1 else { return response }
        let values = request.rewards.values
        response.scalarizedRewards = stride(from: 0, to: values.count - k + 1, by: k).map { values[$0] }
        response.weights = Array(repeating: 1 / Double(k), count: k)
        response.rPareto = 1
        return response
    }

    /// Registers `Echo` with a ``SizeLimitedDeserializer``, as ``TrainerServiceImplementation`` registers its
    /// methods.
    public func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        router.registerHandler(
            forMethod: Rewardweighting_V1_BenchmarkService.Method.Echo.descriptor,
            deserializer: SizeLimitedDeserializer<Rewardweighting_V1_ScalarizeRequest>(
                limit: self.maxRequestMessageBytes),
            serializer: ProtobufSerializer<Rewardweighting_V1_ScalarizeResponse>(),
            handler: { request, context in try await self.echo(request: request, context: context) })
    }
}
